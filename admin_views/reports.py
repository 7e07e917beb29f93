"""Reports: the service statistics for a chosen period, the annual statement to the ministry,
charts, and exports (CSV, XLSX, JSON). Managers see every figure, social workers their own
clients' figures (the policy is in services.access)."""
from __future__ import annotations

from datetime import date

from flask import Response, abort, current_app, flash, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_babel import format_decimal, format_percent, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import BooleanField, DateField, IntegerField, SelectField
from wtforms.validators import Optional

from admin_views.gate import PolicyGatedView
from admin_views.forms import PoradnaForm
from admin_views.validators import NumberRange
from admin_views.report_charts import charts_for
from extensions import db
from services import report_export, reports
from services.timeutil import local_now

DATE_FORMATS = ["%Y-%m-%d", "%d.%m.%Y", "%d. %m. %Y"]
MIN_YEAR, MAX_YEAR = 2000, 2100


def _default_unit() -> int:
    return int(current_app.config.get("REPORT_UNIT_MINUTES", reports.DEFAULT_UNIT_MINUTES))


def _month_choices():
    locale = get_locale()
    names = locale.months["stand-alone"]["wide"] if locale else {}
    return [(m, names.get(m, str(m))) for m in range(1, 13)]


class _ReportForm(PoradnaForm):
    """Options every report has; read from the query string (a GET form, no CSRF)."""

    class Meta:
        csrf = False

    unit = IntegerField(
        _l("Minutes per intervention"), default=_default_unit,
        validators=[Optional(), NumberRange(min=5, max=240, message=_l("Enter a number of minutes from 5 to 240."))],
        description=_l("Every started unit counts as one intervention."),
    )
    hide_small = BooleanField(_l("Show counts below 5 as “<5”"), description=_l("For reports that leave the centre."))

    def unit_minutes(self) -> int:
        return self.unit.data or _default_unit()

    def _parse_messages(self) -> dict:
        """What to say instead of the generic message when a typed value cannot be read."""
        return {
            "unit": _("Enter a number of minutes from 5 to 240."),
            "year": _("Enter a year from 2000 to 2100."),
            "date_from": _("Enter the date as YYYY-MM-DD (for example 2025-01-31) or as 31. 1. 2025."),
            "date_to": _("Enter the date as YYYY-MM-DD (for example 2025-01-31) or as 31. 1. 2025."),
        }

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for name, message in self._parse_messages().items():
            field = self._fields.get(name)
            if field is not None and field.raw_data and field.raw_data[0].strip() and field.data is None:
                field.errors = [message]
                valid = False
        return valid


