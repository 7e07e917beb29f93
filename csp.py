"""The request's Content-Security-Policy nonce: one per request, on every script and stylesheet the
page writes (Flask-Admin's templates get it through ``csp_nonce_generator``; security.py sends the
header that names it)."""
from __future__ import annotations

import secrets

from flask import g


def csp_nonce() -> str:
    """The nonce of this response's scripts (one per request)."""
    nonce = g.get("csp_nonce")
    if nonce is None:
        nonce = g.csp_nonce = secrets.token_urlsafe(18)
    return nonce
