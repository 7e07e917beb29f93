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
