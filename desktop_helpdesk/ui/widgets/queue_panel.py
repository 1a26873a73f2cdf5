"""Left panel: the work queues with live counts and the search box."""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import (
    QApplication,
    QLineEdit,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from desktop_helpdesk.domain.cases import count_text
from desktop_helpdesk.services.case_queries import Queue
from desktop_helpdesk.ui.form_fields import named, role_label
from desktop_helpdesk.ui.models.roles import QUEUE_COUNT_ROLE, QUEUE_ROLE
from desktop_helpdesk.ui.resources import icon
from desktop_helpdesk.ui.timers import single_shot_timer

SEARCH_DEBOUNCE_MS = 250
_ALERT_QUEUES = {Queue.OVERDUE: QColor("#dc2626"), Queue.DUE_SOON: QColor("#d97706")}


class QueueListModel(QAbstractListModel):
    """The nine queues and how many cases each holds (None until first counted)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._queues = list(Queue)
        self._counts: dict[Queue, int] = {}

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._queues)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._queues):
            return None
        queue = self._queues[index.row()]
        count = self._counts.get(queue)
        if role == Qt.ItemDataRole.DisplayRole:
            return queue.label
        if role == Qt.ItemDataRole.DecorationRole:
            return icon(queue.value)
        if role == QUEUE_ROLE:
            return queue.value
        if role == QUEUE_COUNT_ROLE:
            return count
        if role in (Qt.ItemDataRole.AccessibleTextRole, Qt.ItemDataRole.ToolTipRole):
            return queue.label if count is None else f"{queue.label}: {count_text(count)}"
        return None

    def set_counts(self, counts: dict[Queue, int]) -> None:
        """Show new counts; only rows whose number changed repaint."""
        for row, queue in enumerate(self._queues):
            if self._counts.get(queue) != counts.get(queue):
                self._counts[queue] = counts.get(queue, 0)
                index = self.index(row, 0)
                self.dataChanged.emit(index, index, [QUEUE_COUNT_ROLE, Qt.ItemDataRole.ToolTipRole])

    def count(self, queue: Queue) -> int | None:
        return self._counts.get(queue)

    def row_of(self, queue: Queue) -> int:
        return self._queues.index(queue)


class QueueDelegate(QStyledItemDelegate):
    """Draws the queue name with its count as a badge on the right.

    Attributes:
        row_height: the least height of a queue's row (the compact density lowers it).
    """

    row_height = 34

    def sizeHint(self, option: QStyleOptionViewItem, index) -> QSize:
        size = super().sizeHint(option, index)
        # Room for the widest usual badge as paint() draws it, so the panel can be sized to
        # show every queue's name whole.
        font = QFont(option.font)
        font.setBold(True)
        badge = QFontMetrics(font).horizontalAdvance("999") + 14 + 10 + 4
        return QSize(size.width() + badge, max(size.height(), self.row_height))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        count = index.data(QUEUE_COUNT_ROLE)
        if count is None:
            super().paint(painter, option, index)
            return
        # The name elides before the badge rather than running under it (a narrow panel):
        # the row's background across the whole width, then icon and name short of the badge
        # (same state, so the style sheet's selected colours apply to both).
        named = QStyleOptionViewItem(option)
        self.initStyleOption(named, index)
        style = named.widget.style() if named.widget is not None else QApplication.style()
        background = QStyleOptionViewItem(named)
        background.text = ""
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, background, painter, named.widget)
        badge = QFontMetrics(option.font).horizontalAdvance(f"{count:,}") + 30
        named.rect = option.rect.adjusted(0, 0, -badge, 0)
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, named, painter, named.widget)
        queue = Queue(index.data(QUEUE_ROLE))
        text = f"{count:,}"
        painter.save()
        font = QFont(option.font)
        font.setBold(True)
        painter.setFont(font)
        width = painter.fontMetrics().horizontalAdvance(text) + 14
        rect = QRect(option.rect.right() - width - 10, option.rect.center().y() - 10, width, 20)
        alert = _ALERT_QUEUES.get(queue) if count else None
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(alert if alert is not None else QColor("#e2e8f0"))
        painter.drawRoundedRect(rect, 10, 10)
        painter.setPen(QColor("#ffffff") if alert is not None else QColor("#1e293b"))
        if selected and alert is None:
            painter.setPen(QColor("#1e293b"))
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.restore()


class QueuePanel(QWidget):
    """Search box above the queue list.

    Signals:
        queue_selected(object): a ``Queue`` was chosen.
        search_changed(str): the search text settled (debounced 250 ms); "" when cleared.
    """

    queue_selected = Signal(object)
    search_changed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("queuePanel")
        self.setMinimumWidth(210)
        self.search = QLineEdit(self)
        named(self.search, "caseSearch")
        self.search.setPlaceholderText("Search cases, clients, contacts…")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setToolTip("Case number, client, contact, subject or text of interactions (Ctrl+F)")
        self.model = QueueListModel(self)
        self.list = QListView(self)
        named(self.list, "queueList")
        self.list.setModel(self.model)
        self.list.setItemDelegate(QueueDelegate(self.list))
        self.list.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.list.setUniformItemSizes(True)
        heading = role_label(self, "Queues", "sectionHeading")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 6, 10)
        layout.setSpacing(8)
        layout.addWidget(self.search)
        layout.addWidget(heading)
        layout.addWidget(self.list, 1)

        self._last_queue: Queue | None = None
        self._debounce = single_shot_timer(
            self, "searchDebounceTimer", SEARCH_DEBOUNCE_MS, self._on_debounce_timeout)
        self.search.textChanged.connect(self._on_search_text_changed)
        self.search.returnPressed.connect(self._on_debounce_timeout)
        self.list.selectionModel().currentChanged.connect(self._on_list_current_changed)

    def select_queue(self, queue: Queue) -> None:
        self.list.setCurrentIndex(self.model.index(self.model.row_of(queue), 0))

    def current_queue(self) -> Queue | None:
        """The highlighted queue, or during a search the queue that was shown before it."""
        index = self.list.currentIndex()
        return Queue(index.data(QUEUE_ROLE)) if index.isValid() else self._last_queue

    def show_search_mode(self, searching: bool) -> None:
        """While searching no queue is highlighted (results span all cases); clicking any
        queue, the previous one included, leaves the search."""
        if searching and self.list.currentIndex().isValid():
            self._last_queue = self.current_queue()
            self.list.selectionModel().blockSignals(True)
            self.list.setCurrentIndex(QModelIndex())
            self.list.selectionModel().blockSignals(False)
        elif not searching and not self.list.currentIndex().isValid() and self._last_queue:
            self.list.selectionModel().blockSignals(True)
            self.select_queue(self._last_queue)
            self.list.selectionModel().blockSignals(False)

    def flush_search(self) -> None:
        """Apply pending search text now (Enter does the same)."""
        if self._debounce.isActive():
            self._on_debounce_timeout()

    def _on_search_text_changed(self, _text: str) -> None:
        self._debounce.start()

    def _on_debounce_timeout(self) -> None:
        self._debounce.stop()
        self.search_changed.emit(self.search.text().strip())

    def _on_list_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.queue_selected.emit(Queue(current.data(QUEUE_ROLE)))
