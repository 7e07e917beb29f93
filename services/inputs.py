"""What a request may hand to the database: ids and numbers in range, text without control characters.

PostgreSQL refuses a number beyond its column's type (``integer out of range``) and a NUL byte in
text, and SQLAlchemy sends every id as an INTEGER parameter: such input would end in a database
error (a 500) instead of a clear answer. Every id, number and text taken from a request is checked
here first; the screens turn a refusal into a translated message (or a 404 for an id).
"""
from __future__ import annotations

import re

#: The largest id of every table (all primary keys are SQL ``INTEGER``: 32 bits on PostgreSQL), and
#: the range of an ``INTEGER`` column such as a duration or a position.
MAX_ID = 2**31 - 1
MIN_INT, MAX_INT = -(2**31), 2**31 - 1
#: The range of a 64-bit (``BIGINT``) value; numbers such as an offset are clamped well inside it.
MAX_BIGINT = 2**63 - 1

#: C0 control characters and DEL, except tab, line feed and carriage return (allowed in multi-line text)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: the same and the line breaks and tabs too (single-line text: a name, an email, a code)
_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x1f\x7f]")


def _whole_number(value) -> int | None:
    """``value`` (a request's text, or a number) as a whole number of at most 40 digits, or None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    return int(text) if re.fullmatch(r"[+-]?[0-9]{1,40}", text) else None


def to_id(value) -> int | None:
    """``value`` (a request's text or number) as a record id, or None when it cannot be one: not a
    whole number, not positive, or beyond the id columns' range."""
    number = _whole_number(value)
    return number if number is not None and 0 < number <= MAX_ID else None


def to_int(value, low: int = MIN_INT, high: int = MAX_INT) -> int | None:
    """``value`` as a whole number within [low, high], or None."""
    number = _whole_number(value)
    return number if number is not None and low <= number <= high else None


def clamp(value, low: int, high: int, default: int) -> int:
    """``value`` as a number within [low, high]; ``default`` when it is not a number at all."""
    number = _whole_number(value)
    return default if number is None else max(low, min(high, number))


def has_control_characters(text: str | None, *, multiline: bool = False) -> bool:
    """Does ``text`` hold a control character (a NUL byte, an escape…)? Multi-line text may hold line
    breaks and tabs."""
    if not text:
        return False
    return (_CONTROL if multiline else _CONTROL_SINGLE_LINE).search(text) is not None


def ids(values) -> list[int]:
    """The valid ids among ``values`` (raw strings from a form), each once, in order."""
    found = []
    for raw in values or ():
        number = to_id(raw)
        if number is not None and number not in found:
            found.append(number)
    return found


# --- typed contact data ----------------------------------------------------------------------

#: a phone number as people write it: digits, a + at the start (also in a bracket: "(+421)"), spaces,
#: dashes and brackets between them, and the slashes and dots of Czech habit ("777/123 456")
PHONE = re.compile(r"\(?\+?[0-9][0-9 ()./-]*")
#: the fewest digits of a phone number (a Czech number has nine, an extension line six)
MIN_PHONE_DIGITS = 6
#: the longest free text (notes, issues, goals) any path stores: a few printed pages
MAX_TEXT = 10_000


def is_phone(text: str) -> bool:
    """``text`` is written like a phone number (see :data:`PHONE`) and holds at least six digits."""
    return bool(PHONE.fullmatch(text)) and sum(c.isdigit() for c in text) >= MIN_PHONE_DIGITS


def email_address(text: str) -> str | None:
    """``text`` as a real email address (its domain lower-cased), or None when it is not one: a name,
    an @ and a domain with a dot, by the rules of email-validator. No DNS lookup (the centre may be
    offline, and a typo of a real domain is not found by one either)."""
    from email_validator import EmailNotValidError, validate_email

    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def text_limit(column) -> int | None:
    """The most characters a mapped column holds: its ``info["max_length"]``, a ``String(n)``'s
    length, :data:`MAX_TEXT` for any other text; None for a column that holds no text."""
    import sqlalchemy as sa

    limit = column.info.get("max_length")
    if limit:
        return limit
    kind = column.type
    if isinstance(kind, sa.String):  # Text and Unicode too
        return kind.length or MAX_TEXT
    return None
