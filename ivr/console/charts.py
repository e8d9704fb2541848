"""Charts drawn on the server as inline SVG: nothing to download, works offline."""

from __future__ import annotations

from markupsafe import Markup, escape

WIDE, NARROW = 1100, 360  # about the sizes shown on a desktop and on a phone, so labels keep their size
HEIGHT = 260
LEFT, BOTTOM, TOP = 44, 26, 12
TICKS = 4
LABEL_SPACE = 60  # a day's label, "17.11", and a gap


def _step(value: int) -> int:
    """A round whole step for the grid lines, so that TICKS of them reach the value."""
    scale = 1
    while True:
        for m in (1, 2, 5):
            if value <= scale * m * TICKS:
                return scale * m
        scale *= 10


def bars(series: list[tuple[str, int]], title: str, width: int = WIDE) -> Markup:
    """A bar chart of labelled counts, scaled to fit its container; the title names it to a screen
    reader, and each bar's own title gives its count."""
    step = _step(max([n for _, n in series] + [1]))
    top = step * TICKS
    plot_w, plot_h = width - LEFT - 8, HEIGHT - BOTTOM - TOP
    slot = plot_w / max(1, len(series))
    every = max(1, -(-len(series) // max(1, plot_w // LABEL_SPACE)))
    size = "wide" if width == WIDE else "narrow"
    parts = [
        f'<svg class="chart {size}" viewBox="0 0 {width} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" preserveAspectRatio="xMidYMid meet">'
    ]
    for i in range(TICKS + 1):  # grid lines with their values
        value = step * i
        y = TOP + plot_h - plot_h * i / TICKS
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{width - 8}" y1="{y:.1f}" y2="{y:.1f}"/>')
        parts.append(f'<text class="axis" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{value}</text>')
    for i, (label, n) in enumerate(series):
        h = plot_h * n / top
        x = LEFT + i * slot + slot * 0.15
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{TOP + plot_h - h:.1f}" '
            f'width="{slot * 0.7:.1f}" height="{h:.1f}"><title>{escape(label)}: {n}'
            "</title></rect>"
        )
        if i % every == 0:
            parts.append(
                f'<text class="axis" x="{x + slot * 0.35:.1f}" y="{HEIGHT - 6}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def share(fraction: float) -> Markup:
    """A thin horizontal gauge for a rate between 0 and 1."""
    width = max(0.0, min(1.0, fraction)) * 100
    return Markup(
        '<svg class="gauge" viewBox="0 0 100 6" preserveAspectRatio="none" aria-hidden="true">'
        f'<rect class="track" width="100" height="6" rx="3"/>'
        f'<rect class="fill" width="{width:.1f}" height="6" rx="3"/></svg>'
    )
