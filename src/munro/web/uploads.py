"""Upload a return, see its validation findings, then load it or cancel (issue 8).

The file waits in a private folder (0700) of its own under ``<store>.uploads/``
between the upload and the user's decision, and is deleted after the load or
the cancel (or, if the user walks away, by the next upload a day later); a
load that fails leaves it waiting, so the user can try again. It is
read only by the library: ``census.reader.read_header`` for its LA,
``validate.validate_file`` for the findings and ``loading.ingest_file`` to load
it, the same hardened reader as ``munro validate`` and ``munro ingest``. A file
that cannot be read gets one line saying why, never a traceback. The findings
page shows counts by rule, not children's identifiers: ``munro validate``
gives those to the people who correct the return.

An upload that would replace the loaded return of its LA and year is set
beside it on the findings page (``store.replacement``: children, episodes,
plans, the span of the year). One that falls far short of it, a partial
extract or the wrong file, is loaded only when the user ticks the box that
confirms the replacement, as ``munro ingest --replace``.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import secrets
import shutil
import tempfile
import time
from pathlib import Path

from flask import Blueprint, Request, abort, redirect, render_template, request, url_for

from .. import loading
from ..census.reader import read_header
from ..errors import MunroError, RejectedFile, StoreBusy
from ..reference import local_authorities
from ..store.db import explain, open_store
from ..store.ingest import file_sha256
from ..store.replacement import ReplacementRefused, Shape, compare, shape_of_file
from ..validate import validate_file
from . import authz, data
from .current import config
from .pages import log, signed_in
from .store_access import reading, writing

bp = Blueprint("uploads", __name__)
TOKEN = re.compile(r"^[A-Za-z0-9_-]{22}$")
FILE = "return.xml"
ABOUT = "upload.json"
STALE_SECONDS = 24 * 3600
_log = logging.getLogger(__name__)


class NotConfirmed(MunroError):
    """An upload that would replace a loaded return it falls far short of, without the user's
    confirmation: the file waits for it (``comparison`` says what it would replace)."""

    def __init__(self, comparison):
        super().__init__("Tick the box to confirm that this return should replace the loaded one, "
                         "or cancel and delete the file.")
        self.comparison = comparison


class Refused(MunroError):
    """An upload that will not be kept: the message is one line for the user; ``logged`` is what the audit
    log says (a reader's message may quote the file's values, so it goes to the uploader only)."""

    def __init__(self, message: str, logged: str = "cannot be read"):
        super().__init__(message)
        self.logged = logged


# ---------------------------------------------------------------- the library part: plain functions


def uploads_folder(store: Path) -> Path:
    folder = Path(store).with_name(Path(store).name + ".uploads")
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def remove_stale(folder: Path, now: float | None = None) -> None:
    """Remove uploads nobody loaded or cancelled within a day."""
    now = now or time.time()
    for d in folder.iterdir():
        if d.is_dir() and now - d.stat().st_mtime > STALE_SECONDS:
            shutil.rmtree(d, ignore_errors=True)


def receive(store: Path, stream, filename: str, user) -> tuple[str, dict]:
    """Save ``stream``, check its LA is the user's and validate it: (token, what the findings page shows).

    Raises ``Refused`` (the file already deleted) for a file that cannot be read or is another LA's."""

    folder = uploads_folder(store)
    remove_stale(folder)
    token = secrets.token_urlsafe(16)
    where = folder / token
    where.mkdir(mode=0o700)
    path = where / FILE
    try:
        with open(path, "wb") as out:
            shutil.copyfileobj(stream, out, 1 << 20)
        header = read_header(path)
        own = user.las[0]
        if header.la_code != own:
            raise Refused(f"This return is for {_la_name(header.la_code)}, not {_la_name(own)}: "
                          "you can only load your own authority's returns.", f"a return of LA {header.la_code}")
        report = validate_file(path, workers=min(os.cpu_count() or 1, 4))
    except BaseException as e:
        shutil.rmtree(where, ignore_errors=True)  # whatever went wrong, the file goes
        raise _refusal(e) from None
    about = {
        "user_id": user.id, "filename": _safe_name(filename), "la": header.la_code,
        "year": header.collection_year, "children": report.children, "errors": report.errors,
        "queries": report.queries, "counts": report.counts_line(), "note": report.note,
        "failures": [f.code for f in report.failures], "ruleset": report.ruleset, "rules": len(report.rules),
        # (code, type, findings, message) per rule: no child identifiers leave the validation report.
        "summary": [list(row) for row in report.summary()],
    }
    (where / ABOUT).write_text(json.dumps(about), encoding="utf-8")
    return token, about


