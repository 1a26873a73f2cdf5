"""Case categories: the short list admins keep, and choosing one for a case."""

from __future__ import annotations

from dataclasses import dataclass

from peewee import fn

from desktop_helpdesk.services.audit import ChangeLog
from desktop_helpdesk.services.context import ServiceContext
from desktop_helpdesk.services.errors import ValidationError, existing
from desktop_helpdesk.services.permissions import Actions, change_by
from desktop_helpdesk.storage.records import CaseRecord, CategoryRecord

MAX_CATEGORY_NAME = 80


@dataclass(frozen=True)
class Category:
    """A category of the list, with how many cases carry it."""

    id: int
    name: str
    active: bool
    cases: int = 0


class CategoryService:
    """Lists and changes the categories; every change is audited (entity ``category``).

    Args:
        context: the shared services context.
    """

    def __init__(self, context: ServiceContext) -> None:
        self._context = context

    def list_categories(self, *, include_inactive: bool = False) -> list[Category]:
        """The categories by name, with their case counts.

        Args:
            include_inactive: also the retired ones (the admin page shows them greyed).

        Returns:
            ``Category`` list.
        """
        counts = dict(
            CaseRecord.select(CaseRecord.category, fn.COUNT(CaseRecord.id))
            .where(CaseRecord.category.is_null(False))
            .group_by(CaseRecord.category)
            .tuples()
        )
        query = CategoryRecord.select().order_by(fn.LOWER(CategoryRecord.name))
        if not include_inactive:
            query = query.where(CategoryRecord.active == True)  # noqa: E712
        return [Category(r.id, r.name, r.active, counts.get(r.id, 0)) for r in query]

    def add_category(self, actor_id: int, name: str) -> Category:
        """Add a category to the list.

        Args:
            actor_id: the member acting (supervisor or admin).
            name: its name (unique, case-insensitive).

        Returns:
            The new category.

        Raises:
            ValidationError: ``name`` empty, too long or taken.
            PermissionDenied: the actor is an agent.
        """
        name = _name(name)
        with change_by(actor_id, Actions.MANAGE_CATEGORIES) as actor:
            _check_unique(name)
            now = self._context.now()
            record = CategoryRecord.create(name=name, active=True, created_at=now)
            log = ChangeLog(actor.id, now, entity="category", entity_id=record.id)
            log.add("category_added", field="name", after=name)
            log.flush()
        return Category(record.id, name, True)

    def rename_category(self, actor_id: int, category_id: int, name: str) -> Category:
        """Rename a category (cases carrying it show the new name).

        Args:
            actor_id: the member acting (supervisor or admin).
            category_id: the category.
            name: the new name.

        Returns:
            The renamed category.

        Raises:
            ValidationError: ``name`` empty, too long or taken.
            NotFoundError: no such category.
            PermissionDenied: the actor is an agent.
        """
        name = _name(name)
        with change_by(actor_id, Actions.MANAGE_CATEGORIES) as actor:
            record = _category(category_id)
            if record.name != name:
                _check_unique(name, except_id=record.id)
                log = ChangeLog(actor.id, self._context.now(), entity="category", entity_id=record.id)
                log.add("category_renamed", field="name", before=record.name, after=name)
                record.name = name
                record.save()
                log.flush()
        return Category(record.id, record.name, record.active)

    def set_category_active(self, actor_id: int, category_id: int, active: bool) -> Category:
        """Retire a category (no longer offered; cases keep it) or bring it back.

        Args:
            actor_id: the member acting (supervisor or admin).
            category_id: the category.
            active: False retires it, True offers it again.

        Returns:
            The category.

        Raises:
            NotFoundError: no such category.
            PermissionDenied: the actor is an agent.
        """
        with change_by(actor_id, Actions.MANAGE_CATEGORIES) as actor:
            record = _category(category_id)
            if record.active != bool(active):
                log = ChangeLog(actor.id, self._context.now(), entity="category", entity_id=record.id)
                log.add("category_retired" if not active else "category_restored", field="active",
                        before=record.active, after=bool(active))
                record.active = bool(active)
                record.save()
                log.flush()
        return Category(record.id, record.name, record.active)


def _name(name: object) -> str:
    text = str(name or "").strip()
    if not text:
        raise ValidationError("category", "the category's name is required")
    if len(text) > MAX_CATEGORY_NAME:
        raise ValidationError("category", f"at most {MAX_CATEGORY_NAME} characters")
    return text


def _check_unique(name: str, except_id: int | None = None) -> None:
    query = CategoryRecord.select().where(fn.LOWER(CategoryRecord.name) == name.lower())
    if except_id is not None:
        query = query.where(CategoryRecord.id != except_id)
    if query.exists():
        raise ValidationError("category", f"a category named {name!r} already exists")


def _category(category_id: int) -> CategoryRecord:
    record = existing(CategoryRecord, category_id, "category")
    return record


def chosen_category(category_id: int | None) -> CategoryRecord | None:
    """The active category a case is given (inside the caller's transaction).

    Args:
        category_id: the category, or None for none.

    Returns:
        Its record, or None.

    Raises:
        ValidationError: ``category`` unknown or retired.
    """
    if category_id is None:
        return None
    record = CategoryRecord.get_or_none(CategoryRecord.id == category_id)
    if record is None or not record.active:
        raise ValidationError("category", f"no category with id {category_id} is offered")
    return record
