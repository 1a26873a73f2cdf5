"""PDF reports with Qt's own writer: title page, filters, QPainter charts, paginated tables."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)

from desktop_helpdesk.domain.calendar import DESK_ZONE
from desktop_helpdesk.services.reporting import writers
from desktop_helpdesk.services.reporting.packs import ChartData, ReportPack
from desktop_helpdesk.services.reporting.tables import ColumnKind, ReportTable
from desktop_helpdesk.ui.supervisor.charts import INK, MUTED, paint_chart

NAVY = QColor("#1f4e79")
RULE = QColor("#c9d2dc")
ZEBRA = QColor("#f3f6f9")
FILTER_BACKGROUND = QColor("#f6f8fa")
POINTS_PER_INCH = 72
MARGIN = 36.0  # half an inch
CHART_HEIGHT = 215.0
FONT_FAMILY = "DejaVu Sans"

Op = Callable[[QPainter], None]


@dataclass
class _Fonts:
    title: QFont
    heading: QFont
    body: QFont
    bold: QFont
    small: QFont


def _make_font(size: float, bold: bool = False) -> QFont:
    font = QFont(FONT_FAMILY)
    font.setPointSizeF(size)
    font.setBold(bold)
    return font


class _Layout:
    """Places blocks top to bottom and starts a new page when one does not fit."""

    def __init__(self, width: float, height: float, metrics_device) -> None:
        self.width = width
        self.top = 30.0  # below the running header
        self.bottom = height - 22.0  # above the footer
        self.pages: list[list[Op]] = [[]]
        self.y = self.top
        self.device = metrics_device

    def room(self) -> float:
        return self.bottom - self.y

    def new_page(self) -> None:
        self.pages.append([])
        self.y = self.top

    def ensure(self, height: float) -> None:
        if height > self.room() and self.y > self.top:
            self.new_page()

    def add(self, op: Op) -> None:
        self.pages[-1].append(op)


def write_pdf(
    pack: ReportPack,
    path: Path,
    *,
    progress: writers.ProgressCallback = writers.no_progress,
    cancelled: writers.CancelCheck = writers.never_cancelled,
    zone: ZoneInfo = DESK_ZONE,
) -> int:
    """Write ``pack`` as a paginated PDF (US Letter landscape) and return its page count.

    The first page carries the title, the filters used and the generation time; every page
    has a running header and "Page n of N"; tables repeat their header row on each page they
    continue onto; charts are drawn with the same QPainter code as the Supervisor view.

    Args:
        pack: the report's tables and charts.
        path: destination file.
        progress: (pages painted, total pages).
        cancelled: polled once per page; True aborts and leaves no file.
        zone: time zone for instants.

    Returns:
        The number of pages.

    Raises:
        writers.ExportCancelled: when cancelled.
        writers.ExportError: when the file cannot be written.
    """
    if cancelled():
        raise writers.ExportCancelled("export cancelled")
    temporary = writers.temporary_path_for(Path(path))
    writer = QPdfWriter(str(temporary))
    writer.setResolution(POINTS_PER_INCH)  # one device unit = one point: fonts and layout agree
    writer.setTitle(pack.title)
    writer.setCreator("Desktop Helpdesk")
    writer.setPageLayout(QPageLayout(
        QPageSize(QPageSize.PageSizeId.Letter), QPageLayout.Orientation.Landscape,
        QMarginsF(MARGIN, MARGIN, MARGIN, MARGIN), QPageLayout.Unit.Point))
    painter = QPainter()
    if not painter.begin(writer):
        _remove(temporary)
        raise writers.ExportError(f"{path}: cannot write the PDF")
    finished = False
    try:
        paint_rect = writer.pageLayout().paintRectPoints()
        fonts = _Fonts(_make_font(20, True), _make_font(11.5, True), _make_font(7.6),
                       _make_font(7.6, True), _make_font(7))
        layout = _Layout(paint_rect.width(), paint_rect.height(), writer)
        generated = pack.generated_at.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")
        _title_block(layout, pack, fonts, generated)
        for section in pack.sections:
            if isinstance(section, ChartData):
                _chart_block(layout, section, fonts)
            else:
                _table_block(layout, section, fonts, zone)
        total = len(layout.pages)
        for number, ops in enumerate(layout.pages, start=1):
            if cancelled():
                raise writers.ExportCancelled("export cancelled")
            if number > 1:
                writer.newPage()
            _running_header(painter, layout, fonts, pack.title, generated)
            for op in ops:
                op(painter)
            _footer(painter, layout, fonts, number, total)
            progress(number, total)
        finished = True
    finally:
        painter.end()
        if not finished:
            _remove(temporary)
    try:
        os.replace(temporary, path)
    except OSError as exc:
        _remove(temporary)
        raise writers.ExportError(f"{path}: cannot write ({exc.strerror})") from exc
    return total


def _remove(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def _running_header(painter: QPainter, layout: _Layout, fonts: _Fonts, title: str,
                    generated: str) -> None:
    painter.setFont(fonts.small)
    painter.setPen(MUTED)
    band = QRectF(0, 0, layout.width, 14)
    painter.drawText(band, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                     f"Desktop Helpdesk  \u00b7  {title}")
    painter.drawText(band, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                     f"Generated {generated}")
    painter.setPen(QPen(NAVY, 1.2))
    painter.drawLine(QPointF(0, 17), QPointF(layout.width, 17))


def _footer(painter: QPainter, layout: _Layout, fonts: _Fonts, number: int, total: int) -> None:
    y = layout.bottom + 8
    painter.setPen(QPen(RULE, 0.6))
    painter.drawLine(QPointF(0, y - 3), QPointF(layout.width, y - 3))
    painter.setFont(fonts.small)
    painter.setPen(MUTED)
    band = QRectF(0, y, layout.width, 12)
    painter.drawText(band, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                     "Business time: Mon\u2013Fri 08:00\u201316:30 Halifax, less Nova Scotia "
                     "holidays and company closures")
    painter.drawText(band, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                     f"Page {number} of {total}")


def _title_block(layout: _Layout, pack: ReportPack, fonts: _Fonts, generated: str) -> None:
    title_metrics = QFontMetricsF(fonts.title, layout.device)
    body_metrics = QFontMetricsF(fonts.body, layout.device)
    y = layout.y + 4
    title_height = title_metrics.height()

    def title(painter: QPainter, y=y) -> None:
        painter.setFont(fonts.title)
        painter.setPen(NAVY)
        painter.drawText(QRectF(0, y, layout.width, title_height),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, pack.title)

    layout.add(title)
    y += title_height + 6
    rows = [*pack.filters, ("Generated", generated)]
    line = body_metrics.height() * 1.35
    bold_metrics = QFontMetricsF(fonts.bold, layout.device)
    label_width = max(bold_metrics.horizontalAdvance(label) for label, _ in rows) + 16
    box = QRectF(0, y, layout.width, line * len(rows) + 10)

    def filters(painter: QPainter, box=box) -> None:
        painter.fillRect(box, FILTER_BACKGROUND)
        painter.setPen(QPen(RULE, 0.6))
        painter.drawRect(box)
        for index, (label, text) in enumerate(rows):
            row = QRectF(box.left() + 10, box.top() + 5 + index * line, box.width() - 20, line)
            painter.setFont(fonts.bold)
            painter.setPen(MUTED)
            painter.drawText(row, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label)
            painter.setFont(fonts.body)
            painter.setPen(INK)
            painter.drawText(row.adjusted(label_width, 0, 0, 0),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)

    layout.add(filters)
    layout.y = box.bottom() + 16


def _heading(layout: _Layout, text: str, fonts: _Fonts) -> float:
    height = QFontMetricsF(fonts.heading, layout.device).height() + 6
    y = layout.y

    def heading(painter: QPainter) -> None:
        painter.setFont(fonts.heading)
        painter.setPen(NAVY)
        painter.drawText(QRectF(0, y, layout.width, height - 6),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)

    layout.add(heading)
    layout.y += height
    return height


def _chart_block(layout: _Layout, chart: ChartData, fonts: _Fonts) -> None:
    layout.ensure(CHART_HEIGHT + 10)
    rect = QRectF(0, layout.y, layout.width, CHART_HEIGHT)

    def draw(painter: QPainter, rect=rect) -> None:
        painter.setPen(QPen(RULE, 0.6))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(rect)
        paint_chart(painter, rect.adjusted(12, 8, -12, -6), chart, fonts.body, point_size=7.6)

    layout.add(draw)
    layout.y += CHART_HEIGHT + 16


def _column_widths(table: ReportTable, texts: list[list[str]], fonts: _Fonts,
                   layout: _Layout) -> list[float]:
    body = QFontMetricsF(fonts.body, layout.device)
    bold = QFontMetricsF(fonts.bold, layout.device)
    padding = 10.0
    widths = []
    for index, column in enumerate(table.columns):
        sample = max((body.horizontalAdvance(row[index]) for row in texts[:300]), default=0)
        widths.append(max(_two_line_width(column.header, bold), sample) + padding)
    total = sum(widths)
    if total > layout.width:
        # Cap the widest text columns at one common width (water filling), so short text
        # columns, numbers and dates keep their natural width and long ones get elided.
        flexible = [i for i, c in enumerate(table.columns) if c.kind is ColumnKind.TEXT]
        fixed = sum(w for i, w in enumerate(widths) if i not in flexible)
        budget = max(layout.width - fixed, 40.0 * len(flexible))
        natural = sorted(widths[i] for i in flexible)
        cap, remaining, count = budget, budget, len(natural)
        for width in natural:
            if width * count <= remaining:
                remaining -= width
                count -= 1
                continue
            cap = remaining / count
            break
        for i in flexible:
            widths[i] = min(widths[i], cap)
        scale = layout.width / sum(widths)
        if scale < 1:
            widths = [w * scale for w in widths]
    else:
        # Spread spare room evenly so the table spans the page without one huge column.
        spare = (layout.width - total) / len(widths)
        widths = [w + spare for w in widths]
    return widths


def _two_line_width(header: str, metrics: QFontMetricsF) -> float:
    """The narrowest width at which ``header`` wraps onto at most two lines."""
    words = header.split()
    best = metrics.horizontalAdvance(header)
    for cut in range(1, len(words)):
        first = metrics.horizontalAdvance(" ".join(words[:cut]))
        second = metrics.horizontalAdvance(" ".join(words[cut:]))
        best = min(best, max(first, second))
    return best + 6  # slack: PDF text may render a hair wider than measured


def _table_block(layout: _Layout, table: ReportTable, fonts: _Fonts, zone: ZoneInfo) -> None:
    texts = [
        [_pdf_text(value, column.kind, zone) for value, column in zip(row, table.columns,
                                                                        strict=True)]
        for row in table.rows
    ]
    widths = _column_widths(table, texts, fonts, layout)
    body = QFontMetricsF(fonts.body, layout.device)
    row_height = body.height() * 1.55
    header_height = QFontMetricsF(fonts.bold, layout.device).height() * 2 + 8
    heading_height = QFontMetricsF(fonts.heading, layout.device).height() + 6
    whole = heading_height + header_height + row_height * max(1, len(texts))
    if whole <= layout.bottom - layout.top:
        layout.ensure(whole)  # a table that fits on one page is never split
    else:
        layout.ensure(heading_height + header_height + row_height * 3)
    _heading(layout, table.title, fonts)
    _table_header(layout, table, widths, header_height, fonts)
    if not texts:
        _no_rows(layout, fonts, row_height)
    for index, row in enumerate(texts):
        if row_height > layout.room():
            layout.new_page()
            _heading(layout, f"{table.title} (continued)", fonts)
            _table_header(layout, table, widths, header_height, fonts)
        _table_row(layout, table, widths, row, index, row_height, fonts)
    layout.y += 14


def _pdf_text(value, kind: ColumnKind, zone: ZoneInfo) -> str:
    text = writers.format_cell(value, kind, zone)
    if kind is ColumnKind.PERCENT and text:
        return f"{text}%"
    return text


def _table_header(layout: _Layout, table: ReportTable, widths: list[float], height: float,
                  fonts: _Fonts) -> None:
    y = layout.y

    def draw(painter: QPainter) -> None:
        painter.fillRect(QRectF(0, y, sum(widths), height), NAVY)
        painter.setFont(fonts.bold)
        painter.setPen(QColor("white"))
        x = 0.0
        for column, width in zip(table.columns, widths, strict=True):
            align = Qt.AlignmentFlag.AlignRight if column.kind.is_numeric else \
                Qt.AlignmentFlag.AlignLeft
            painter.drawText(QRectF(x + 5, y + 2, width - 10, height - 4),
                             align | Qt.AlignmentFlag.AlignVCenter | Qt.TextFlag.TextWordWrap,
                             column.header)
            x += width

    layout.add(draw)
    layout.y += height


def _table_row(layout: _Layout, table: ReportTable, widths: list[float], row: list[str],
               index: int, height: float, fonts: _Fonts) -> None:
    y = layout.y
    is_total = bool(row) and row[0] == "Total"
    metrics = QFontMetricsF(fonts.bold if is_total else fonts.body, layout.device)

    def draw(painter: QPainter) -> None:
        if index % 2:
            painter.fillRect(QRectF(0, y, sum(widths), height), ZEBRA)
        if is_total:
            painter.setPen(QPen(NAVY, 0.8))
            painter.drawLine(QPointF(0, y), QPointF(sum(widths), y))
        painter.setFont(fonts.bold if is_total else fonts.body)
        painter.setPen(INK)
        x = 0.0
        for text, column, width in zip(row, table.columns, widths, strict=True):
            align = Qt.AlignmentFlag.AlignRight if column.kind.is_numeric else \
                Qt.AlignmentFlag.AlignLeft
            shown = metrics.elidedText(text, Qt.TextElideMode.ElideRight, width - 10)
            painter.drawText(QRectF(x + 5, y, width - 10, height),
                             align | Qt.AlignmentFlag.AlignVCenter, shown)
            x += width
        painter.setPen(QPen(RULE, 0.4))
        painter.drawLine(QPointF(0, y + height), QPointF(sum(widths), y + height))

    layout.add(draw)
    layout.y += height


def _no_rows(layout: _Layout, fonts: _Fonts, height: float) -> None:
    y = layout.y

    def draw(painter: QPainter) -> None:
        painter.setFont(fonts.body)
        painter.setPen(MUTED)
        painter.drawText(QRectF(5, y, layout.width, height),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         "Nothing in this range.")

    layout.add(draw)
    layout.y += height

