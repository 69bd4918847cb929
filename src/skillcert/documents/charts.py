"""Bar and column charts drawn on the server as inline SVG: no script, no external library.

Each chart is an ``<svg>`` with a ``viewBox`` and ``width="100%"``, so it scales down with
its container on a phone; ``role="img"`` with a ``<title>`` and a ``<desc>`` that reads every
figure out for a screen reader. Every text (labels come from the records: occupation names,
cities) is escaped. Each bar is a ``<g class="bar">`` carrying ``data-label`` and
``data-value``, so a page's figures can be checked against the data they come from.

Only counts are drawn: whole numbers, zero or more.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 420  # viewBox width; the SVG itself is as wide as its container (narrow enough
# that its text stays legible on a phone, where it is drawn at about 0.8 of this size)
FONT = 14  # label size in viewBox units
VALUE_FONT = 13
TONES = {
    "default": "#1d4f91",
    "ok": "#1e7d32",
    "bad": "#b3261e",
    "warn": "#a15c00",
    "muted": "#8a96a8",
}
GRID = "#d9dee5"
AXIS_TEXT = "#5f6b7a"


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    tone: str = "default"
    key: str = ""  # what the figure is keyed by in the data (``data-key``), when not the label


def bars(items: Iterable[tuple[str, int]] | dict[str, int], tone: str = "default") -> list[Bar]:
    """``{"合肥": 3}`` or ``[("合肥", 3)]`` → bars of one tone."""
    pairs = items.items() if isinstance(items, dict) else items
    return [Bar(str(label), value, tone) for label, value in pairs]


def _checked(items: Sequence[Bar]) -> list[Bar]:
    checked = []
    for bar in items:
        if isinstance(bar.value, bool) or not isinstance(bar.value, int) or bar.value < 0:
            raise ValueError(f"a chart draws counts (whole numbers ≥ 0), not {bar.value!r}")
        if bar.tone not in TONES:
            raise ValueError(f"unknown tone {bar.tone!r}")
        checked.append(bar)
    return checked


def nice_ticks(maximum: int, most: int = 5) -> list[int]:
    """Axis ticks from 0 to a round number ≥ ``maximum``, steps of 1, 2 or 5 × 10ⁿ, at most
    ``most`` steps: 0 → [0, 1]; 7 → [0, 2, 4, 6, 8]; 23 → [0, 10, 20, 30]."""
    if maximum <= 0:
        return [0, 1]
    step = 1
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if math.ceil(maximum / step) <= most:
                top = step * math.ceil(maximum / step)
                return list(range(0, top + 1, step))
        magnitude *= 10


def text_width(text: str, size: float = FONT) -> float:
    """The width a text takes, estimated: wide (CJK) characters one em, others about 0.6 em."""
    width = 0.0
    for char in text:
        width += 1.0 if unicodedata.east_asian_width(char) in {"W", "F"} else 0.6
    return width * size


def fit(text: str, width: float, size: float = FONT) -> str:
    """The text, cut with "…" when it would be wider than ``width``."""
    if text_width(text, size) <= width:
        return text
    cut = text
    while cut and text_width(cut + "…", size) > width:
        cut = cut[:-1]
    return cut + "…"


def _number(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _description(items: Sequence[Bar], unit: str) -> str:
    if not items:
        return "暂无数据"
    return "；".join(f"{bar.label} {bar.value}{_suffix(unit)}" for bar in items)


def _suffix(unit: str) -> str:
    return f" {unit}" if unit else ""


def _frame(
    chart_id: str,
    title: str,
    description: str,
    height: float,
    body: SafeString,
    css_class: str,
) -> SafeString:
    return format_html(
        '<svg class="chart {}" id="{}" viewBox="0 0 {} {}" width="100%" '
        'preserveAspectRatio="xMinYMin meet" role="img" aria-labelledby="{}-title {}-desc" '
        'xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>{}</svg>',
        css_class,
        chart_id,
        WIDTH,
        _number(height),
        chart_id,
        chart_id,
        chart_id,
        title,
        chart_id,
        description,
        body,
    )


def _empty(chart_id: str, title: str) -> SafeString:
    body = format_html(
        '<text x="{}" y="40" text-anchor="middle" font-size="{}" fill="{}">暂无数据</text>',
        WIDTH // 2,
        FONT,
        AXIS_TEXT,
    )
    return _frame(chart_id, title, "暂无数据", 64, body, "chart-empty")


def bar_chart(
    items: Sequence[Bar],
    *,
    chart_id: str,
    title: str,
    description: str = "",
    unit: str = "",
) -> SafeString:
    """Horizontal bars, one row per item, the label on the left and the value at the bar's
    end; a scale along the top. Long labels are cut with "…" (the full label is in the bar's
    tooltip and in the description)."""
    items = _checked(items)
    if not items:
        return _empty(chart_id, title)
    ticks = nice_ticks(max(bar.value for bar in items))
    top_value = ticks[-1]
    label_room = min(max(text_width(bar.label) for bar in items), WIDTH * 0.42)
    value_room = max(text_width(str(bar.value), VALUE_FONT) for bar in items) + 10
    left = label_room + 12
    right = WIDTH - value_room - 4
    span = right - left
    row, bar_height, head = 30, 18, 26
    height = head + row * len(items) + 6

    def x_of(value: float) -> float:
        return left + span * value / top_value

    grid = format_html_join(
        "",
        '<line x1="{0}" y1="{1}" x2="{0}" y2="{2}" stroke="{3}" stroke-width="1"/>'
        '<text x="{0}" y="{4}" text-anchor="middle" font-size="12" fill="{5}">{6}</text>',
        (
            (_number(x_of(t)), head - 4, _number(height - 4), GRID, head - 9, AXIS_TEXT, t)
            for t in ticks
        ),
    )
    rows = []
    for index, bar in enumerate(items):
        y = head + index * row + (row - bar_height) / 2
        width = x_of(bar.value) - left
        rows.append(
            format_html(
                '<g class="bar" data-key="{}" data-label="{}" data-value="{}">'
                "<title>{}：{}{}</title>"
                '<text class="bar-label" x="{}" y="{}" text-anchor="end" font-size="{}" '
                'fill="#1f2933">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" rx="2" fill="{}"/>'
                '<text class="bar-value" x="{}" y="{}" font-size="{}" fill="#1f2933">{}</text>'
                "</g>",
                bar.key or bar.label,
                bar.label,
                bar.value,
                bar.label,
                bar.value,
                _suffix(unit),
                _number(left - 8),
                _number(y + bar_height - 4),
                FONT,
                fit(bar.label, label_room),
                _number(left),
                _number(y),
                _number(max(width, 0)),
                bar_height,
                TONES[bar.tone],
                _number(x_of(bar.value) + 5),
                _number(y + bar_height - 4),
                VALUE_FONT,
                bar.value,
            )
        )
    body = format_html(
        '<g class="grid">{}</g><line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>{}',
        grid,
        _number(left),
        head - 4,
        _number(left),
        _number(height - 4),
        AXIS_TEXT,
        format_html_join("", "{}", ((r,) for r in rows)),
    )
    return _frame(
        chart_id, title, description or _description(items, unit), height, body, "bar-chart"
    )


def column_chart(
    items: Sequence[Bar],
    *,
    chart_id: str,
    title: str,
    description: str = "",
    unit: str = "",
) -> SafeString:
    """Vertical columns (months along the bottom, say), the value above each column and a
    scale on the left. Labels too wide for their column are turned 45°."""
    items = _checked(items)
    if not items:
        return _empty(chart_id, title)
    ticks = nice_ticks(max(bar.value for bar in items))
    top_value = ticks[-1]
    axis_room = text_width(str(top_value), 12) + 10
    left, right, top = axis_room + 4, WIDTH - 8, 22
    plot = 180
    slot = (right - left) / len(items)
    column = min(slot * 0.64, 48)
    label_size = 13
    widest = max(text_width(bar.label, label_size) for bar in items)
    turned = widest > slot - 4
    label_room = widest * 0.72 + 14 if turned else label_size + 10
    height = top + plot + label_room

    def y_of(value: float) -> float:
        return top + plot - plot * value / top_value

    grid = format_html_join(
        "",
        '<line x1="{0}" y1="{1}" x2="{2}" y2="{1}" stroke="{3}" stroke-width="1"/>'
        '<text x="{4}" y="{5}" text-anchor="end" font-size="12" fill="{6}">{7}</text>',
        (
            (
                _number(left),
                _number(y_of(t)),
                _number(right),
                GRID,
                _number(left - 6),
                _number(y_of(t) + 4),
                AXIS_TEXT,
                t,
            )
            for t in ticks
        ),
    )
    columns = []
    for index, bar in enumerate(items):
        center = left + slot * (index + 0.5)
        y = y_of(bar.value)
        label_y = top + plot + 16
        if turned:
            label = format_html(
                '<text class="bar-label" x="{0}" y="{1}" text-anchor="end" font-size="{2}" '
                'fill="#1f2933" transform="rotate(-45 {0} {1})">{3}</text>',
                _number(center + 4),
                _number(label_y - 4),
                label_size,
                bar.label,
            )
        else:
            label = format_html(
                '<text class="bar-label" x="{}" y="{}" text-anchor="middle" font-size="{}" '
                'fill="#1f2933">{}</text>',
                _number(center),
                _number(label_y),
                label_size,
                bar.label,
            )
        columns.append(
            format_html(
                '<g class="bar" data-key="{}" data-label="{}" data-value="{}">'
                "<title>{}：{}{}</title>"
                '<rect x="{}" y="{}" width="{}" height="{}" rx="2" fill="{}"/>'
                '<text class="bar-value" x="{}" y="{}" text-anchor="middle" font-size="{}" '
                'fill="#1f2933">{}</text>{}</g>',
                bar.key or bar.label,
                bar.label,
                bar.value,
                bar.label,
                bar.value,
                _suffix(unit),
                _number(center - column / 2),
                _number(y),
                _number(column),
                _number(top + plot - y),
                TONES[bar.tone],
                _number(center),
                _number(y - 5),
                VALUE_FONT,
                bar.value,
                label,
            )
        )
    body = format_html(
        '<g class="grid">{}</g><line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}"/>{}',
        grid,
        _number(left),
        _number(top + plot),
        _number(right),
        _number(top + plot),
        AXIS_TEXT,
        format_html_join("", "{}", ((c,) for c in columns)),
    )
    return _frame(
        chart_id, title, description or _description(items, unit), height, body, "column-chart"
    )
