"""Charts drawn on the server as SVG: grouped or stacked bars and a population pyramid.

No JavaScript and nothing fetched: the page prints as it shows, works offline, and a test can read
the drawing. A chart is its data (`ChartData`: categories along one axis, one or more series of
counts); `svg()` draws it and `table()` gives the same numbers as rows, so the table beside a chart,
its Excel export and its drawing always agree.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

BARS, STACKED, PYRAMID = "bars", "stacked", "pyramid"
PALETTE = ("#417690", "#e07b39", "#5b9b4a", "#c9473d", "#8064a2", "#d4a72c", "#4bacc6", "#7f7f7f")
WIDTH = 720
FONT = "font-family=\"'Noto Sans CJK SC','Noto Sans SC','Microsoft YaHei',sans-serif\" font-size=\"12\""


@dataclass
class ChartData:
    """What a chart shows: `series` are (name, one number per category)."""

    kind: str
    category_title: str
    categories: list[str]
    series: list[tuple[str, list]]
    total_row: bool = True  # a 合计 row in the table
    total_column: bool = True  # a 合计 column (when there are several series)
    note: str = ""
    extra: list[str] = field(default_factory=list)  # lines shown under the table

    def is_empty(self) -> bool:
        return not any(value for _name, values in self.series for value in values)


def _number(value) -> float:
    if value is None:
        return 0.0
    return float(value) if isinstance(value, Decimal) else value


def table(data: ChartData) -> tuple[list[str], list[list]]:
    """The chart's numbers as headers and rows (one row per category, then 合计)."""
    column = data.total_column and len(data.series) > 1
    headers = [data.category_title, *(name for name, _values in data.series)]
    if column:
        headers.append(_("合计"))
    rows = []
    for i, category in enumerate(data.categories):
        values = [values[i] for _name, values in data.series]
        row = [category, *values]
        if column:
            row.append(sum(_number(v) for v in values))
        rows.append(row)
    if data.total_row and data.categories:
        sums = [sum(_number(v) for v in values) for _name, values in data.series]
        row = [_("合计"), *sums]
        if column:
            row.append(sum(sums))
        rows.append(row)
    return headers, [[_plain(v) for v in row] for row in rows]


