"""Security headers on every response and the CSRF check on every form.

CSP: everything from this origin only, no inline script at all, no framing,
forms post only here. Inline SVG charts need no exception. The report's
stylesheet is served as a file, so no 'unsafe-inline' for styles either.

CSRF: a synchronizer token. Signed in, it is the session's (kept in the
database); signed out (the sign-in form) it is kept in Flask's signed cookie.
Every POST must carry it in the ``csrf_token`` field, compared in constant time.
"""

from __future__ import annotations

import hmac
import secrets

from flask import abort, g, request, session

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def add_headers(response, secure: bool):
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    # Pages of performance data must not linger in shared caches or the browser's history.
    if response.mimetype not in ("text/css", "text/javascript"):  # the vendored assets may be cached
        response.headers["Cache-Control"] = "no-store"
    return response


def csrf_token() -> str:
    if getattr(g, "csrf", None):
        return g.csrf
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def check_csrf() -> None:
    if request.method not in UNSAFE_METHODS:
        return
    sent = request.form.get("csrf_token", "")
    expected = getattr(g, "csrf", None) or session.get("csrf", "")
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        abort(400, "The form had expired or did not come from this service. Go back, reload the page and try again.")
