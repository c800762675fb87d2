"""Charts as inline SVG drawn on the server: nothing fetched from outside, readable offline and in print.

Only presentation attributes (no style attributes), so the panel's CSP needs no 'unsafe-inline'.
"""
from __future__ import annotations

from markupsafe import Markup, escape

PALETTE = ("#2f6db5", "#e07b39", "#3a9d5d", "#c8423b", "#7c5cb8", "#8c6d4f", "#d46fae", "#6f7a86",
           "#b5a33a", "#2aa3b5", "#5b8c2a", "#b55b2f", "#4f5bb5", "#a33a72", "#3f8f8a", "#999999")
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 720, 260, 44, 40, 12


def _nice_max(value: int) -> int:
    if value <= 5:
        return 5
    step = 10 ** (len(str(value)) - 1)
    return ((value + step - 1) // step) * step


def stacked_columns(title: str, months: list[str], keys: list[str], values: dict, labels: dict) -> Markup:
    """One column per month, stacked by key; `values[(month, key)]` counts; the legend under the chart."""
    shown = keys[:len(PALETTE) - 1]
    heights = [sum(values.get((m, k), 0) for k in keys) for m in months]
    top = _nice_max(max(heights, default=0))
    plot_h = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT - 8) / max(1, len(months))
    bar = max(4.0, slot * 0.7)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT + 22 * ((len(shown) + 5) // 6)}" '
             f'role="img" aria-label="{escape(title)}" class="chart">', f"<title>{escape(title)}</title>"]
    for i in range(5):
        y = TOP + plot_h * i / 4
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - 4}" y2="{y:.1f}" stroke="#e3e6ea"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#555">'
                     f'{round(top * (4 - i) / 4)}</text>')
    for i, month in enumerate(months):
        x = LEFT + slot * i + (slot - bar) / 2
        y = TOP + plot_h
        for j, key in enumerate(keys):
            n = values.get((month, key), 0)
            if not n:
                continue
            h = plot_h * n / top
            y -= h
            color = PALETTE[j] if j < len(shown) else PALETTE[-1]
            parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{color}">'
                         f"<title>{escape(month)} {escape(labels.get(key, key))}：{n}</title></rect>")
        if len(months) <= 12 or i % 2 == 0:
            parts.append(f'<text x="{x + bar / 2:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle" font-size="11" '
                         f'fill="#333">{escape(month[2:])}</text>')
    for j, key in enumerate(shown + (["其余"] if len(keys) > len(shown) else [])):
        x, y = LEFT + (j % 6) * 112, HEIGHT + 4 + 22 * (j // 6)
        color = PALETTE[j] if j < len(shown) else PALETTE[-1]
        parts.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{color}"/>'
                     f'<text x="{x + 16}" y="{y + 11}" font-size="12" fill="#333">{escape(labels.get(key, key))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def bars(title: str, items: list[tuple[str, float | None]], percent: bool = True) -> Markup:
    """Horizontal bars, one per item (a rate from 0 to 1 when `percent`); missing values are labelled 无数据."""
    row_h, label_w = 24, 150
    top = 1.0 if percent else _nice_max(int(max((v or 0 for _, v in items), default=0)))
    height = row_h * max(1, len(items)) + 8
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" role="img" '
             f'aria-label="{escape(title)}" class="chart">', f"<title>{escape(title)}</title>"]
    for i, (name, value) in enumerate(items):
        y = 4 + i * row_h
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="12" fill="#333">'
                     f"{escape(name[:12])}</text>")
        if value is None:
            parts.append(f'<text x="{label_w}" y="{y + 15}" font-size="12" fill="#888">无数据</text>')
            continue
        w = (WIDTH - label_w - 70) * (value / top if top else 0)
        text = f"{value * 100:.1f}%" if percent else str(value)
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" fill="{PALETTE[0]}"/>'
                     f'<text x="{label_w + w + 6:.1f}" y="{y + 15}" font-size="12" fill="#333">{text}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
