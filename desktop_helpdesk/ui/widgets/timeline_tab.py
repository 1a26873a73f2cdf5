"""Timeline tab of a case: the add-interaction form above the events, newest first."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtCore import QRect, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QListView,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QStyle,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from desktop_helpdesk.domain.cases import Direction, InteractionChannel
from desktop_helpdesk.ui.form_fields import named
from desktop_helpdesk.ui.models.timeline_model import TimelineModel
from desktop_helpdesk.ui.resources import icon
from desktop_helpdesk.ui.widgets.flow_layout import FlowLayout

READ_ONLY_PLACEHOLDER = "This case is closed and read-only. Reopen it to add to it."
EDIT_PLACEHOLDER = "What was said or done (Ctrl+Enter adds it; Ctrl+Shift+R inserts a canned reply)"
# The newest entry shows whole up to this many lines; a longer one (an email) scrolls.
_NEWEST_ENTRY_LINES = 8


class _TimelineView(QListView):
    """The case's events. It is never shorter than its newest entry, wrapped to the width it
    is given (a height for its width): a short laptop pane scrolls the case rather than cut
    the entry a member reads first."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        policy = self.sizePolicy()
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def setModel(self, model) -> None:
        super().setModel(model)
        # Another case, or a new event on top: the newest entry (so this height) changed.
        for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved, model.dataChanged):
            signal.connect(self.updateGeometry)

    def heightForWidth(self, width: int) -> int:
        frame = 2 * self.frameWidth()
        chrome = frame + 2 * self.spacing()
        least = self.minimumSizeHint().height()
        model = self.model()
        if model is None or not model.rowCount():
            return least
        # Wrapped as the view wraps it: to the viewport beside a vertical scroll bar (the
        # narrower case, so the entry never needs more than this).
        scroll_bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent, None, self)
        option = QStyleOptionViewItem()
        self.initViewItemOption(option)
        # (A valid rectangle: the style wraps the text to its width only then.)
        option.rect = QRect(0, 0, max(1, width - frame - scroll_bar - 2 * self.spacing()), max(1, self.height()))
        entry = self.itemDelegate().sizeHint(option, model.index(0, 0)).height()
        longest = _NEWEST_ENTRY_LINES * self.fontMetrics().lineSpacing()
        return max(least, min(entry, longest) + chrome)


class TimelineTab(QWidget):
    """Channel, direction, duration and summary of a new interaction, and the case's events.

    Signals:
        add_requested(): the Add button or Ctrl+Enter in the summary.

    Args:
        zone: the desk's time zone for event times.
    """

    add_requested = Signal()

    def __init__(self, zone: ZoneInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.channel_field = QComboBox(self)
        self.channel_field.setObjectName("interactionChannelField")
        for channel in InteractionChannel:
            self.channel_field.addItem(icon(channel.value), channel.label, channel.value)
        # As wide as most channel names (the list shows them all): the form keeps one line in
        # a laptop's case pane.
        self.channel_field.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.channel_field.setMinimumContentsLength(8)
        self.direction_field = QComboBox(self)
        self.direction_field.setObjectName("interactionDirectionField")
        for direction in (Direction.OUTBOUND, Direction.INBOUND, Direction.INTERNAL):
            self.direction_field.addItem(direction.label, direction.value)
        self.duration_field = QSpinBox(self)
        self.duration_field.setObjectName("interactionDurationField")
        self.duration_field.setRange(0, 600)
        self.duration_field.setSuffix(" min")
        self.summary_edit = QPlainTextEdit(self)
        named(self.summary_edit, "interactionSummaryField")
        self.summary_edit.setPlaceholderText(EDIT_PLACEHOLDER)
        self.summary_edit.setTabChangesFocus(True)
        self.summary_edit.setFixedHeight(70)
        self.add_interaction_button = QPushButton("Add interaction", self)
        self.add_interaction_button.setObjectName("addInteractionButton")
        self.add_interaction_button.setProperty("accent", True)
        self.add_interaction_button.clicked.connect(self.add_requested)
        shortcut = QShortcut(QKeySequence("Ctrl+Return"), self.summary_edit)
        shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        shortcut.activated.connect(self.add_requested)

        self.timeline_model = TimelineModel(zone, self)
        self.timeline_view = _TimelineView(self)
        self.timeline_view.setObjectName("timelineView")
        self.timeline_view.setModel(self.timeline_model)
        self.timeline_view.setWordWrap(True)
        self.timeline_view.setSpacing(3)
        self.timeline_view.setAlternatingRowColors(True)
        self.timeline_view.setUniformItemSizes(False)

        self.read_only_note = QLabel(
            "This case is closed: it stays searchable and read-only. Reopen it to add to it.", self
        )
        self.read_only_note.setObjectName("readOnlyNote")
        self.read_only_note.setProperty("role", "readOnlyNote")
        self.read_only_note.setWordWrap(True)
        self.read_only_note.hide()
        self.interaction_form = QWidget(self)
        # One line on a wide pane; the button wraps under the fields on a laptop's.
        fields = FlowLayout(spacing=6)
        fields.addWidget(self.channel_field)
        fields.addWidget(self.direction_field)
        fields.addWidget(self.duration_field)
        fields.addWidget(self.add_interaction_button)
        form = QVBoxLayout(self.interaction_form)
        form.setContentsMargins(0, 0, 0, 0)
        form.addLayout(fields)
        form.addWidget(self.summary_edit)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.read_only_note)
        layout.addWidget(self.interaction_form)
        layout.addWidget(self.timeline_view, 1)

    def set_read_only(self, read_only: bool) -> None:
        """Closed cases show a note instead of the form."""
        self.interaction_form.setVisible(not read_only)
        self.read_only_note.setVisible(read_only)
        for widget in (
            self.summary_edit,
            self.channel_field,
            self.direction_field,
            self.duration_field,
            self.add_interaction_button,
        ):
            widget.setEnabled(not read_only)
        self.summary_edit.setPlaceholderText(READ_ONLY_PLACEHOLDER if read_only else EDIT_PLACEHOLDER)
