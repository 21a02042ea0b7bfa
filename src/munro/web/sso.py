"""Single sign-on with the council's identity provider (OpenID Connect; docs/sign-in.md).

Authlib does the protocol, the authorization code flow with PKCE: the state, nonce and PKCE verifier are
kept in Flask's signed session cookie and removed when the provider's answer comes back, so a state is good
once; the code is exchanged at the provider's token endpoint; the ID token's signature is checked with the
provider's keys (the JWKS its discovery document names), and its issuer, audience, expiry and nonce. The
discovery document and the keys are fetched once and kept for the life of the process (the keys again only
when a token is signed with a key not seen before): the configured provider is the only address called.

Who may come in, and as what, is decided here and in ``users.sso_account``: with a role map
(MUNRO_OIDC_ROLE_MAP), the provider's roles or groups give the munro role and LAs; without one, the person
must have a munro account, whose role and LAs are munro's. Anyone else is refused with a page that says why,
and a ``sign_in_failed`` event in the audit log (the reason, never the token).
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import requests
from authlib.common.security import is_secure_transport
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Blueprint, abort, current_app, render_template, session, url_for
from joserfc.errors import JoseError

from ..errors import MunroError
from .pages import begin_session, log
from .users import EMAIL, check_access, sso_account

bp = Blueprint("sso", __name__)
NAME = "council"  # Authlib's name for the one provider (its session keys are "_state_council_<state>")
LEEWAY = 60  # seconds of clock difference allowed between munro and the provider when checking expiry
TIMEOUT = 10  # seconds to wait for the provider
_log = logging.getLogger(__name__)
_ERROR_CODE = re.compile(r"^[a-z_]{1,40}$")  # an OAuth error code as the provider sends it


@dataclass(frozen=True)
class SingleSignOn:
    client: object  # Authlib's FlaskOAuth2App
    issuer: str
    client_id: str
    roles_claim: str
    role_map: dict[str, tuple[str, list[str]]] | None

    def grant(self, claims: dict) -> tuple[str, list[str]] | None:
        """(role, LAs) from the ID token's roles or groups through the role map; None without a role map
        (munro's accounts decide); MunroError saying why when the map gives none, or more than one role."""
        if self.role_map is None:
            return None
        values = claims.get(self.roles_claim)
        if values is None and self.roles_claim in (claims.get("_claim_names") or {}):
            # Entra ID leaves out the groups of someone in more than 200 of them (its "group overage").
            raise MunroError(f"the account is in too many groups for its token to list them ({self.roles_claim}): "
                             "use app roles (MUNRO_OIDC_ROLES_CLAIM=roles)")
        values = [values] if isinstance(values, str) else values if isinstance(values, list) else []
        found = [self.role_map[v] for v in values if isinstance(v, str) and v in self.role_map]
        if not found:
            raise MunroError(f"the identity provider gives the account no munro role (none of its "
                             f"{self.roles_claim} is in MUNRO_OIDC_ROLE_MAP)")
        roles = sorted({role for role, _ in found})
        if len(roles) > 1:
            raise MunroError(f"the identity provider gives the account more than one munro role ({', '.join(roles)})")
        return roles[0], sorted({la for _, las in found for la in las})


def read_role_map(value: str | None) -> dict[str, tuple[str, list[str]]] | None:
    """MUNRO_OIDC_ROLE_MAP, JSON or the path of a JSON file, as {claim value: (role, LAs)}; MunroError if wrong.

    ``{"<app role or group ID>": {"role": "analyst", "la": "330"}, ...}``; "la" may be a list for a manager."""
    if not value:
        return None
    try:
        text = value if value.lstrip().startswith("{") else Path(value).read_text(encoding="utf-8")
        entries = json.loads(text)
    except (OSError, ValueError) as e:
        raise MunroError(f"MUNRO_OIDC_ROLE_MAP: not a JSON object or a readable JSON file ({e})") from None
    if not isinstance(entries, dict) or not entries:
        raise MunroError("MUNRO_OIDC_ROLE_MAP: give a JSON object of role or group -> {\"role\": ..., \"la\": ...}")
    out = {}
    for key, entry in entries.items():
        la = entry.get("la") if isinstance(entry, dict) else None
        las = [la] if isinstance(la, str) else la if isinstance(la, list) else []
        try:
            out[key] = (entry["role"], check_access(entry["role"], [str(x) for x in las]))
        except (KeyError, TypeError, MunroError) as e:
            reason = e if isinstance(e, MunroError) else "needs a role and an la"
            raise MunroError(f"MUNRO_OIDC_ROLE_MAP: {key!r}: {reason}") from None
    return out


def init_app(app, config) -> None:
    """Turn single sign-on on for ``app`` when ``config`` names an issuer; MunroError if the settings are wrong."""
    if not config.oidc_issuer:
        if not config.local_passwords:
            raise MunroError("MUNRO_LOCAL_PASSWORDS=0 needs single sign-on (MUNRO_OIDC_ISSUER): nobody could sign in")
        return
    if not (config.oidc_client_id and config.oidc_client_secret):
        raise MunroError("single sign-on needs MUNRO_OIDC_CLIENT_ID and MUNRO_OIDC_CLIENT_SECRET as well as "
                         "MUNRO_OIDC_ISSUER")
    if not is_secure_transport(config.oidc_issuer):
        raise MunroError(f"MUNRO_OIDC_ISSUER={config.oidc_issuer!r} must be an https:// address")
    oauth = OAuth(app)
    client = oauth.register(
        NAME, client_id=config.oidc_client_id, client_secret=config.oidc_client_secret,
        server_metadata_url=f"{config.oidc_issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256",
                       "default_timeout": TIMEOUT})
    app.extensions["munro_sso"] = SingleSignOn(client, config.oidc_issuer, config.oidc_client_id,
                                               config.oidc_roles_claim, read_role_map(config.oidc_role_map))
    app.register_blueprint(bp)


