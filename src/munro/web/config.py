"""The web service's settings, from environment variables with safe defaults.

Safe means: bind to loopback, cookies marked Secure (an operator on plain
http for local use must say so with MUNRO_INSECURE_COOKIES=1), and a secret
key that is never a constant in the code: MUNRO_SECRET_KEY, or one generated
once into a 0600 file beside the application database.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from ..errors import MunroError
from ..local.appdb import app_db_url
from ..private import create_new, readable_by_others

SESSION_MINUTES = 30  # idle timeout: NCSC and most LA policies ask for 15 to 30 minutes
MAX_SESSION_HOURS = 12  # absolute limit, whatever the activity
LOCK_AFTER = 5  # failed sign-ins in a row before the account is locked
LOCK_MINUTES = 15
SIGN_IN_PER_ADDRESS = 20  # sign-in attempts from one client address ...
SIGN_IN_WINDOW_MINUTES = 10  # ... in this many minutes
# Requests to the public survey pages from one client address in SURVEY_WINDOW_MINUTES: a school's
# computer room behind one address, 30 children answering about 30 pages each, stays under it.
SURVEY_PER_ADDRESS = 1500
SURVEY_WINDOW_MINUTES = 10
# Completed survey responses sent from one client address in SUBMIT_WINDOW_MINUTES (issue 19: one client sent
# 40 in 0.3 s). A computer room's children finish over several minutes; one refused is told to wait and send
# again, their answers kept.
SURVEY_SUBMISSIONS_PER_ADDRESS = 20
SUBMIT_WINDOW_MINUTES = 5
# Where "Exit this page" goes (the GOV.UK component's default): a neutral page that looks ordinary.
EXIT_URL = "https://www.bbc.co.uk/weather"


@dataclass
class Config:
    store: Path
    app_db: str  # a SQLAlchemy URL
    secret_key: str
    host: str = "127.0.0.1"
    port: int = 8000
    secure_cookies: bool = True
    session_minutes: int = SESSION_MINUTES
    lock_after: int = LOCK_AFTER
    lock_minutes: int = LOCK_MINUTES
    sign_in_per_address: int = SIGN_IN_PER_ADDRESS
    max_upload_mb: int = 200  # a large LA's CIN census return is tens of MB
    survey_per_address: int = SURVEY_PER_ADDRESS
    survey_submissions_per_address: int = SURVEY_SUBMISSIONS_PER_ADDRESS
    exit_url: str = EXIT_URL
    # The reverse proxy in front (its address), whose X-Forwarded-For waitress then believes: without
    # it, every client would share the proxy's address and so one sign-in and survey rate limit.
    trusted_proxy: str | None = None
    # The address the public reaches the service at (MUNRO_PUBLIC_URL, e.g. https://surveys.example.gov.uk):
    # survey links and QR codes are built from it, never from the request's Host header.
    public_url: str | None = None
    # Other Host names the service answers to (MUNRO_TRUSTED_HOSTS, comma-separated), beside the public URL's,
    # the address it listens on and localhost: any other Host header is refused (web/limits.py).
    trusted_hosts: str | None = None
    # Single sign-on with the council's identity provider (OpenID Connect, docs/sign-in.md): on when an issuer is
    # set. Roles and LAs come from the provider's roles or groups through the role map, or, without one, from
    # munro's own accounts. Local passwords may be turned off once single sign-on is on.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: str | None = None
    oidc_name: str = "your organisation's account"  # the button says "Sign in with <oidc_name>"
    oidc_roles_claim: str = "roles"  # Entra ID's app roles; "groups" for its group IDs
    oidc_role_map: str | None = None  # JSON, or the path of a JSON file: claim value -> {"role": ..., "la": ...}
    local_passwords: bool = True

    @classmethod
    def from_env(cls, env=None, store: str | os.PathLike | None = None) -> Config:
        env = os.environ if env is None else env
        store = Path(store or env.get("MUNRO_DB", "munro.duckdb"))
        app_db = app_db_url(store, env.get("MUNRO_APP_DB"))
        return cls(
            store=store,
            app_db=app_db,
            secret_key=env.get("MUNRO_SECRET_KEY") or _secret_file(app_db, store),
            host=env.get("MUNRO_HOST", "127.0.0.1"),
            port=_int(env, "MUNRO_PORT", 8000),
            secure_cookies=env.get("MUNRO_INSECURE_COOKIES") != "1",
            session_minutes=_int(env, "MUNRO_SESSION_MINUTES", SESSION_MINUTES),
            max_upload_mb=_int(env, "MUNRO_MAX_UPLOAD_MB", 200),
            survey_per_address=_int(env, "MUNRO_SURVEY_PER_ADDRESS", SURVEY_PER_ADDRESS),
            survey_submissions_per_address=_int(env, "MUNRO_SURVEY_SUBMISSIONS_PER_ADDRESS",
                                                SURVEY_SUBMISSIONS_PER_ADDRESS),
            exit_url=env.get("MUNRO_EXIT_URL", EXIT_URL),
            trusted_proxy=env.get("MUNRO_TRUSTED_PROXY") or None,
            public_url=(env.get("MUNRO_PUBLIC_URL") or "").rstrip("/") or None,
            trusted_hosts=env.get("MUNRO_TRUSTED_HOSTS") or None,
            oidc_issuer=(env.get("MUNRO_OIDC_ISSUER") or "").rstrip("/") or None,
            oidc_client_id=env.get("MUNRO_OIDC_CLIENT_ID") or None,
            oidc_client_secret=env.get("MUNRO_OIDC_CLIENT_SECRET") or None,
            oidc_name=env.get("MUNRO_OIDC_NAME") or Config.oidc_name,
            oidc_roles_claim=env.get("MUNRO_OIDC_ROLES_CLAIM") or Config.oidc_roles_claim,
            oidc_role_map=env.get("MUNRO_OIDC_ROLE_MAP") or None,
            local_passwords=env.get("MUNRO_LOCAL_PASSWORDS", "1") != "0",
        )


def _int(env, name: str, default: int) -> int:
    try:
        return int(env.get(name, default))
    except ValueError:
        raise MunroError(f"{name}={env[name]!r} is not a whole number") from None


def _secret_file(app_db: str, store: Path) -> str:
    """The key in ``<app db>.secret`` (created owner-only on first use: munro.private); PostgreSQL deployments
    must set MUNRO_SECRET_KEY."""
    if not app_db.startswith("sqlite:///"):
        raise MunroError("MUNRO_SECRET_KEY must be set when the application database is not a local SQLite file")
    path = Path(app_db[len("sqlite:///"):] + ".secret")
    if not path.exists():
        create_new(path, secrets.token_urlsafe(48))  # owner-only; two workers starting together write one key
    if readable_by_others(path):  # POSIX modes; on Windows its access list was set when munro made it
        raise MunroError(f"{path}: the secret key file must be readable by its owner only (chmod 600)")
    key = path.read_text(encoding="utf-8").strip()
    if len(key) < 32:
        raise MunroError(f"{path}: the secret key is too short")
    return key
