"""Form widgets named once for tests and screen readers (the object name is the accessible name),
and the buttons under a form or dialog."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QWidget,
)

Named = TypeVar("Named", bound=QWidget)

OK_CANCEL = QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel


def named(widget: Named, name: str) -> Named:
    """``widget`` with ``name`` as its object name (tests find it) and accessible name (screen
    readers announce it)."""
    widget.setObjectName(name)
    widget.setAccessibleName(name)
    return widget


def role_label(parent: QWidget, text: str, role: str, name: str = "") -> QLabel:
    """A label the house style sheet styles by its ``role`` ("hint", "sectionHeading", …), named
    when tests or screen readers need to find it."""
    label = QLabel(text, parent)
    label.setProperty("role", role)
    return named(label, name) if name else label


def line_field(parent: QWidget, name: str, placeholder: str = "", *, text: str = "") -> QLineEdit:
    """A named one-line text field."""
    field = named(QLineEdit(text, parent), name)
    field.setPlaceholderText(placeholder)
    return field


def text_box(parent: QWidget, name: str, placeholder: str, *, height: int) -> QPlainTextEdit:
    """A named several-line text field of fixed ``height`` where Tab moves on (never types a tab)."""
    box = named(QPlainTextEdit(parent), name)
    box.setPlaceholderText(placeholder)
    box.setTabChangesFocus(True)
    box.setFixedHeight(height)
    return box


def combo_box(parent: QWidget, name: str, items: Iterable[tuple[str, object]] = ()) -> QComboBox:
    """A named drop-down list of ``(text, data)`` items."""
    combo = named(QComboBox(parent), name)
    for text, value in items:
        combo.addItem(text, value)
    return combo


def form_row(form: QFormLayout, label: str, field: Named) -> Named:
    """``field``, added to ``form`` on a row labelled ``label`` ("" for none): a field is made
    on its own row, beside its label, so adding one to a form is one line."""
    form.addRow(label, field)
    return field


def button_row(*buttons: QWidget) -> QHBoxLayout:
    """``buttons`` side by side at the right, where a dialog's or list's actions go."""
    row = QHBoxLayout()
    row.addStretch(1)
    for button in buttons:
        row.addWidget(button)
    return row


def dialog_buttons(dialog: QDialog, standard: QDialogButtonBox.StandardButton = OK_CANCEL, *,
                   ok_text: str = "", on_accepted: Callable[[], object] | None = None) -> QDialogButtonBox:
    """``dialog``'s ``standard`` buttons (OK and Cancel unless given): accepting runs
    ``on_accepted`` (the dialog's ``accept`` unless given); Cancel and Close reject it.
    ``ok_text`` names the OK button after what it does ("Escalate", "Sign in")."""
    buttons = QDialogButtonBox(standard, dialog)
    if ok_text:
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    buttons.accepted.connect(on_accepted or dialog.accept)
    buttons.rejected.connect(dialog.reject)
    return buttons