def _sso() -> SingleSignOn:
    sso = current_app.extensions["munro_sso"]
    # The discovery document must be the configured issuer's own (OpenID Connect Discovery 4.3): the ID
    # token's issuer is checked against the configured issuer, and the keys come from this document.
    issuer = sso.client.load_server_metadata().get("issuer")
    if issuer != sso.issuer:
        _log.error("single sign-on: the discovery document's issuer %r is not MUNRO_OIDC_ISSUER", issuer)
        abort(502, "The identity provider's settings do not match munro's: tell the service's administrator.")
    return sso


def _redirect_uri() -> str:
    # MUNRO_PUBLIC_URL when set: the address registered with the provider, never built from the Host header.
    public = current_app.config["MUNRO"].public_url
    return f"{public}/sign-in/callback" if public else url_for("sso.callback", _external=True)


@bp.get("/sign-in/sso")
def start():
    try:
        sso = _sso()
        # One sign-in at a time per browser: an earlier unfinished one is forgotten, so the cookie stays small.
        for key in [k for k in session if k.startswith(f"_state_{NAME}_")]:
            session.pop(key)
        return sso.client.authorize_redirect(_redirect_uri())
    except (requests.RequestException, ValueError) as e:
        return _unreachable(e)


@bp.get("/sign-in/callback")
def callback():
    try:
        sso = _sso()
        # Checks the state (then forgets it), exchanges the code with the PKCE verifier, checks the ID token.
        token = sso.client.authorize_access_token(
            claims_options={"iss": {"essential": True, "value": sso.issuer},
                            "aud": {"essential": True, "value": sso.client_id},
                            "exp": {"essential": True}},
            leeway=LEEWAY)
        claims = token.get("userinfo")
        if not claims:
            raise MunroError("the identity provider sent no ID token")
    except MismatchingStateError:
        return _refuse("the sign-in had expired or had already been used", 400)
    except OAuthError as e:  # the provider said no (the person cancelled), or refused the code
        code = e.error if _ERROR_CODE.match(str(e.error)) else "an error"
        return _refuse(f"the identity provider refused the sign-in ({code})", 400)
    except JoseError as e:  # signature, issuer, audience, expiry or nonce
        return _refuse(f"the identity provider's ID token was not accepted: {e.description or e.error}", 400)
    except MunroError as e:
        return _refuse(str(e), 400)
    except (requests.RequestException, ValueError) as e:
        return _unreachable(e)
    email = claims.get("email") or claims.get("preferred_username")  # Entra ID: the UPN when no email claim
    email = email.strip().lower() if isinstance(email, str) and EMAIL.match(email.strip()) else None
    try:
        user = sso_account(current_app.extensions["munro_app_db"], claims["sub"], email, sso.grant(claims))
    except MunroError as e:
        return _refuse(str(e), 403, email)
    return begin_session(user, detail="single sign-on")


def _refuse(reason: str, status: int, email: str | None = None):
    log("sign_in_failed", email=email, detail=f"single sign-on: {reason}")
    return render_template("sign_in_refused.html", reason=reason, no_access=status == 403), status


def _unreachable(e: Exception):
    _log.error("single sign-on: the identity provider could not be used: %s", type(e).__name__)
    abort(502, "The identity provider could not be reached. Try again shortly; if it goes on, tell the service's "
               "administrator.")
