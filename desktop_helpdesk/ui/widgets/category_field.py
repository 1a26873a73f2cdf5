"""The category chooser shared by intake, the case details and bulk work."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QComboBox

from desktop_helpdesk.services.categories import Category

NO_CATEGORY = "No category"


def fill_categories(
    combo: QComboBox,
    categories: Sequence[Category],
    current_id: int | None = None,
    current_name: str = "",
) -> None:
    """Offer "No category" and the active categories; select ``current_id``.

    A case may carry a category retired since: it is listed (marked retired) so showing the
    case does not silently change it.
    """
    combo.blockSignals(True)
    combo.clear()
    combo.addItem(NO_CATEGORY, None)
    for category in categories:
        if category.active:
            combo.addItem(category.name, category.id)
    if current_id is not None and combo.findData(current_id) < 0:
        combo.addItem(f"{current_name} (retired)", current_id)
    combo.setCurrentIndex(0 if current_id is None else max(0, combo.findData(current_id)))
    combo.blockSignals(False)
