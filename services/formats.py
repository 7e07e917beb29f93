"""One way to write dates, times and CSV files per language, for every page, export, report and message.

Czech: ``6. 12. 2026 14:30`` (day, month and year without leading zeros, a 24-hour clock, no
seconds); English (British): ``6 Dec 2026, 14:30``. Times are shown in the centre's zone
(``PORADNA_TIMEZONE``); a naive datetime is UTC, as the database stores it. Templates use the filters
``date_text``, ``time_text``, ``datetime_text`` and ``weekday_text`` (registered in ``app.py``; the
older ``dateformat`` and ``datetimeformat`` filters are the same functions); Python code calls these
functions.

CSV: in Czech, semicolon-separated with a UTF-8 byte-order mark and decimal commas (what Czech Excel
opens with a double click); in English comma-separated without a mark (:func:`csv_format`).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from babel import Locale
from flask_babel import get_locale

from services.timeutil import to_local

#: the languages the interface speaks; anything else is written the English way
CZECH = "cs"


def language() -> str:
    """The language of the current request (or of ``force_locale``); Czech outside a request."""
    try:
        locale = get_locale()
    except (RuntimeError, KeyError, AttributeError):  # no application or request context
        return CZECH
    return locale.language if locale is not None else CZECH


@lru_cache(maxsize=4)
def _names(lang: str) -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
    """(abbreviated months, wide weekdays, stand-alone wide months) from Babel's CLDR data."""
    locale = Locale.parse("cs" if lang == CZECH else "en_GB")
    return (dict(locale.months["format"]["abbreviated"]), dict(locale.days["format"]["wide"]),
            dict(locale.months["stand-alone"]["wide"]))


def _local(value: datetime) -> datetime:
    return to_local(value)


def date_text(value: date | datetime | None, lang: str | None = None) -> str:
    """``6. 12. 2026`` / ``6 Dec 2026`` (a datetime: its day in the centre's zone)."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = _local(value).date()
    lang = lang or language()
    if lang == CZECH:
        return f"{value.day}. {value.month}. {value.year}"
    return f"{value.day} {_names(lang)[0][value.month]} {value.year}"


def time_text(value: datetime | None, lang: str | None = None) -> str:
    """``14:30`` in both languages (Czech writes 9:05, English 09:05)."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        value = _local(value)
    lang = lang or language()
    return f"{value.hour}:{value.minute:02d}" if lang == CZECH else f"{value.hour:02d}:{value.minute:02d}"


def datetime_text(value: datetime | date | None, lang: str | None = None) -> str:
    """``6. 12. 2026 14:30`` / ``6 Dec 2026, 14:30`` (a plain date: the date alone)."""
    if value is None or value == "":
        return ""
    if not isinstance(value, datetime):
        return date_text(value, lang)
    lang = lang or language()
    local = _local(value)
    separator = " " if lang == CZECH else ", "
    return date_text(local.date(), lang) + separator + time_text(local, lang)


def weekday_text(value: date | datetime | None, lang: str | None = None) -> str:
    """The date (and for a datetime the time) after the day of the week: ``pondělí 7. 12. 2026`` /
    ``Monday 7 Dec 2026``; ``pondělí 7. 12. 2026 9:00`` / ``Monday 7 Dec 2026, 09:00``."""
    if value is None or value == "":
        return ""
    lang = lang or language()
    day = _local(value).date() if isinstance(value, datetime) else value
    return f"{_names(lang)[1][day.weekday()]} {datetime_text(value, lang)}"


def month_text(value: date, lang: str | None = None) -> str:
    """A calendar month as a heading or a report row: ``prosinec 2026`` / ``December 2026``."""
    lang = lang or language()
    return f"{_names(lang)[2][value.month]} {value.year}"


# --- CSV --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CsvFormat:
    delimiter: str
    bom: bool  #: start the file with a UTF-8 byte-order mark
    decimal: str  #: the decimal separator of numbers that are not whole


def csv_format(lang: str | None = None) -> CsvFormat:
    """How a CSV file is written in ``lang`` (default: the current language)."""
    if (lang or language()) == CZECH:
        return CsvFormat(delimiter=";", bom=True, decimal=",")
    return CsvFormat(delimiter=",", bom=False, decimal=".")


def csv_number(value, fmt: CsvFormat):
    """A number as the spreadsheet of that language reads it (whole numbers stay numbers)."""
    if isinstance(value, float):
        return repr(value).replace(".", fmt.decimal) if fmt.decimal != "." else value
    return value
