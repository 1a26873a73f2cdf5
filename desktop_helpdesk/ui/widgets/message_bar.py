"""The message bar under a form or case: one wrapping line, info or error, hidden until needed."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

from desktop_helpdesk.ui.form_fields import named


def restyle(widget: QWidget) -> None:
    """Apply the style sheet again after a property it selects on (``kind``, ``priority``)
    changed: Qt does not re-evaluate property selectors by itself."""
    widget.style().unpolish(widget)
    widget.style().polish(widget)


class MessageBar(QLabel):
    """A selectable, wrapping message styled by the house style sheet (``role=messageBar``,
    ``kind=info|error``); hidden until ``show_text``."""

    def __init__(self, parent: QWidget, name: str) -> None:
        super().__init__("", parent)
        named(self, name)
        self.setProperty("role", "messageBar")
        self.setWordWrap(True)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def show_text(self, text: str, *, error: bool = False) -> None:
        """Show ``text`` as information, or as an error."""
        self.setText(text)
        self.setProperty("kind", "error" if error else "info")
        restyle(self)
        self.show()

    def shown_text(self) -> str:
        """The text the user can see ("" while hidden)."""
        return self.text() if self.isVisibleTo(self.window()) else ""

    @property
    def is_error(self) -> bool:
        return self.property("kind") == "error"
