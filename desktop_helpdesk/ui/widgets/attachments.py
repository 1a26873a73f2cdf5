"""Attachment strip of a case: thumbnails, add by file dialog, drag-and-drop or pasted screenshot."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QSize, Qt, Signal
from PySide6.QtGui import QIcon, QImage, QImageReader, QPixmap
from PySide6.QtWidgets import (
    QFileDialog,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_helpdesk.domain.cases import file_size_text
from desktop_helpdesk.services.dto import AttachmentInfo
from desktop_helpdesk.ui.form_fields import role_label
from desktop_helpdesk.ui.resources import icon
from desktop_helpdesk.ui.widgets.flow_layout import FlowLayout

THUMBNAIL = QSize(120, 90)
THUMBNAILS_KEPT = 200
IMAGE_TYPES = ("image/png", "image/jpeg", "image/gif", "image/bmp", "image/webp")
# Larger images are not decoded at all (50 megapixels: 200 MB once decoded; an 8K screen is 33).
MAX_IMAGE_PIXELS = 50_000_000


def image_to_png(image: QImage) -> bytes:
    """Encode a clipboard image as PNG bytes (``QImage.save`` lets other threads run)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # Quality 80 is zlib's fast levels: a 4000x3000 screenshot took a worker 176 ms instead of
    # 286 ms (CPU the window's repaints share on two cores) for a file of the same size.
    image.save(buffer, "PNG", 80)
    buffer.close()
    return bytes(data.data())


def thumbnail_of(image: QImage) -> QImage:
    """The thumbnail of an image already decoded (a pasted screenshot): no PNG to read back."""
    return image.scaled(THUMBNAIL, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)


def thumbnail_from_bytes(data: bytes) -> QImage | None:
    """A scaled thumbnail (QImage is safe to build on a worker thread, QPixmap is not).

    Decoded with QImageReader, not ``QImage.fromData``: PySide6 holds the interpreter lock
    through ``fromData`` (a 4000x3000 PNG froze the window 750 ms from a worker thread) but
    releases it in ``QImageReader.read``.
    """
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer)
    # Measured from the header before anything is decoded: an image too big to thumbnail
    # shows its icon instead; the rest decode straight at thumbnail size where the format
    # can (JPEG), else are scaled by the reader.
    size = reader.size()
    if not size.isValid() or size.width() * size.height() > MAX_IMAGE_PIXELS:
        buffer.close()
        return None
    reader.setScaledSize(size.scaled(THUMBNAIL, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    buffer.close()
    return None if image.isNull() else image


_size_text = file_size_text


class AttachmentsView(QWidget):
    """Thumbnails of a case's files and the ways to add one.

    Signals:
        files_dropped(list): local file paths to attach (dropped or chosen).
        paste_requested(): the user asked to paste a screenshot from the clipboard.
        open_requested(int): an attachment id was double-clicked.
    """

    files_dropped = Signal(list)
    paste_requested = Signal()
    open_requested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("attachmentsView")
        self.setAcceptDrops(True)
        self.list = QListWidget(self)
        self.list.setObjectName("attachmentList")
        self.list.setViewMode(QListWidget.ViewMode.IconMode)
        self.list.setIconSize(THUMBNAIL)
        self.list.setGridSize(QSize(THUMBNAIL.width() + 40, THUMBNAIL.height() + 48))
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setMovement(QListWidget.Movement.Static)
        self.list.setWordWrap(True)
        self.list.itemDoubleClicked.connect(self._on_list_item_double_clicked)
        self.add_button = QPushButton(icon("attachment"), "Add file…", self)
        self.add_button.setObjectName("addAttachmentButton")
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.paste_button = QPushButton("Paste screenshot", self)
        self.paste_button.setObjectName("pasteScreenshotButton")
        self.paste_button.setToolTip("Attach the image on the clipboard (Ctrl+Shift+V)")
        self.paste_button.clicked.connect(self.paste_requested)
        hint = role_label(self, "Drop files here to attach them", "hint")
        # Wraps in a narrow (laptop) case pane rather than clipping the buttons.
        buttons = FlowLayout(spacing=6)
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.paste_button)
        buttons.addWidget(hint)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.list, 1)
        # Each thumbnail's icon, made once and kept across cases (attachments never change), the
        # oldest forgotten past THUMBNAILS_KEPT: the one thumbnail cache of the case pane.
        self._icons: dict[int, QIcon] = {}

    def set_attachments(self, attachments: Sequence[AttachmentInfo]) -> None:
        self.list.clear()
        for info in attachments:
            item = QListWidgetItem(f"{info.filename}\n{_size_text(info.size)}")
            item.setData(Qt.ItemDataRole.UserRole, info.id)
            item.setToolTip(f"{info.filename} — added by {info.added_by_name or 'system'}")
            thumbnail = self._icons.get(info.id)
            item.setIcon(thumbnail if thumbnail is not None else icon("attachment"))
            self.list.addItem(item)

    def has_thumbnail(self, attachment_id: int) -> bool:
        return attachment_id in self._icons

    def set_thumbnails(self, images: dict[int, QImage]) -> None:
        """Keep these thumbnails and show them on their attachments' rows, in one pass over the
        list (a case with 60 screenshots took 13 ms of the window's thread one at a time)."""
        if not images:
            return
        for attachment_id, image in images.items():
            if len(self._icons) >= THUMBNAILS_KEPT and attachment_id not in self._icons:
                self._icons.pop(next(iter(self._icons)))
            self._icons[attachment_id] = QIcon(QPixmap.fromImage(image))
        for row in range(self.list.count()):
            item = self.list.item(row)
            attachment_id = item.data(Qt.ItemDataRole.UserRole)
            if attachment_id in images:
                item.setIcon(self._icons[attachment_id])

    def set_read_only(self, read_only: bool) -> None:
        self.add_button.setEnabled(not read_only)
        self.paste_button.setEnabled(not read_only)
        self.setAcceptDrops(not read_only)

    def count(self) -> int:
        return self.list.count()

    def dragEnterEvent(self, event) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:
        paths = [url.toLocalFile() for url in event.mimeData().urls() if url.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            self.files_dropped.emit(paths)

    def _on_add_button_clicked(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Attach files", str(Path.home()))
        if paths:
            self.files_dropped.emit(paths)

    def _on_list_item_double_clicked(self, item: QListWidgetItem) -> None:
        self.open_requested.emit(item.data(Qt.ItemDataRole.UserRole))
