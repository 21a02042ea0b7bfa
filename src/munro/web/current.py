"""What the pages share of the running application (``app.py`` makes it): its cookies' names, the
application database and the settings of the app handling the request."""

from __future__ import annotations

from flask import current_app

from .config import Config

COOKIE = "munro_session"  # the server-side session's token
FLASK_COOKIE = "munro_form"  # Flask's signed cookie: only the signed-out CSRF token


def app_db():
    return current_app.extensions["munro_app_db"]


def config() -> Config:
    return current_app.config["MUNRO"]