def _plain(value):
    """Whole numbers as int (1.0 → 1), so tables and Excel show counts as counts."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _ticks(top: float) -> list[float]:
    """Up to five round gridline values from 0 to at least `top`."""
    if top <= 0:
        return [0, 1]
    raw = top / 4
    magnitude = 10 ** (len(str(int(raw))) - 1) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    count = int(-(-top // step))
    return [step * i for i in range(count + 1)]


def _text(x, y, text, *, anchor="middle", extra="") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" {extra}>{escape(text)}</text>'


def _legend(names: list[str], y: float, shown: list[bool] | None = None) -> list[str]:
    """Colour keys of the series (those `shown`: a series with nothing to draw has no key)."""
    parts, x = [], 60.0
    for i, name in enumerate(names):
        if shown is not None and not shown[i]:
            continue
        colour = PALETTE[i % len(PALETTE)]
        parts.append(f'<rect x="{x:.1f}" y="{y - 10:.1f}" width="12" height="12" fill="{colour}"/>')
        parts.append(_text(x + 16, y, name, anchor="start"))
        x += 28 + 13 * len(name)
    return parts


def _frame(height: float, title: str, body: list[str]) -> SafeString:
    return mark_safe(  # every text is escaped by _text/_legend
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'width="100%" role="img" aria-label="{escape(title)}" {FONT}>'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _empty(title: str) -> SafeString:
    return _frame(80, title, [_text(WIDTH / 2, 45, _("无数据"), extra='fill="#999"')])


def bars(data: ChartData, title: str) -> SafeString:
    """Vertical bars, one group per category: side by side (BARS) or stacked (STACKED)."""
    stacked = data.kind == STACKED
    n_cat, n_ser = len(data.categories), len(data.series)
    top = max(
        (
            sum(_number(values[i]) for _n, values in data.series)
            if stacked
            else max(_number(values[i]) for _n, values in data.series)
        )
        for i in range(n_cat)
    )
    ticks = _ticks(top)
    left, right, plot_top, plot_height = 56, 16, 36, 220
    plot_width = WIDTH - left - right
    scale = plot_height / ticks[-1]
    base = plot_top + plot_height
    drawn = [any(_number(v) for v in values) for _name, values in data.series]
    body = _legend([name for name, _v in data.series], 18, drawn) if n_ser > 1 else []
    for tick in ticks:
        y = base - tick * scale
        body.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>')
        body.append(_text(left - 6, y + 4, f"{_plain(float(tick))}", anchor="end", extra='fill="#666"'))
    slot = plot_width / n_cat
    bar_width = slot * 0.7 / (1 if stacked else n_ser)
    for i, category in enumerate(data.categories):
        x0 = left + slot * i + slot * 0.15
        height_so_far = 0.0
        for s, (name, values) in enumerate(data.series):
            value = _number(values[i])
            if not value:
                continue
            h = value * scale
            x = x0 if stacked else x0 + s * bar_width
            y = base - height_so_far - h
            colour = PALETTE[s % len(PALETTE)]
            body.append(
                f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{bar_width:.1f}" height="{h:.1f}" '
                f'fill="{colour}"><title>{escape(f"{category} {name}: {_plain(value)}")}</title></rect>'
            )
            if stacked:
                height_so_far += h
        label = category if len(category) * 12 <= slot or n_cat <= 8 else category[: max(2, int(slot // 12))]
        body.append(_text(left + slot * (i + 0.5), base + 16, label))
    body.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{base}" y2="{base}" stroke="#333"/>')
    return _frame(base + 30, title, body)


def pyramid(data: ChartData, title: str) -> SafeString:
    """A population pyramid: categories (age bands, youngest at the bottom) as rows, the first
    series to the left of the axis and the second to the right."""
    (left_name, left_values), (right_name, right_values) = data.series[:2]
    rows = len(data.categories)
    top = max(max(map(_number, left_values), default=0), max(map(_number, right_values), default=0)) or 1
    row_height, plot_top, label_width = 26, 40, 90
    half = (WIDTH - label_width) / 2 - 20
    centre_left = 20 + half
    centre_right = centre_left + label_width
    body = [
        _text(centre_left - half / 2, 18, left_name, extra=f'fill="{PALETTE[0]}" font-weight="bold"'),
        _text(centre_right + half / 2, 18, right_name, extra=f'fill="{PALETTE[1]}" font-weight="bold"'),
    ]
    for i, category in enumerate(reversed(data.categories)):
        index = rows - 1 - i
        y = plot_top + i * row_height
        for side, values, colour in ((-1, left_values, PALETTE[0]), (1, right_values, PALETTE[1])):
            value = _number(values[index])
            w = value / top * half
            x = centre_left - w if side < 0 else centre_right
            if value:
                body.append(
                    f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{row_height - 6}" '
                    f'fill="{colour}"><title>{escape(f"{category}: {_plain(value)}")}</title></rect>'
                )
            tx = (x - 4) if side < 0 else (x + w + 4)
            body.append(
                _text(tx, y + row_height / 2 + 1, str(_plain(value)), anchor="end" if side < 0 else "start")
            )
        body.append(_text((centre_left + centre_right) / 2, y + row_height / 2 + 1, category))
    return _frame(plot_top + rows * row_height + 10, title, body)


def svg(data: ChartData, title: str) -> SafeString:
    """The chart drawn as inline SVG markup."""
    if not data.categories or data.is_empty():
        return _empty(title)
    if data.kind == PYRAMID:
        return pyramid(data, title)
    return bars(data, title)
