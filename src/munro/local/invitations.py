"""One-time invitation codes: when a survey has any, it takes a response only with an unused one.

The survey's administrator makes N codes and mail-merges them (with the link)
to the people invited. Only a SHA-256 hash of each code is stored: the codes
are random (60 bits), so a fast hash is enough and nobody reading the database
learns a usable code. Using a code marks its row used in the transaction that
stores the response, and nothing else: no time, and nothing on the response
that points to the code, so the answers cannot be traced to whom the code was
sent (docs/local.md).
"""

from __future__ import annotations

import hashlib
import io
import secrets

import sqlalchemy as sa

from ..errors import MunroError
from ..output import csv_writer
from . import schema as t

# Crockford's base 32 without the letters people confuse (I, L, O, U): read off a letter and typed again.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12  # 60 bits: guessing one among a survey's codes is hopeless within the rate limits
MAX_CODES = 10_000  # per request: a large LA's whole workforce


class CodeRefused(MunroError):
    """A response without a usable invitation code: nothing stored."""


def _normal(code: str) -> str:
    """A code as typed (any case, spaces or dashes, O for 0, I or L for 1) in its stored form."""
    text = "".join(str(code).split()).replace("-", "").upper()
    return text.translate(str.maketrans("OIL", "011"))


def _hash(code: str) -> str:
    return hashlib.sha256(f"munro-invitation:{_normal(code)}".encode()).hexdigest()


def _shown(raw: str) -> str:
    return "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))


def create_codes(engine: sa.Engine, survey, n: int, now) -> list[str]:
    """``n`` new codes for ``survey`` (shown once: only their hashes are kept), as XXXX-XXXX-XXXX."""
    if survey.closed_at is not None:
        raise MunroError(f"survey {survey.id} is closed: it takes no more answers")
    if not 1 <= n <= MAX_CODES:
        raise MunroError(f"make between 1 and {MAX_CODES:,} invitation codes at a time")
    codes = [_shown("".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))) for _ in range(n)]
    with engine.begin() as con:
        con.execute(t.survey_invitations.insert(), [{"survey_id": survey.id, "code_hash": _hash(c), "used": False,
                                                     "created_at": now} for c in codes])
    return codes


def invitation_counts(con_or_engine, survey_id: int) -> dict:
    """``{"codes": made, "used": used}``: a survey with codes takes a response only with one."""
    q = (sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(sa.case((t.survey_invitations.c.used, 1),
                                                                          else_=0)), 0))
         .where(t.survey_invitations.c.survey_id == survey_id))
    if isinstance(con_or_engine, sa.Engine):
        with con_or_engine.connect() as con:
            made, used = con.execute(q).one()
    else:
        made, used = con_or_engine.execute(q).one()
    return {"codes": made, "used": used}


def needs_code(con_or_engine, survey_id: int) -> bool:
    return invitation_counts(con_or_engine, survey_id)["codes"] > 0


def code_usable(engine: sa.Engine, survey_id: int, code: str | None) -> bool:
    """Whether ``code`` is an unused code of the survey (the start page checks before the questions)."""
    if not code:
        return False
    with engine.connect() as con:
        return con.execute(sa.select(t.survey_invitations.c.id).where(
            t.survey_invitations.c.survey_id == survey_id, t.survey_invitations.c.code_hash == _hash(code),
            t.survey_invitations.c.used == sa.false())).first() is not None


def use_code(con, survey_id: int, code: str | None) -> None:
    """Mark the code used in the caller's transaction (that of the response); MunroError if it cannot be."""
    if not needs_code(con, survey_id):
        return
    if not code:
        raise CodeRefused(f"survey {survey_id} takes answers only with an invitation code")
    done = con.execute(t.survey_invitations.update().where(
        t.survey_invitations.c.survey_id == survey_id, t.survey_invitations.c.code_hash == _hash(code),
        t.survey_invitations.c.used == sa.false()).values(used=True))
    if done.rowcount != 1:  # unknown, another survey's, or used already (by this respondent or another)
        raise CodeRefused("the invitation code is not one of this survey's, or has been used already")


def codes_csv(codes: list[str], link: str | None) -> str:
    """The codes for a mail merge: one row per code, with the survey's link (and the link with the code)."""
    out = io.StringIO()
    w = csv_writer(out, lineterminator="\r\n")
    w.writerow(["code", "link", "link_with_code"])
    for c in codes:
        w.writerow([c, link or "", f"{link}?code={c}" if link else ""])
    return out.getvalue()
