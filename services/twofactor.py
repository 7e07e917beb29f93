"""Two-factor sign-in with time-based one-time codes (RFC 6238, any authenticator app).

Enrolment stores a new key as pending (``totp_secret`` without ``totp_enabled_at``), shows it as
text and as a QR code drawn here (segno, inline SVG, nothing leaves the server), and turns the
second step on only once the person types a valid code. Ten recovery codes are shown once and kept
as SHA-256 hashes (each code carries 80 random bits, so a slow hash adds nothing). A code is accepted
within one 30-second step either side of the server's clock, and never twice.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import timedelta

import pyotp
import segno
import sqlalchemy as sa
from flask import current_app, has_app_context
from markupsafe import Markup
from sqlalchemy.orm import Session

from models import RecoveryCode, Worker
from services import clock

RECOVERY_CODE_COUNT = 10
#: no 0/O, 1/I/L: codes are read off paper
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
_CODE_LENGTH = 16  # 16 × log2(31) ≈ 79 bits
STEP = 30


def required_roles() -> set[str]:
    if not has_app_context():
        return {"manager", "admin"}
    return {str(r).strip().lower() for r in current_app.config.get("REQUIRE_2FA_ROLES", ()) if str(r).strip()}


def required_for(worker: Worker) -> bool:
    """Must this account use two-factor sign-in (REQUIRE_2FA_ROLES)?"""
    return bool(required_roles() & set(worker.roles or ()))


def needs_enrolment(worker: Worker) -> bool:
    return required_for(worker) and not worker.totp_enabled


# --- enrolment ---------------------------------------------------------------------------------

def pending_secret(worker: Worker) -> str:
    """The key being set up: kept until confirmed, so reloading the page shows the same QR code."""
    if worker.totp_enabled:
        raise ValueError("two-factor sign-in is already on")
    if not worker.totp_secret:
        worker.totp_secret = pyotp.random_base32()  # 32 characters, 160 bits
    return worker.totp_secret


def provisioning_uri(worker: Worker, secret: str) -> str:
    issuer = current_app.config.get("TOTP_ISSUER", "Poradna") if has_app_context() else "Poradna"
    return pyotp.TOTP(secret).provisioning_uri(name=worker.email, issuer_name=issuer)


def qr_svg(uri: str) -> Markup:
    """The URI as a QR code in inline SVG (paths only: no text, no script, no external request)."""
    svg = segno.make(uri, error="m", micro=False).svg_inline(scale=5, border=4, svgclass="totp-qr", lineclass=None)
    # segno draws the QR matrix as <path> data only (no text, no attributes from the URI): nothing to escape
    return Markup(svg)  # nosec B704


def grouped(secret: str) -> str:
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def _clean_code(code: str | None) -> str:
    return re.sub(r"\s+", "", code or "")


def looks_like_totp(code: str | None) -> bool:
    return bool(re.fullmatch(r"\d{6}", _clean_code(code)))


def verify_totp(session: Session, worker: Worker, code: str | None, secret: str | None = None) -> bool:
    """Is ``code`` valid now (±1 step) and newer than the last accepted one? Remembers its step.

    The step is stored with a conditional UPDATE, so two requests racing with the same code cannot
    both succeed, even in different processes.
    """
    secret = secret or worker.totp_secret
    code = _clean_code(code)
    if not secret or not re.fullmatch(r"\d{6}", code):
        return False
    totp = pyotp.TOTP(secret)
    now = clock.now()
    for offset in (0, -1, 1):
        moment = now + timedelta(seconds=offset * STEP)
        step = totp.timecode(moment)
        if worker.totp_last_step is not None and step <= worker.totp_last_step:
            continue  # a code already used (or older): no replay
        if hmac.compare_digest(totp.at(moment), code):
            return _claim_step(session, worker, step)
    return False


def _claim_step(session: Session, worker: Worker, step: int) -> bool:
    if worker.id is None:
        worker.totp_last_step = step
        return True
    result = session.execute(
        sa.update(Worker)
        .where(Worker.id == worker.id, sa.or_(Worker.totp_last_step.is_(None), Worker.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        return False
    session.expire(worker, ["totp_last_step"])
    return True


def enable(session: Session, worker: Worker, code: str | None) -> list[str] | None:
    """Turn two-factor sign-in on if ``code`` matches the pending key; the new recovery codes, else None."""
    if worker.totp_enabled or not worker.totp_secret:
        return None
    if not verify_totp(session, worker, code, worker.totp_secret):
        return None
    worker.totp_enabled_at = clock.now()
    return new_recovery_codes(session, worker)


def disable(session: Session, worker: Worker) -> None:
    """Turn two-factor sign-in off and forget the key and the recovery codes."""
    worker.totp_secret = None
    worker.totp_enabled_at = None
    worker.totp_last_step = None
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.worker_id == worker.id))


# --- recovery codes ----------------------------------------------------------------------------

def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def _normalise_recovery(code: str | None) -> str:
    return re.sub(r"[\s\-]+", "", code or "").lower()


def _format_recovery(raw: str) -> str:
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def new_recovery_codes(session: Session, worker: Worker) -> list[str]:
    """Replace the account's recovery codes; the plain codes are returned once and never stored."""
    session.execute(sa.delete(RecoveryCode).where(RecoveryCode.worker_id == worker.id))
    codes = []
    for _ in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(_CODE_LENGTH))
        session.add(RecoveryCode(worker_id=worker.id, code_hash=_hash(raw), created_at=clock.now()))
        codes.append(_format_recovery(raw))
    session.flush()
    return codes


def use_recovery_code(session: Session, worker: Worker, code: str | None) -> bool:
    """Accept an unused recovery code once."""
    raw = _normalise_recovery(code)
    if len(raw) != _CODE_LENGTH or not worker.totp_enabled:
        return False
    result = session.execute(  # one conditional UPDATE: a code cannot be used twice, even by racing requests
        sa.update(RecoveryCode)
        .where(RecoveryCode.worker_id == worker.id, RecoveryCode.code_hash == _hash(raw), RecoveryCode.used_at.is_(None))
        .values(used_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def remaining_recovery_codes(session: Session, worker: Worker) -> int:
    return session.execute(
        sa.select(sa.func.count()).select_from(RecoveryCode)
        .where(RecoveryCode.worker_id == worker.id, RecoveryCode.used_at.is_(None))
    ).scalar() or 0