def _refusal(e: BaseException) -> BaseException:
    """One line for the user, whatever the reader raised (an interrupt stays an interrupt)."""
    if isinstance(e, Refused) or not isinstance(e, Exception):
        return e
    if isinstance(e, RejectedFile):
        return Refused("The file cannot be loaded: " + " ".join(e.reason.splitlines()))
    if isinstance(e, MunroError):
        return Refused(" ".join(str(e).splitlines()))
    _log.warning("upload could not be read: %s", type(e).__name__)  # not the message: it may quote the file
    return Refused("The file cannot be read as a CIN census return.")


def pending(store: Path, token: str, user) -> dict | None:
    """What was uploaded under ``token`` by ``user``; None if there is none (or it is someone else's)."""
    if not TOKEN.match(token or ""):
        return None
    path = uploads_folder(store) / token / ABOUT
    if not path.is_file():
        return None
    about = json.loads(path.read_text(encoding="utf-8"))
    return about if about["user_id"] == user.id else None


def comparison(store: Path, token: str, about: dict):
    """The loaded return the upload would replace beside it (``store.replacement.Comparison``), or None:
    nothing loaded for its LA and year, or the same file. The upload's shape is read once and kept."""
    if not any(r["la_code"] == about["la"] and r["collection_year"] == about["year"]
               for r in data.loaded_returns(store)):
        return None
    where = uploads_folder(store) / token
    if "shape" not in about:
        about["shape"] = shape_of_file(where / FILE, workers=min(os.cpu_count() or 1, 4)).to_json()
        about["sha256"] = file_sha256(where / FILE)
        kept = where / (ABOUT + ".new")
        kept.write_text(json.dumps(about), encoding="utf-8")
        os.replace(kept, where / ABOUT)  # whole, for a page read at the same time
    with reading():
        con = open_store(store, read_only=True)
        try:
            return compare(con, about["la"], about["year"], Shape.from_json(about["shape"]), sha=about["sha256"])
        finally:
            con.close()


def load(store: Path, token: str, replace: bool = False):
    """Load the pending upload into the store (one transaction) and delete it: the ingest's outcome.

    ``replace``: the user confirmed replacing a loaded return the upload falls far short of; without
    it such an upload raises ``NotConfirmed`` and waits. An upload that fails to load waits too, so the
    findings page's "Load this return" can try again: it goes on cancel, or after a day (``remove_stale``)."""

    where = uploads_folder(store) / token
    try:
        with writing():
            outcome = loading.ingest_file(store, where / FILE, workers=min(os.cpu_count() or 1, 4), replace=replace)
    except ReplacementRefused as e:
        raise NotConfirmed(e.comparison) from None
    except RejectedFile as e:
        raise Refused("The file cannot be loaded: " + " ".join(e.reason.splitlines())) from None
    except Exception as e:  # noqa: BLE001 - e.g. the store locked by a command running beside the service
        problem = explain(e, store, writing=True)
        if isinstance(problem, StoreBusy):  # another process is loading: the busy page, then load again
            raise problem from None
        _log.warning("load failed: %s", problem or type(e).__name__)
        raise Refused("The return could not be loaded: the store is busy or cannot be written. "
                      "Nothing was loaded; try again in a few minutes.", "the store could not be written") from None
    shutil.rmtree(where, ignore_errors=True)
    return outcome


