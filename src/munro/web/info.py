"""The pages every GOV.UK-style service has and the law asks for: cookies, accessibility, privacy (issue 8).

Public (no sign-in), linked from every page's footer, and true to what munro
does: one strictly necessary session cookie (and, before sign-in, one for the
sign-in form's CSRF token), no analytics, nothing fetched from anywhere else.
"""

from __future__ import annotations

from flask import Blueprint, g, render_template

from .. import provenance
from . import authz
from .current import COOKIE, FLASK_COOKIE, config

bp = Blueprint("info", __name__)


@bp.get("/cookies")
def cookies():
    return render_template("cookies.html", cookie=COOKIE, form_cookie=FLASK_COOKIE,
                           idle=config().session_minutes)


@bp.get("/accessibility")
def accessibility():
    return render_template("accessibility.html")


@bp.get("/privacy")
def privacy():
    return render_template("privacy.html")


@bp.app_context_processor
def _may():
    """``may(action, la)`` in every template: whether the signed-in user may, so pages link only to what opens."""
    return {"may": lambda action, la=None: authz.allowed(getattr(g, "user", None), action, la)}


@bp.app_context_processor
def _provenance():
    """Every page's footer names the munro that serves it, the published statistics its pages show
    and their Open Government Licence attribution (munro.provenance)."""
    return {"made_by": provenance.made_by(), "sources_sentence": provenance.sources_sentence(provenance.ALL),
            "ogl": provenance.OGL, "ogl_url": provenance.OGL_URL}
