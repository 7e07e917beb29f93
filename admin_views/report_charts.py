"""Charts of report tables, drawn on the server as inline SVG (no scripts, nothing from outside).

Each chart is plain geometry for ``templates/admin/reports/_macros.html``; its accessible name and
description carry the same figures as the table printed next to it.
"""
from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import gettext as _

from services.reports import Table

BAR_LIMIT = 12
LABEL_CHARS = 26


def _number(value) -> float:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else 0.0


def _text(value) -> str:
    if isinstance(value, str):
        return value
    return format_decimal(value or 0)


def _short(label: str, limit: int = LABEL_CHARS) -> str:
    label = str(label)
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _rows(table: Table):
    return [row for row in table.rows if row.key != "total"]


def _description(rows) -> str:
    return "; ".join(f"{row.label}: {_text(row.count)}" for row in rows) or _("No data in this period.")


def bar_chart(table: Table) -> dict:
    """Horizontal bars of the count column, largest first (at most :data:`BAR_LIMIT` rows)."""
    rows = _rows(table)
    shown = rows[:BAR_LIMIT]
    label_width, bar_width, value_width, row_height = 190, 260, 60, 24
    peak = max((_number(r.count) for r in shown), default=0) or 1
    bars = []
    for index, row in enumerate(shown):
        y = 8 + index * row_height
        width = round(bar_width * _number(row.count) / peak, 1)
        bars.append({
            "label": _short(row.label), "text": _text(row.count),
            "label_x": label_width - 8, "y": y, "height": row_height - 8, "x": label_width, "width": width,
            "text_x": label_width + width + 6, "text_y": y + row_height / 2 + 1,
        })
    description = _description(shown)
    if len(rows) > len(shown):
        description += " " + _("(%(count)s more in the table)", count=len(rows) - len(shown))
    return {
        "kind": "bars", "id": f"chart-{table.key}", "title": table.title, "description": description,
        "width": label_width + bar_width + value_width, "height": 16 + max(len(shown), 1) * row_height, "bars": bars,
    }


def column_chart(table: Table) -> dict:
    """Vertical columns of the count column in the order of the rows (months)."""
    rows = _rows(table)
    plot_height, column_gap, left, top = 150, 4, 8, 18
    column_width = max(8, min(40, (560 - left) // max(len(rows), 1) - column_gap))
    peak = max((_number(r.count) for r in rows), default=0) or 1
    bars = []
    for index, row in enumerate(rows):
        height = round(plot_height * _number(row.count) / peak, 1)
        x = left + index * (column_width + column_gap)
        bars.append({
            "label": str(row.key)[5:7] if isinstance(row.key, str) and len(str(row.key)) == 7 else _short(row.label, 6),
            "text": _text(row.count), "x": x, "width": column_width, "y": top + plot_height - height, "height": height,
            "center": x + column_width / 2, "text_y": top + plot_height - height - 4,
            "label_y": top + plot_height + 14,
        })
    width = left * 2 + max(len(rows), 1) * (column_width + column_gap)
    return {
        "kind": "columns", "id": f"chart-{table.key}", "title": table.title, "description": _description(rows),
        "width": width, "height": top + plot_height + 22, "baseline": top + plot_height, "bars": bars,
        "show_values": len(rows) <= 24,
    }


def charts_for(report) -> dict[str, dict]:
    """Charts for the tables that ask for one, by table key."""
    result = {}
    for table in report.tables():
        if table.chart == "bars":
            result[table.key] = bar_chart(table)
        elif table.chart == "columns":
            result[table.key] = column_chart(table)
    return result
