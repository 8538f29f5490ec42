"""The progress chart: domain scores (1–4) over time as a small inline SVG, written on the server.

No JavaScript and no library: one polyline and one circle per assessment for each domain, numbered like
the table beside it (the table is what screen readers read; the chart is hidden from them). The viewBox
scales to the page's width, so it stays readable at 360 px.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .selectors.assessments import Progress

WIDTH, HEIGHT = 320, 200
LEFT, RIGHT, TOP, BOTTOM = 26, 14, 10, 28
# Seven colours that stay apart for the common colour-vision deficiencies (Okabe–Ito, with black).
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")


def _y(score: Decimal) -> float:
    return TOP + (4 - float(score)) / 3 * (HEIGHT - TOP - BOTTOM)


def _x(index: int, count: int) -> float:
    if count <= 1:
        return (LEFT + WIDTH - RIGHT) / 2
    return LEFT + index * (WIDTH - LEFT - RIGHT) / (count - 1)


def progress_svg(progress: Progress) -> SafeString:
    count = len(progress.assessments)
    parts = [f'<svg class="oca-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-hidden="true" '
             f'focusable="false" width="100%" xmlns="http://www.w3.org/2000/svg" font-size="10">']
    for level in (1, 2, 3, 4):
        y = _y(Decimal(level))
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#ccc"/>'
                     f'<text x="{LEFT - 6}" y="{y + 3:.1f}" text-anchor="end">{level}</text>')
    for index, assessment in enumerate(progress.assessments):
        label = escape(date_format(assessment.date, "SHORT_DATE_FORMAT"))
        parts.append(f'<text x="{_x(index, count):.1f}" y="{HEIGHT - 10}" text-anchor="middle">{label}</text>')
    for number, point in enumerate(progress.domains, start=1):
        colour = COLOURS[(number - 1) % len(COLOURS)]
        coords = [(_x(i, count), _y(mean)) for i, mean in enumerate(point.means) if mean is not None]
        if len(coords) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for (x, y), mean in zip(coords, [m for m in point.means if m is not None], strict=True):
            parts.append(f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{colour}">'
                         f'<title>{number}. {escape(point.domain.name)}: {mean}</title></circle>')
        if coords:
            x, y = coords[-1]
            parts.append(f'<text x="{min(x + 6, WIDTH - 8):.1f}" y="{y - 4:.1f}" fill="{colour}" '
                         f'font-weight="bold">{number}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # every value above is a number or escaped
