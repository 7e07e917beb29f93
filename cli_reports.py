"""``flask report …``: the service statistics and the annual statement from the command line.

The command line sees every figure (it runs with the database's own rights); every export is
written to the audit trail.
"""
from __future__ import annotations

import sys
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup
from flask_babel import force_locale

from extensions import db
from services import report_export, reports

report_cli = AppGroup("report", help="Reports: service statistics and the annual statement.")

_FORMAT = click.Choice(report_export.FORMATS)
_DATE = click.DateTime(formats=["%Y-%m-%d"])


def _common(command):
    command = click.option("--lang", type=click.Choice(["cs", "en"]), default="cs", show_default=True,
                           help="Language of the labels.")(command)
    command = click.option("--hide-small-counts", is_flag=True,
                           help='Show counts from 1 to 4 as "<5" (for reports that leave the centre).')(command)
    command = click.option("--unit", type=click.IntRange(5, 240), default=None,
                           help="Minutes per intervention (default 30).")(command)
    command = click.option("--output", "output", type=click.Path(dir_okay=False, writable=True),
                           help="Write to this file instead of standard output.")(command)
    command = click.option("--format", "fmt", type=_FORMAT, default="json", show_default=True, help="Output format.")(command)
    return command


def _emit(build, date_from: date, date_to: date, fmt: str, output: str | None, unit: int | None,
          hide_small_counts: bool, lang: str) -> None:
    if fmt == "xlsx" and not output and sys.stdout.isatty():
        raise click.UsageError("XLSX is a binary file: give --output FILE (or redirect standard output).")
    unit = unit or int(current_app.config.get("REPORT_UNIT_MINUTES", reports.DEFAULT_UNIT_MINUTES))
    with force_locale(lang):
        try:
            report = build(db.session, date_from, date_to, unit_minutes=unit)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from exc
        if hide_small_counts:
            report = reports.hide_small_counts(report)
        data = report_export.export(db.session, report, fmt).data  # audited like the page's exports
    db.session.commit()
    if output:
        with open(output, "wb") as fh:
            fh.write(data)
        click.echo(f"Written {output} ({len(data)} bytes).", err=True)
    elif fmt == "xlsx":
        click.echo(data, nl=False)  # bytes go to the binary stream
    else:
        click.echo(data.decode("utf-8"), nl=not data.endswith(b"\n"))


@report_cli.command("summary")
@click.option("--from", "date_from", type=_DATE, required=True, help="First day of the period (YYYY-MM-DD).")
@click.option("--to", "date_to", type=_DATE, required=True, help="Last day of the period (YYYY-MM-DD), included.")
@_common
def summary(date_from, date_to, fmt, output, unit, hide_small_counts, lang):
    """The service statistics for a period, with every figure of the reports page."""
    if date_from > date_to:
        raise click.BadParameter("--to must not be before --from.", param_hint="--to")
    _emit(reports.summary, date_from.date(), date_to.date(), fmt, output, unit, hide_small_counts, lang)


@report_cli.command("statement")
@click.option("--year", type=click.IntRange(2000, 2100), required=True, help="The calendar year of the statement.")
@_common
def statement(year, fmt, output, unit, hide_small_counts, lang):
    """The annual statement to the ministry (§85 of Act 108/2006) for a calendar year."""
    _emit(reports.statement, date(year, 1, 1), date(year, 12, 31), fmt, output, unit, hide_small_counts, lang)
