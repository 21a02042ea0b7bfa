"""Accounts: creating users, checking passwords (argon2id), locking after repeated failures.

Passwords are never logged, never stored, and never passed on a command line;
only their argon2id hashes are kept. A wrong password and an unknown e-mail
address take the same time and give the same answer, so the sign-in page does
not tell anyone which addresses have accounts.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..errors import MunroError
from ..local.roles import ROLES
from ..local.schema import users, web_sessions
from ..reference import local_authorities

_hasher = PasswordHasher()  # argon2id with the library's RFC 9106 "low memory" profile
# Checked against when the e-mail address is unknown, so both paths cost one argon2 verification.
_DUMMY_HASH = _hasher.hash("munro: no such user")
# The password hash of an account that signs in only by single sign-on: no argon2 hash, so no password matches.
NO_PASSWORD = ""
MIN_PASSWORD = 12  # NCSC: length rather than composition rules
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# A regional user sees aggregates of several LAs and never child-level lists (issue 8).
REGIONAL_ROLES = frozenset({"manager"})


@dataclass(frozen=True)
class User:
    id: int
    email: str
    las: tuple[str, ...]
    role: str

    @property
    def regional(self) -> bool:
        return len(self.las) > 1


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def _user(row) -> User:
    return User(row.id, row.email, tuple(row.la_code.split(",")), row.role)


def check_access(role: str, las) -> list[str]:
    """The LAs of an account with ``role`` (sorted), or MunroError: one LA, or several for a regional manager."""
    if role not in ROLES:
        raise MunroError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
    las = sorted({la.strip() for la in las if la.strip()})
    if not las:
        raise MunroError("a user needs an LA (--la)")
    for la in las:
        if la not in local_authorities():
            raise MunroError(f"{la!r} is not a DfE LA code")
    if len(las) > 1 and role not in REGIONAL_ROLES:
        raise MunroError(f"only a {' or '.join(sorted(REGIONAL_ROLES))} may cover several LAs (aggregates only)")
    return las


def add_user(engine: sa.Engine, email: str, las: list[str], role: str, password: str | None) -> User:
    """Create an account; ``las`` has one LA, or several for a regional manager.

    ``password`` None: the account signs in only by single sign-on (docs/sign-in.md), and has no password."""
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise MunroError(f"{email!r} is not an e-mail address")
    las = check_access(role, las)
    if password is not None and len(password) < MIN_PASSWORD:
        raise MunroError(f"the password must be at least {MIN_PASSWORD} characters")
    with engine.begin() as con:
        if con.execute(sa.select(users.c.id).where(users.c.email == email)).first():
            raise MunroError(f"there is already a user {email}")
        new_id = con.execute(users.insert().values(
            email=email, la_code=",".join(las), role=role,
            password_hash=NO_PASSWORD if password is None else _hasher.hash(password),
            failed_attempts=0, created_at=_now())).inserted_primary_key[0]
    return User(new_id, email, tuple(las), role)


def sso_account(engine: sa.Engine, subject: str, email: str | None, grant: tuple[str, list[str]] | None) -> User:
    """The account of the person the identity provider signed in as ``subject`` (the ID token's ``sub``), or
    MunroError saying why there is none (docs/sign-in.md).

    The account linked to ``subject``, else the one of ``email`` (then linked, so that later sign-ins find it by
    subject, whatever happens to the address). ``grant`` is (role, LAs) from the provider's roles or groups
    (the role map): the account takes them, and is made if there is none. Without a grant, the role and LAs
    are munro's own, so the account must exist. A disabled account is refused either way."""
    email = (email or "").strip().lower()
    now = _now()
    with engine.begin() as con:
        row = con.execute(sa.select(users).where(users.c.sso_subject == subject)).first()
        if row is None and email:
            row = con.execute(sa.select(users).where(users.c.email == email)).first()
            if row is not None and row.sso_subject is not None:
                raise MunroError("the munro account of this e-mail address is linked to another identity "
                                 "at the identity provider")
        if row is not None and row.disabled_at is not None:
            raise MunroError("the munro account is disabled")
        if grant is None and row is None:
            raise MunroError("no munro account has this identity or e-mail address, and the identity provider "
                             "gives no role (MUNRO_OIDC_ROLE_MAP is not set)")
        values = dict(sso_subject=subject, last_sign_in_at=now)
        if grant is not None:
            role, las = grant[0], check_access(*grant)
            values.update(role=role, la_code=",".join(las))
        if row is None:
            if not EMAIL.match(email):
                raise MunroError("the identity provider gave no e-mail address for the account")
            con.execute(users.insert().values(email=email, password_hash=NO_PASSWORD, failed_attempts=0,
                                              created_at=now, **values))
        else:
            con.execute(users.update().where(users.c.id == row.id).values(**values))
        row = con.execute(sa.select(users).where(users.c.sso_subject == subject)).first()
    return _user(row)


def authenticate(engine: sa.Engine, email: str, password: str, lock_after: int, lock_minutes: int) -> User | None:
    """The user if the password is right and the account is not locked; None otherwise (the same for every failure)."""
    email = (email or "").strip().lower()
    now = _now()
    with engine.begin() as con:
        row = con.execute(sa.select(users).where(users.c.email == email)).first()
        if row is None or row.password_hash == NO_PASSWORD:
            # An account of single sign-on only has no password to guess: no failure counted, no lock-out.
            _verify(_DUMMY_HASH, password)
            return None
        locked = row.locked_until is not None and row.locked_until > now
        ok = _verify(row.password_hash, password) and not locked and row.disabled_at is None
        if ok:
            values = dict(failed_attempts=0, locked_until=None, last_sign_in_at=now)
            if _hasher.check_needs_rehash(row.password_hash):
                values["password_hash"] = _hasher.hash(password)
            con.execute(users.update().where(users.c.id == row.id).values(**values))
            return _user(row)
        if locked:
            return None  # attempts while locked do not extend the lock: an attacker cannot keep a user out forever
        failures = row.failed_attempts + 1
        values = dict(failed_attempts=failures)
        if failures >= lock_after:
            values.update(failed_attempts=0, locked_until=now + dt.timedelta(minutes=lock_minutes))
            # A locked account's sessions end too.
            con.execute(web_sessions.delete().where(web_sessions.c.user_id == row.id))
        con.execute(users.update().where(users.c.id == row.id).values(**values))
        return None


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password or "")
    except (VerificationError, InvalidHashError):
        return False


