"""Charts for the web pages, drawn on the server as inline SVG.

Why SVG from the server rather than a JavaScript chart library: the pages must work with no
request off the server (no CDN) and on a phone, a chart must print and be read by a screen
reader (each one carries a ``<title>`` and a table-like ``<desc>``), and the figures are
already computed by the view, which renders them as a page or as JSON (Datasette's rule).
The SVG scales to its box (``viewBox``), so a phone gets the same chart, narrower.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

# Colour-blind-safe hues (Okabe–Ito), dark enough for text contrast on white.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")
_W, _ROW, _LABEL = 640, 28, 180


def _fmt(value: float) -> str:
    return f"{value:g}" if value != int(value) else str(int(value))


def bar_chart(title: str, rows: Sequence[tuple[str, float]], unit: str = "") -> Markup:
    """A horizontal bar chart: one labelled bar per (label, value), value written at its end.

    Horizontal bars because Chinese labels (project names, checklist parts) are long and read
    best on one line; an empty ``rows`` draws the title and a 无数据 line.
    """
    height = max(1, len(rows)) * _ROW + 40
    top = max((v for _, v in rows), default=0) or 1
    span = _W - _LABEL - 70
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {_W} {height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
        f"<desc>{escape('；'.join(f'{label}：{_fmt(v)}{unit}' for label, v in rows) or '无数据')}</desc>",
        f'<text x="0" y="18" font-size="15" font-weight="bold">{escape(title)}</text>',
    ]
    if not rows:
        parts.append('<text x="0" y="48" font-size="13">无数据</text>')
    for i, (label, value) in enumerate(rows):
        y = 34 + i * _ROW
        width = max(1.0, span * value / top) if value else 0
        colour = PALETTE[0]
        parts.append(f'<text x="{_LABEL - 8}" y="{y + 17}" font-size="13" text-anchor="end">{escape(label)}</text>')
        parts.append(f'<rect x="{_LABEL}" y="{y + 4}" width="{width:.1f}" height="{_ROW - 10}" fill="{colour}"/>')
        parts.append(
            f'<text x="{_LABEL + width + 6:.1f}" y="{y + 17}" font-size="13">{_fmt(value)}{escape(unit)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(title: str, labels: Sequence[str], series: dict[str, Sequence[float]]) -> Markup:
    """Lines over shared x labels (months, quarters), one colour per named series, with a legend."""
    height, left, bottom, right = 260, 48, 40, 16
    plot_w, plot_h = _W - left - right, height - bottom - 50
    top = max((v for values in series.values() for v in values), default=0) or 1
    step = plot_w / max(1, len(labels) - 1)
    desc = "；".join(
        f"{name}：" + "、".join(f"{x} {_fmt(v)}" for x, v in zip(labels, vals, strict=False))
        for name, vals in series.items()
    )
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {_W} {height}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title><desc>{escape(desc or '无数据')}</desc>",
        f'<text x="0" y="18" font-size="15" font-weight="bold">{escape(title)}</text>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{_W - right}" y2="{height - bottom}" stroke="#555"/>',
        f'<text x="{left - 6}" y="{height - bottom - plot_h + 4}" font-size="12" text-anchor="end">{_fmt(top)}</text>',
    ]
    for i, label in enumerate(labels):
        x = left + i * step
        parts.append(
            f'<text x="{x:.1f}" y="{height - bottom + 16}" font-size="12" text-anchor="middle">{escape(label)}</text>'
        )
    for n, (name, values) in enumerate(series.items()):
        colour = PALETTE[n % len(PALETTE)]
        points = " ".join(
            f"{left + i * step:.1f},{height - bottom - plot_h * v / top:.1f}" for i, v in enumerate(values)
        )
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2.5" points="{points}"/>')
        parts.append(f'<rect x="{left + n * 130}" y="28" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{left + n * 130 + 16}" y="39" font-size="13">{escape(name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
