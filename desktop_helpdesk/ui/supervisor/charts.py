"""QPainter charts (line and stacked bar) shared by the Supervisor view and the PDF reports."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop_helpdesk.services.reporting.packs import ChartData, ChartKind

INK = QColor("#1d2733")
MUTED = QColor("#5b6776")
GRID = QColor("#dfe4ea")
AXIS = QColor("#9aa5b1")
# Colours carry meaning consistently across views; names are always shown in the legend too,
# so no figure depends on colour alone.
SERIES_COLORS = {
    "Acknowledge": QColor("#2e86ab"),
    "Respond": QColor("#e08e0b"),
    "Resolve": QColor("#3b8b5a"),
    "Open cases": QColor("#1f4e79"),
    "Overdue": QColor("#c0392b"),
    "Due soon": QColor("#e08e0b"),
    "Other open": QColor("#8fa9c4"),
}
FALLBACK_COLORS = (QColor("#1f4e79"), QColor("#2e86ab"), QColor("#e08e0b"), QColor("#3b8b5a"),
                   QColor("#8e44ad"))


def series_color(name: str, index: int) -> QColor:
    """The colour of a series: fixed for known names, else from a palette by position."""
    return SERIES_COLORS.get(name, FALLBACK_COLORS[index % len(FALLBACK_COLORS)])


def nice_step(span: float, ticks: int = 5) -> float:
    """A round axis step (1, 2, 2.5 or 5 times a power of ten) giving about ``ticks`` ticks."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        if multiple * magnitude >= raw:
            return multiple * magnitude
    return 10 * magnitude


def _font(base: QFont, point_size: float, bold: bool = False) -> QFont:
    font = QFont(base)
    font.setPointSizeF(point_size)
    font.setBold(bold)
    return font


def paint_chart(painter: QPainter, rect: QRectF, chart: ChartData, base_font: QFont | None = None,
                point_size: float = 8.0) -> None:
    """Draw ``chart`` inside ``rect``: title, legend, axes with round ticks, and the series.

    Args:
        painter: an active painter (widget or PDF).
        rect: where to draw, in the painter's coordinates.
        chart: the data.
        base_font: the font family to use (the painter's font when None).
        point_size: body text size; the title is 1.25x.
    """
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    base = base_font or painter.font()
    body = _font(base, point_size)
    title_font = _font(base, point_size * 1.25, bold=True)
    device = painter.device()
    body_metrics = QFontMetricsF(body, device)
    title_metrics = QFontMetricsF(title_font, device)
    line = body_metrics.height()

    painter.setFont(title_font)
    painter.setPen(INK)
    title_rect = QRectF(rect.left(), rect.top(), rect.width(), title_metrics.height())
    painter.drawText(title_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                     chart.title)

    # Legend: one row under the title, swatch + name per series.
    painter.setFont(body)
    legend_y = title_rect.bottom() + line * 0.3
    x = rect.left()
    for index, series in enumerate(chart.series):
        color = series_color(series.name, index)
        swatch = QRectF(x, legend_y + line * 0.25, line * 0.9, line * 0.5)
        painter.fillRect(swatch, color)
        painter.setPen(MUTED)
        label_width = body_metrics.horizontalAdvance(series.name)
        painter.drawText(QRectF(swatch.right() + line * 0.3, legend_y, label_width + 2, line),
                         Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, series.name)
        x = swatch.right() + line * 0.3 + label_width + line * 1.2

    values = [v for s in chart.series for v in s.values if v is not None]
    if chart.kind is ChartKind.STACKED_BAR:
        totals = [sum(s.values[i] or 0 for s in chart.series) for i in range(len(chart.categories))]
        values = totals
    top_value = chart.y_max if chart.y_max is not None else max(values, default=0.0)
    step = nice_step(top_value or 1.0)
    if chart.unit == "cases":
        step = max(1.0, math.ceil(step))  # whole cases only
    axis_top = step * math.ceil((top_value or 1.0) / step)
    if chart.kind is ChartKind.STACKED_BAR and axis_top <= top_value:
        axis_top += step  # headroom for the total printed above the tallest bar

    tick_labels = []
    tick = 0.0
    while tick <= axis_top + step / 1000:
        tick_labels.append((tick, _tick_text(tick, chart.unit)))
        tick += step
    label_width = max(body_metrics.horizontalAdvance(text) for _, text in tick_labels)
    plot = QRectF(rect.left() + label_width + line * 0.6, legend_y + line * 1.6,
                  rect.width() - label_width - line * 0.9, 0)
    plot.setBottom(rect.bottom() - line * 1.5)
    if plot.height() <= line or plot.width() <= line or not chart.categories:
        painter.setPen(MUTED)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "No data for this range")
        painter.restore()
        return

    def y_of(value: float) -> float:
        return plot.bottom() - (value / axis_top) * plot.height()

    # Grid and y axis labels.
    for value, text in tick_labels:
        y = y_of(value)
        painter.setPen(QPen(GRID, 0.6))
        painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        painter.setPen(MUTED)
        painter.drawText(QRectF(rect.left(), y - line / 2, label_width, line),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, text)
    painter.setPen(QPen(AXIS, 0.8))
    painter.drawLine(QPointF(plot.left(), plot.bottom()), QPointF(plot.right(), plot.bottom()))

    count = len(chart.categories)
    slot = plot.width() / count
    # X labels: skip some when they would overlap.
    labels = list(chart.categories)
    widest = max(body_metrics.horizontalAdvance(c) for c in labels) + line * 0.6
    if widest > slot and chart.kind is ChartKind.STACKED_BAR:
        # Member names: first names fit where full names would overlap.
        labels = [c.split()[0] if c.split() else c for c in labels]
        widest = max(body_metrics.horizontalAdvance(c) for c in labels) + line * 0.6
    # Bars label every bar (elided to its slot); lines skip labels that would overlap.
    bars = chart.kind is ChartKind.STACKED_BAR
    every = 1 if bars else max(1, math.ceil(widest / slot))
    painter.setPen(MUTED)
    for index, category in enumerate(labels):
        if index % every:
            continue
        center = plot.left() + slot * (index + 0.5)
        width = slot - 2 if bars else widest
        text = body_metrics.elidedText(category, Qt.TextElideMode.ElideRight, width) if bars \
            else category
        painter.drawText(QRectF(center - width / 2, plot.bottom() + line * 0.2, width, line),
                         Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, text)

    if chart.kind is ChartKind.STACKED_BAR:
        _paint_stacked_bars(painter, chart, plot, slot, y_of, body_metrics, line)
    else:
        _paint_lines(painter, chart, plot, slot, y_of, line)
    painter.restore()