def cancel(store: Path, token: str) -> None:
    shutil.rmtree(uploads_folder(store) / token, ignore_errors=True)


def _safe_name(filename: str) -> str:
    return re.sub(r"[^A-Za-z0-9._ -]", "_", Path(filename or "").name)[:100] or "return.xml"


def _la_name(la: str) -> str:
    found = local_authorities().get(la)
    return f"{found.name} ({la})" if found else f"LA {la}"


class UploadRequest(Request):
    """Flask's request, with uploaded files spooled in the store's private uploads folder.

    Werkzeug would spool a file part over 500 KB to the system's temporary folder (often a small
    tmpfs) while it parses the form, which the CSRF check does before any route runs (for a user who
    may upload: anyone else's body is refused at a form's size first, limits.check_request)."""

    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        if total_content_length is not None and total_content_length <= 500 * 1024:
            return io.BytesIO()
        return tempfile.TemporaryFile("rb+", dir=uploads_folder(config().store))  # unnamed, gone when closed


# ---------------------------------------------------------------- the routes


def _uploader():
    user = signed_in()
    authz.authorise(user, "upload_return", None)  # also refuses a regional user (CHILD_LEVEL)
    return user


@bp.route("/upload", methods=["GET", "POST"])
def upload():
    user = _uploader()
    error = None
    if request.method == "POST":
        sent = request.files.get("file")
        if sent is None or not sent.filename:
            error = "Select a CIN census XML file."
        else:
            try:
                token, about = receive(config().store, sent.stream, sent.filename, user)
            except Refused as e:
                error = str(e)
                log("upload_refused", detail=f"{_safe_name(sent.filename)}: {e.logged}")
            else:
                log("upload", la=about["la"], detail=f"{about['filename']} ({about['year']}): {about['counts']}")
                return redirect(url_for("uploads.findings", token=token))
    return render_template("upload.html", error=error, la=_la_name(user.las[0]),
                           max_mb=config().max_upload_mb), 400 if error else 200


def _pending(token: str) -> tuple:
    user = _uploader()
    about = pending(config().store, token, user)
    if about is None:
        abort(404, "There is no upload waiting here: it has been loaded or cancelled, or it is not yours.")
    authz.authorise(user, "upload_return", about["la"])
    return user, about


def _findings(token: str, about: dict, error: str | None = None, compared=None):
    try:
        compared = compared or comparison(config().store, token, about)
    except MunroError:  # the store busy or unreadable: the load itself still checks
        compared = None
    return render_template("upload_findings.html", token=token, a=about, la=_la_name(about["la"]), c=compared,
                           error=error), 400 if error else 200


@bp.get("/upload/<token>")
def findings(token):
    _, about = _pending(token)
    return _findings(token, about)


@bp.post("/upload/<token>/load")
def load_upload(token):
    _, about = _pending(token)
    replace = request.form.get("replace") == "yes"
    try:
        outcome = load(config().store, token, replace=replace)
    except NotConfirmed as e:
        log("load_failed", la=about["la"], detail=f"{about['filename']}: would replace return "
                                                  f"{e.comparison.old_id}, not confirmed")
        return _findings(token, about, str(e), e.comparison)
    except Refused as e:  # the upload waits: the findings page again, to load it again or cancel it
        log("load_failed", la=about["la"], detail=f"{about['filename']}: {e.logged}")
        return _findings(token, about, str(e))
    log("load", la=about["la"], detail=f"{about['filename']} ({about['year']}): return {outcome.return_id}, "
                                       f"{outcome.status}" + (" (replacement confirmed)" if replace else ""))
    return render_template("upload_loaded.html", a=about, o=outcome, la=_la_name(about["la"]))


@bp.post("/upload/<token>/cancel")
def cancel_upload(token):
    _, about = _pending(token)
    cancel(config().store, token)
    log("upload_cancelled", la=about["la"], detail=about["filename"])
    return redirect(url_for("uploads.upload"))


__all__ = ["bp", "receive", "pending", "comparison", "load", "cancel", "Refused", "NotConfirmed"]
