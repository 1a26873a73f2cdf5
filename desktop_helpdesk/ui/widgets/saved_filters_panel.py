"""Saved filters beside the queues: pick one to list its cases, save a new one, delete."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget

from desktop_helpdesk.services.saved_filters import SavedFilter
from desktop_helpdesk.ui.form_fields import named, role_label
from desktop_helpdesk.ui.widgets.flow_layout import FlowLayout


class SavedFiltersPanel(QWidget):
    """The list of saved filters (mine and shared) with New and Delete buttons.

    Signals:
        filter_chosen(object): a ``SavedFilter`` was picked.
        new_requested(): "New filter…" was pressed.
        delete_requested(object): "Delete" was pressed on a ``SavedFilter``.
    """

    filter_chosen = Signal(object)
    new_requested = Signal()
    delete_requested = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("savedFiltersPanel")
        heading = role_label(self, "Saved filters", "sectionHeading")
        self.list = named(QListWidget(self), "savedFilterList")
        self.list.setMaximumHeight(150)
        self.list.itemActivated.connect(self._on_list_item_activated)
        self.list.itemClicked.connect(self._on_list_item_activated)
        self.new_button = QPushButton("New filter…", self)
        self.new_button.setObjectName("newFilterButton")
        self.new_button.setToolTip("Save the criteria of a new filter (Ctrl+Shift+F)")
        self.new_button.clicked.connect(self.new_requested)
        self.delete_button = QPushButton("Delete", self)
        self.delete_button.setObjectName("deleteFilterButton")
        self.delete_button.clicked.connect(self._on_delete_button_clicked)
        # Side by side when the panel has room, one above the other on a narrow laptop panel.
        buttons = FlowLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.delete_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(heading)
        layout.addWidget(self.list)
        layout.addLayout(buttons)
        self._fit_list_height()

    def set_filters(self, filters: list[SavedFilter]) -> None:
        current = self.current_filter()
        self.list.clear()
        for saved in filters:
            item = QListWidgetItem(saved.name + ("  (shared)" if saved.shared else ""), self.list)
            item.setData(Qt.ItemDataRole.UserRole, saved)
            item.setToolTip(f"{'Shared by ' + saved.owner_name if saved.shared else 'Yours'}")
            if current is not None and saved.id == current.id:
                self.list.setCurrentItem(item)
        self.delete_button.setEnabled(bool(filters))
        self._fit_list_height()

    def _fit_list_height(self) -> None:
        # As tall as its filters (two to eight rows): an empty list leaves the queues room.
        rows = min(max(self.list.count(), 2), 8)
        row = max(self.list.sizeHintForRow(0), self.list.fontMetrics().height() + 8)
        self.list.setMaximumHeight(rows * row + 2 * self.list.frameWidth() + 4)

    def filters(self) -> list[SavedFilter]:
        return [self.list.item(row).data(Qt.ItemDataRole.UserRole) for row in range(self.list.count())]

    def current_filter(self) -> SavedFilter | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None

    def choose(self, filter_id: int) -> bool:
        """Pick the filter with this id (as a click would)."""
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item.data(Qt.ItemDataRole.UserRole).id == filter_id:
                self.list.setCurrentItem(item)
                self._on_list_item_activated(item)
                return True
        return False

    def clear_choice(self) -> None:
        self.list.setCurrentItem(None)
        self.list.clearSelection()

    def _on_list_item_activated(self, item: QListWidgetItem) -> None:
        self.filter_chosen.emit(item.data(Qt.ItemDataRole.UserRole))

    def _on_delete_button_clicked(self) -> None:
        saved = self.current_filter()
        if saved is not None:
            self.delete_requested.emit(saved)