def get_user(engine: sa.Engine, user_id: int) -> User | None:
    """The account, or None if there is none or it is disabled (so a disabled user's sessions stop at once)."""
    with engine.connect() as con:
        row = con.execute(sa.select(users).where(users.c.id == user_id, users.c.disabled_at.is_(None))).first()
    return _user(row) if row else None


def la_of(engine: sa.Engine, email: str) -> str | None:
    """The LA(s) of the account with this address, for the audit log of a failed sign-in; None if unknown."""
    with engine.connect() as con:
        return con.execute(sa.select(users.c.la_code).where(users.c.email == (email or "").strip().lower())).scalar()


def list_users(engine: sa.Engine, la: str | None = None) -> list[dict]:
    """Every account, or those of exactly LA ``la`` (an administrator's own; regional accounts are not theirs)."""
    now = _now()
    query = sa.select(users).order_by(users.c.email)
    if la is not None:
        query = query.where(users.c.la_code == la)
    with engine.connect() as con:
        rows = con.execute(query).all()
    return [{"id": r.id, "email": r.email, "la_code": r.la_code, "role": r.role,
             "locked": r.locked_until is not None and r.locked_until > now,
             "disabled": r.disabled_at is not None} for r in rows]


def format_users(rows: list[dict]) -> str:
    """``munro user list`` (``list_users``): a tab-separated line per account, "locked" and "disabled" if so."""
    if not rows:
        return "No users."
    return "\n".join("\t".join([r["email"], r["la_code"], r["role"]] + (["locked"] if r["locked"] else [])
                               + (["disabled"] if r["disabled"] else [])) for r in rows)


def _change(engine: sa.Engine, user_id: int, la: str | None, **values) -> str:
    """Update one account (of LA ``la`` if given) and end its sessions; its e-mail address, or MunroError."""
    with engine.begin() as con:
        where = [users.c.id == user_id] + ([users.c.la_code == la] if la is not None else [])
        row = con.execute(sa.select(users.c.email).where(*where)).first()
        if row is None:
            raise MunroError("there is no such user")
        con.execute(web_sessions.delete().where(web_sessions.c.user_id == user_id))
        if values:
            con.execute(users.update().where(users.c.id == user_id).values(**values))
        else:
            con.execute(users.delete().where(users.c.id == user_id))
    return row.email


def unlock_user(engine: sa.Engine, user_id: int, la: str | None = None) -> str:
    return _change(engine, user_id, la, failed_attempts=0, locked_until=None)


def disable_user(engine: sa.Engine, user_id: int, la: str | None = None, disabled: bool = True) -> str:
    """Disable (or enable again) an account: it cannot sign in and its sessions end; its history stays."""
    return _change(engine, user_id, la, disabled_at=_now() if disabled else None)


def remove_user(engine: sa.Engine, user_id: int, la: str | None = None) -> str:
    """Delete an account and its sessions; the audit log keeps its events (by e-mail address)."""
    return _change(engine, user_id, la)
