"""The Flask application factory: settings, the session and CSRF hooks, headers, error pages."""

from __future__ import annotations

import datetime as dt
import logging

import duckdb
from flask import Flask, g, render_template, request
from werkzeug.exceptions import HTTPException, SecurityError

from ..engines.duckdb import preload
from ..errors import StoreBusy, StoreProblem
from ..local.appdb import open_app_db
from ..report.html import environment
from ..store import db as store_db
from . import (
    admin,
    as_at,
    audits,
    children,
    downloads,
    drill,
    health,
    info,
    limits,
    pages,
    params,
    public,
    security,
    sessions,
    surveys,
    uploads,
)
from .config import SIGN_IN_WINDOW_MINUTES, Config
from .current import COOKIE, FLASK_COOKIE, app_db
from .ratelimit import RateLimit

RETRY_AFTER = 30  # seconds: a page asked while another process loads returns into the store (busy.html)
_log = logging.getLogger(__name__)


def create_app(config: Config | None = None) -> Flask:
    config = config or Config.from_env()
    preload()  # the engine's libraries now, at the service's start, not in the first dashboard's request
    app = Flask(__name__, static_folder=None)  # the one stylesheet is a route (pages.stylesheet)
    app.request_class = uploads.UploadRequest  # uploads spooled under the store's folder, not the system's /tmp
    app.config.update(
        SECRET_KEY=config.secret_key,
        SESSION_COOKIE_NAME=FLASK_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.secure_cookies,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(minutes=config.session_minutes),
        MAX_CONTENT_LENGTH=limits.FORM_BYTES,  # per route and user: limits.check_request
        TRUSTED_HOSTS=limits.trusted_hosts(config),
        MUNRO=config,
    )
    app.extensions["munro_app_db"] = open_app_db(url=config.app_db)
    app.extensions["munro_sign_in_limit"] = RateLimit(config.sign_in_per_address, SIGN_IN_WINDOW_MINUTES * 60)
    app.jinja_env.globals["csrf_token"] = security.csrf_token
    app.jinja_env.filters.update(environment().filters)  # the report's number formats, the same on every page

    @app.before_request
    def _load_user():
        g.user, g.csrf = None, None
        if request.endpoint == "pages.stylesheet":
            return
        # A monitor's probe (health.py) starts or resumes no session: nothing is written for it.
        found = None if request.endpoint == "health.healthz" else \
            sessions.resume(app_db(), request.cookies.get(COOKIE), config.session_minutes)
        if found:
            g.user, g.csrf = found
        limits.check_request(config)  # the Host, and the body's size: before anything reads the form
        security.check_csrf()
        limits.check_text()

    @app.after_request
    def _headers(response):
        return security.add_headers(response, config.secure_cookies)

    app.register_error_handler(413, limits.too_large)
    app.register_error_handler(SecurityError, limits.untrusted_host)

    @app.errorhandler(HTTPException)
    def _error(e: HTTPException):
        # Our own page for every error: no framework banner, no stack trace, no echo of the URL.
        return render_template("error.html", code=e.code, title=e.name, message=e.description), e.code

    @app.before_request
    def _no_waiting():
        # A page does not wait for a load in another process to finish: it says so at once (_store below).
        g.munro_store_wait = store_db.set_wait(0)

    @app.teardown_request
    def _waiting_again(_exc=None):
        store_db.reset_wait(g.pop("munro_store_wait", None))

    @app.errorhandler(StoreProblem)
    @app.errorhandler(duckdb.Error)
    @app.errorhandler(OSError)
    def _store(e: Exception):
        """The one place a page meets a store it cannot read: busy (another process loading returns) is 503
        with Retry-After, whatever the page; damaged, not a munro store or a full disk is 500, said plainly
        to the user and named in the log for the administrator. Any other error is left as it is."""
        problem = store_db.explain(e, config.store)
        if problem is None:
            raise e
        if isinstance(problem, StoreBusy):
            return render_template("busy.html"), 503, {"Retry-After": str(RETRY_AFTER)}
        _log.error("the store cannot be used: %s", problem)
        return render_template("error.html", code=500, title="The figures cannot be read",
                               message="The service's store of returns cannot be read: it is damaged, or it is "
                                       "not a munro store, or its disk is full. Nothing has been changed. "
                                       "Tell the service's administrator: the service's log says what is wrong."), 500

    app.url_map.converters["int"] = params.WholeNumber  # before the routes: <int:...> takes bounded ASCII digits
    app.register_blueprint(pages.bp)
    if config.oidc_issuer or not config.local_passwords:
        from . import sso  # single sign-on (docs/sign-in.md): Authlib is loaded only when it is configured
        sso.init_app(app, config)
    # uploads, child lists, drill-down, downloads, admin, legal pages, /healthz; figures as at a date;
    # surveys, their public pages, audits
    for module in (uploads, children, drill, downloads, admin, info, health, as_at, public, surveys, audits):
        app.register_blueprint(module.bp)
    return app

