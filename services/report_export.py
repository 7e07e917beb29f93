"""A report as JSON, CSV or XLSX.

JSON: every table is a list of ``{key, label, count}`` (plus ``minutes`` and ``units`` where time
applies, and the table's other columns). CSV and XLSX: each table as a block of a title row, a
header row and its rows; in XLSX the summary has one sheet per table and the statement one sheet,
ready to copy. Text cells that a spreadsheet could take for a formula are escaped.
"""
from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from models.enums import AuditAction
from services import access, audit, formats
from services.reports import Report, Table

FORMATS = ("json", "csv", "xlsx")
MIME_TYPES = {
    "json": "application/json",
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: First characters that make a spreadsheet evaluate a cell (and the control characters that hide one).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def escape_cell(value):
    """Prefix text that starts like a formula with an apostrophe; leave numbers alone."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def title(report: Report) -> str:
    what = _("Annual statement") if report.kind == "statement" else _("Service statistics")
    return _("%(report)s, %(date_from)s – %(date_to)s", report=what,
             date_from=formats.date_text(report.period.date_from), date_to=formats.date_text(report.period.date_to))


def legend(report: Report) -> list[str]:
    """What the marks of hidden figures mean (nothing when every figure is shown)."""
    if not report.small_counts_hidden:
        return []
    return [_("Counts from 1 to 4 are shown as “<5”."), _(
        "“x” marks a figure hidden so that a hidden count cannot be worked out from the other figures or a total.")]


def filename(report: Report, fmt: str, table: str | None = None) -> str:
    name = f"poradna-{report.kind}-{report.period.date_from:%Y%m%d}-{report.period.date_to:%Y%m%d}"
    if table:
        name += "-" + re.sub(r"[^a-z0-9_]", "", table)
    return f"{name}.{fmt}"


def _tables(report: Report, table: str | None) -> list[Table]:
    return [report.table(table)] if table else report.tables()


# --- JSON ------------------------------------------------------------------------------------

def to_json(report: Report) -> dict:
    """The report as a JSON-ready dict; each table is a list of ``{key, label, count, ...}``."""
    tables, titles = {}, {}
    for table in report.tables():
        rows = []
        for row in table.rows:
            item = {"key": row.key, "label": row.label}
            for name, _title in table.attributes:
                item[name] = row.attrs[name][0]
            for column in table.columns:
                value = row.value(column)
                item[column] = round(value, 4) if isinstance(value, float) else value
            rows.append(item)
        tables[table.key] = rows
        titles[table.key] = table.title
    return {
        "report": report.kind,
        "from": report.period.date_from.isoformat(),
        "to": report.period.date_to.isoformat(),
        "scope": report.scope,
        "unit_minutes": report.unit_minutes,
        "small_counts_hidden": report.small_counts_hidden,
        "legend": legend(report),
        "tables": tables,
        "titles": titles,
    }


# --- CSV and XLSX ------------------------------------------------------------------------------

def _header(report: Report, table: Table) -> list[str]:
    return ([_("Code"), _("Item")] + [t for _n, t in table.attributes]
            + [table.column_title(c, report.unit_minutes) for c in table.columns])


def _cells(table: Table, row) -> list:
    values = [row.key if row.key is not None else "", row.label] + [row.attrs[name][1] for name, _t in table.attributes]
    for column in table.columns:
        value = row.value(column)
        if isinstance(value, float):
            value = round(value * 100, 1)  # a share, in per cent
        values.append("" if value is None else value)
    return values


def _blocks(report: Report, tables: list[Table]):
    """(kind, cells) for every table: its title, header, rows, note and an empty line."""
    for table in tables:
        yield "title", [table.title]
        yield "header", _header(report, table)
        for row in table.rows:
            yield "row", _cells(table, row)
        if table.note:
            yield "note", [table.note]
        yield "gap", []


def to_csv(report: Report, table: str | None = None) -> str:
    """Every table (or one) as CSV blocks, after a line naming the report and its period, in the CSV
    format of the current language (:func:`services.formats.csv_format`: semicolons and decimal commas
    in Czech, commas in English; the byte-order mark is added by :func:`render`)."""
    fmt = formats.csv_format()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=fmt.delimiter, lineterminator="\r\n")
    writer.writerow([escape_cell(title(report))])
    for line in legend(report):
        writer.writerow([escape_cell(line)])
    writer.writerow([])
    for _kind, cells in _blocks(report, _tables(report, table)):
        writer.writerow([escape_cell(formats.csv_number(c, fmt)) for c in cells])
    return out.getvalue()


def csv_note() -> str:
    """What the page says about the CSV files it offers (they follow the language of the page)."""
    if formats.csv_format().delimiter == ";":
        return _("CSV files have their values separated by semicolons and decimal commas, in UTF-8 with a byte-order "
                 "mark: Czech Excel opens them with a double click.")
    return _("CSV files have their values separated by commas, in UTF-8.")


def _sheet_name(text: str, used: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\']", " ", str(text)).strip()[:31] or "Sheet"
    candidate, n = name, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate, n = name[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


def _xlsx_cell(value):
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return escape_cell(value)


def _write_sheet(sheet, report: Report, tables: list[Table], bold) -> None:
    sheet.append([_xlsx_cell(title(report))])
    sheet.cell(row=1, column=1).font = bold
    for line in legend(report):
        sheet.append([_xlsx_cell(line)])
    sheet.append([])
    for kind, cells in _blocks(report, tables):
        sheet.append([_xlsx_cell(c) for c in cells])
        if kind in ("title", "header"):
            for column in range(1, len(cells) + 1):
                sheet.cell(row=sheet.max_row, column=column).font = bold
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 48


def to_xlsx(report: Report, table: str | None = None) -> bytes:
    """The summary: one sheet per table; the statement (or one table): a single sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    bold = Font(bold=True)
    tables = _tables(report, table)
    used: set[str] = set()
    if report.kind == "statement" or table:
        sheet = workbook.active
        sheet.title = _sheet_name(_("Annual statement") if report.kind == "statement" and not table else tables[0].title, used)
        _write_sheet(sheet, report, tables, bold)
    else:
        workbook.remove(workbook.active)
        for item in tables:
            _write_sheet(workbook.create_sheet(_sheet_name(item.title, used)), report, [item], bold)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def record_export(session, report: Report, fmt: str, actor_id: int | None = None) -> None:
    """Audit that the report left the screen (flushed; the caller commits)."""
    audit.record(session, AuditAction.EXPORT, entity="report", actor_id=actor_id, details={
        "format": fmt, "from": report.period.date_from.isoformat(), "to": report.period.date_to.isoformat(),
    })
    session.flush()


@dataclass(frozen=True)
class ExportFile:
    """A report as a file to hand over: its bytes, its name and its type."""

    data: bytes
    filename: str
    mimetype: str


def export(session, report: Report, fmt: str, table: str | None = None, *, user: Any = None) -> ExportFile:
    """One export of a report (every export path: the reports page, the command line): ``user`` may take
    these figures out (None: the command line, which runs with the database's own rights), the file is
    produced, then the export is recorded (a failed export is not in the audit trail) and flushed; the
    caller commits. An unknown format or table: :class:`LookupError`; a person who may not: :class:`PermissionError`."""
    if user is not None and access.report_worker_id(user) is not None and report.scope != "own":
        raise PermissionError("a social worker exports only their own clients' figures")
    if fmt not in FORMATS:
        raise LookupError(fmt)
    if table is not None and (fmt == "json" or table not in {t.key for t in report.tables()}):
        raise LookupError(table)
    data = render(report, fmt, table)  # CSV in the language's own format
    record_export(session, report, fmt, actor_id=getattr(user, "id", None))
    return ExportFile(data, filename(report, fmt, table), MIME_TYPES[fmt])


def render(report: Report, fmt: str, table: str | None = None) -> bytes:
    """The file for ``fmt`` ("json", "csv" or "xlsx") as bytes."""
    import json

    if fmt == "json":
        return json.dumps(to_json(report), ensure_ascii=False, indent=2).encode("utf-8")
    if fmt == "csv":
        data = to_csv(report, table).encode("utf-8")
        return (codecs.BOM_UTF8 + data) if formats.csv_format().bom else data
    if fmt == "xlsx":
        return to_xlsx(report, table)
    raise ValueError(f"unknown format {fmt!r}")