class PeriodForm(_ReportForm):
    period = SelectField(
        _l("Period"), default="month",
        choices=[("month", _l("Month")), ("quarter", _l("Quarter")), ("year", _l("Year")), ("custom", _l("Custom range"))],
    )
    year = IntegerField(
        _l("Year"), default=lambda: local_now().year,
        validators=[Optional(), NumberRange(min=MIN_YEAR, max=MAX_YEAR, message=_l("Enter a year from 2000 to 2100."))],
    )
    month = SelectField(_l("Month"), coerce=int, choices=_month_choices, default=lambda: local_now().month)
    quarter = SelectField(
        _l("Quarter"), coerce=int, default=lambda: (local_now().month - 1) // 3 + 1,
        choices=[(1, _l("1st quarter")), (2, _l("2nd quarter")), (3, _l("3rd quarter")), (4, _l("4th quarter"))],
    )
    date_from = DateField(_l("From"), format=DATE_FORMATS, validators=[Optional()])
    date_to = DateField(_l("To"), format=DATE_FORMATS, validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not valid:
            return False
        if self.period.data == "custom":
            for field in (self.date_from, self.date_to):
                if field.data is None:
                    field.errors = [_("Enter both dates of a custom range.")]
                    valid = False
            if valid and self.date_from.data > self.date_to.data:
                self.date_to.errors = [_("The end of the period must not be before its start.")]
                valid = False
            if valid and (self.date_to.data - self.date_from.data).days >= reports.MAX_PERIOD_DAYS:
                self.date_to.errors = [_("A report covers at most ten years.")]
                valid = False
        elif self.year.data is None:
            self.year.errors = [_("Enter a year from 2000 to 2100.")]
            valid = False
        return valid

    def dates(self) -> tuple[date, date]:
        """The first and last day of the chosen period (call after :meth:`validate`)."""
        kind, year = self.period.data, self.year.data
        if kind == "custom":
            return self.date_from.data, self.date_to.data
        if kind == "year":
            return date(year, 1, 1), date(year, 12, 31)
        first_month, months = (self.month.data, 1) if kind == "month" else ((self.quarter.data - 1) * 3 + 1, 3)
        last_month = first_month + months - 1
        end = date(year + 1, 1, 1) if last_month == 12 else date(year, last_month + 1, 1)
        return date(year, first_month, 1), date.fromordinal(end.toordinal() - 1)


class StatementForm(_ReportForm):
    year = IntegerField(
        _l("Year"), default=lambda: local_now().year - 1,
        validators=[Optional(), NumberRange(min=MIN_YEAR, max=MAX_YEAR, message=_l("Enter a year from 2000 to 2100."))],
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and self.year.data is None:
            self.year.errors = [_("Enter a year from 2000 to 2100.")]
            valid = False
        return valid

    def dates(self) -> tuple[date, date]:
        return date(self.year.data, 1, 1), date(self.year.data, 12, 31)


def value_text(value, column: str) -> str:
    """A figure as people read it: numbers in the locale, shares in per cent, "–" for nothing."""
    if value is None:
        return "–"
    if isinstance(value, str):
        return value
    if column == "rate":
        return format_percent(value, "#,##0.0 %")
    return format_decimal(value)


class ReportsView(PolicyGatedView, BaseView):
    screen = "reports"

    # --- building ------------------------------------------------------------------------------
    def _build(self, kind: str, form: _ReportForm) -> reports.Report:
        date_from, date_to = form.dates()
        build = reports.statement if kind == "statement" else reports.summary
        report = build(db.session, date_from, date_to, user=current_user, unit_minutes=form.unit_minutes())
        return reports.hide_small_counts(report) if form.hide_small.data else report

    @staticmethod
    def _export_args(kind: str, form: _ReportForm) -> dict:
        """The query string of the exports: the resolved period, so a file holds what the page shows."""
        date_from, date_to = form.dates()
        args = {"report": kind, "unit": form.unit_minutes()}
        if kind == "statement":
            args["year"] = form.year.data
        else:
            args.update(period="custom", date_from=date_from.isoformat(), date_to=date_to.isoformat())
        if form.hide_small.data:
            args["hide_small"] = "y"
        return args

    def _page(self, kind: str, form: _ReportForm, template: str):
        report = charts = export_args = None
        if form.validate():
            report = self._build(kind, form)
            charts = charts_for(report)
            export_args = self._export_args(kind, form)
        return self.render(template, form=form, report=report, charts=charts, export_args=export_args,
                           value_text=value_text, formats=report_export.FORMATS,
                           report_title=report_export.title(report) if report else None,
                           csv_note=report_export.csv_note())

    # --- pages ---------------------------------------------------------------------------------
    @expose("/")
    def index(self):
        return self._page("summary", PeriodForm(formdata=request.args), "admin/reports/index.html")

    @expose("/statement/")
    def statement_view(self):
        return self._page("statement", StatementForm(formdata=request.args), "admin/reports/statement.html")

    @expose("/export/<fmt>/")
    def export_view(self, fmt):
        if fmt not in report_export.FORMATS:
            abort(404)
        kind = "statement" if request.args.get("report") == "statement" else "summary"
        form = StatementForm(formdata=request.args) if kind == "statement" else PeriodForm(formdata=request.args)
        page = ".statement_view" if kind == "statement" else ".index"
        if not form.validate():
            flash(_("The report could not be exported: check the period."), "error")
            return redirect(url_for(page, **request.args.to_dict()))
        try:
            file = report_export.export(db.session, self._build(kind, form), fmt, request.args.get("table") or None,
                                        user=current_user)
        except LookupError:  # no such table in this report
            abort(404)
        db.session.commit()
        return Response(file.data, mimetype=file.mimetype,
                        headers={"Content-Disposition": f'attachment; filename="{file.filename}"'})
