"""What a request may be, checked before anything reads it: its Host, the size of its body, the length of its text.

Body: every route takes a small form (``FORM_BYTES``) except a file upload route, and that one only for a
signed-in user allowed to upload; the limit is set on the request before the CSRF check reads the form, so
an anonymous 150 MB POST is refused (413) on its Content-Length, unread, and a chunked body that does not say
its length is refused (411). waitress (serve.py) refuses a body over the upload limit before the application sees it.

Host: only the service's own names (MUNRO_PUBLIC_URL's, the address it listens on, localhost and
MUNRO_TRUSTED_HOSTS); any other Host header is a 400, so no page, link or redirect is built from a name an
attacker chose.

Text: every form field is at most ``TEXT_DEFAULT`` characters unless ``TEXT_LIMITS`` (by field) or
``FORM_TEXT_LIMITS`` (every field of one form) says otherwise; a longer value is a 400 before any route
stores it. The routes' own checks (an answer too long for its question, a group label over 60 characters)
still say so on the form; this is the bound nobody can pass.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Response, abort, current_app, g, render_template, request
from werkzeug.exceptions import SecurityError

from ..local.survey_groups import MAX_GROUPS, MAX_LABEL
from ..local.surveys import MAX_TEXT
from . import authz
from .config import Config

# The largest legitimate form, measured: a free-text survey answer of twice MAX_TEXT characters (the page's
# own "too long" message comes first) at 12 bytes a character (a 4-byte character percent-encoded) is
# 120 KB; the survey groups form, MAX_GROUPS labels of MAX_LABEL characters on each question, a few
# tens of KB.
FORM_BYTES = 256 * 1024
UPLOADS = {"uploads.upload": "upload_return"}  # the routes that take a file: endpoint -> the action it needs
TEXT_DEFAULT = 200  # characters: names, titles, codes, dates, numbers
TEXT_LIMITS = {
    "email": 254,  # the longest address RFC 5321 allows
    "password": 1000,  # a passphrase: hashed, never stored as typed
    "outcome": 5000,  # a triage note: what was done about a disclosure
    "answer": 2 * MAX_TEXT,  # a respondent's free text: the question page says "too long" from MAX_TEXT
}
FORM_TEXT_LIMITS = {
    # One line per group: up to MAX_GROUPS labels of MAX_LABEL characters, each with its CR LF.
    "surveys.groups": MAX_GROUPS * (MAX_LABEL + 2),
    # The identity provider's answer (sso.py): Entra ID's authorization codes run to a few thousand characters.
    "sso.callback": 16_000,
}
LOCAL_HOSTS = ("localhost", "127.0.0.1")


def trusted_hosts(config: Config) -> list[str]:
    """The Host names the service answers to: MUNRO_PUBLIC_URL's, the address it listens on (unless all of
    them), localhost, and MUNRO_TRUSTED_HOSTS (comma-separated; ``.example.gov.uk`` takes its subdomains)."""
    hosts = list(LOCAL_HOSTS)
    if config.public_url:
        hosts.append(urlsplit(config.public_url).hostname or "")
    if config.host not in ("0.0.0.0", "::", ""):
        hosts.append(config.host)
    hosts += [h.strip().lower() for h in (config.trusted_hosts or "").split(",")]
    return sorted({h for h in hosts if h})


def body_limit(config: Config) -> int:
    """The bytes this request may send: the upload limit on an upload route for a user who may upload, else a form's."""
    action = UPLOADS.get(request.endpoint or "")
    if action and authz.allowed(g.get("user"), action, None):
        return config.max_upload_mb * 1024 * 1024
    return FORM_BYTES


def check_request(config: Config) -> None:
    """Before the CSRF check reads the form: refuse an untrusted Host, and a body larger than this route takes."""
    if isinstance(request.routing_exception, SecurityError):  # Flask found the Host untrusted while routing
        raise request.routing_exception
    limit = body_limit(config)
    request.max_content_length = limit
    request.max_form_memory_size = min(limit, FORM_BYTES)  # each field of a multipart form: the file is spooled
    if request.content_length is not None and request.content_length > limit:
        abort(413)  # said by its Content-Length: refused unread
    if request.content_length is None and "chunked" in request.headers.get("Transfer-Encoding", "").lower():
        # A body of unstated length (waitress states it, having read a chunked body itself; another server
        # may not): refused unread. Any other body without a length is read no further than ``limit``.
        abort(411, "A form must say its length (Content-Length).")


def check_text() -> None:
    """Refuse (400) a form or query value longer than its field's limit, before any route stores it."""
    if not request.args and request.mimetype not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return
    whole_form = FORM_TEXT_LIMITS.get(request.endpoint or "")
    for values in (request.args, request.form):
        for name, value in values.items(multi=True):
            limit = whole_form or TEXT_LIMITS.get(name, TEXT_DEFAULT)
            if len(value) > limit:
                abort(400, f"A box on the form has more than {limit:,} characters, the most it takes. "
                           "Go back, shorten it and try again.")


def untrusted_host(e):
    """400 for a Host header the service does not answer to: plain text, since no link can be built for it."""
    return Response("This service does not answer to that address: use the address you were given.\n", 400,
                    mimetype="text/plain")


def too_large(e):
    """413 in words: a file over the upload limit, or a form far larger than any this service shows."""
    config: Config = current_app.config["MUNRO"]
    if body_limit(config) > FORM_BYTES:
        message = f"The file must be smaller than {config.max_upload_mb} MB."
        return render_template("error.html", code=413, title="The file is too large", message=message), 413
    return render_template("error.html", code=413, title="Too much was sent",
                           message="What was sent is far larger than this page takes. Nothing was kept."), 413