def _tick_text(value: float, unit: str) -> str:
    text = f"{value:g}"
    return f"{text}%" if unit == "%" else text


def _paint_lines(painter, chart, plot, slot, y_of, line) -> None:
    marker = line * 0.18 if len(chart.categories) <= 45 else 0
    for index, series in enumerate(chart.series):
        color = series_color(series.name, index)
        path = QPainterPath()
        drawing = False
        points = []
        for position, value in enumerate(series.values):
            if value is None:
                drawing = False  # a gap: nothing decided in that period
                continue
            point = QPointF(plot.left() + slot * (position + 0.5), y_of(value))
            points.append(point)
            if drawing:
                path.lineTo(point)
            else:
                path.moveTo(point)
                drawing = True
        painter.setPen(QPen(color, max(1.2, line * 0.12), Qt.PenStyle.SolidLine,
                            Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(path)
        if marker:
            painter.setBrush(color)
            painter.setPen(Qt.PenStyle.NoPen)
            for point in points:
                painter.drawEllipse(point, marker, marker)


def _paint_stacked_bars(painter, chart, plot, slot, y_of, metrics, line) -> None:
    width = min(slot * 0.6, line * 4)
    for position in range(len(chart.categories)):
        left = plot.left() + slot * (position + 0.5) - width / 2
        running = 0.0
        for index, series in enumerate(chart.series):
            value = series.values[position] or 0.0
            if value <= 0:
                continue
            top, bottom = y_of(running + value), y_of(running)
            painter.fillRect(QRectF(left, top, width, bottom - top),
                             series_color(series.name, index))
            running += value
        painter.setPen(INK)
        painter.drawText(QRectF(left - line, y_of(running) - line * 1.1, width + 2 * line, line),
                         Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                         f"{running:g}")


class ChartWidget(QWidget):
    """Shows one ``ChartData`` painted with QPainter; its accessible description lists the data."""

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self._chart: ChartData | None = None
        self.setMinimumHeight(200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    @property
    def chart(self) -> ChartData | None:
        return self._chart

    def set_chart(self, chart: ChartData | None) -> None:
        self._chart = chart
        if chart is not None:
            self.setAccessibleName(chart.title)
            self.setAccessibleDescription(describe_chart(chart))
            self.setToolTip(describe_chart(chart))
        self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        if self._chart is not None:
            paint_chart(painter, QRectF(self.rect()).adjusted(10, 8, -10, -6), self._chart,
                        self.font(), point_size=max(8.0, self.font().pointSizeF()))
        painter.end()


def describe_chart(chart: ChartData, limit: int = 12) -> str:
    """A text rendering of the chart's data (tooltips and screen readers)."""
    lines = [chart.title]
    for series in chart.series:
        pairs = [f"{c}: {'-' if v is None else f'{v:g}'}"
                 for c, v in zip(chart.categories, series.values, strict=True)][-limit:]
        lines.append(f"{series.name} — " + ", ".join(pairs))
    return "\n".join(lines)
