"""Answering a survey one question at a time: answers in progress, stored exactly once.

The web service's answering pages ask one question per page, so a response is
built up over many requests before it is sent. The answers in progress (a
"draft") are kept here, in the server's memory, under a random key that the
respondent's browser holds in its session cookie: nothing a child wrote ever
sits in a cookie on a shared family computer, and an abandoned draft simply
expires. A restart loses drafts in progress (the respondent starts again).

Exactly once: ``submit`` takes the draft out under a lock and remembers its
key, so a second press of "Send", a double click or a resent POST finds the
key already used and stores nothing. One process holds the drafts, as
``munro serve`` runs one (waitress threads); the tokens used are kept for a
day, longer than any draft lives.

Public links name a survey by its id and a keyed hash of it (``link_key``),
so that nobody can reach another survey by counting ids.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import OrderedDict

import sqlalchemy as sa

from ..errors import MunroError
from .surveys import parse_answers, submit_response

DRAFT_MINUTES = 120  # an idle draft is forgotten after this
MAX_DRAFTS = 50_000  # bounded memory, whatever arrives: the oldest idle drafts go first
USED_HOURS = 24


def link_key(secret: str, survey_id: int) -> str:
    """The survey's public key: unguessable without the service's secret, the same on every start."""
    digest = hmac.new(secret.encode(), f"munro-survey:{survey_id}".encode(), hashlib.sha256).hexdigest()
    return f"{survey_id}-{digest[:16]}"


def survey_of_key(secret: str, key: str) -> int | None:
    """The survey id a public key names, or None if the key is not one this service made."""
    head, _, _ = key.partition("-")
    # ASCII digits only (str.isdigit takes "²", which int refuses); an ASCII key (compare_digest refuses others).
    if not (head.isascii() and head.isdigit() and len(head) <= 12 and key.isascii()):
        return None
    return int(head) if hmac.compare_digest(link_key(secret, int(head)), key) else None


def check_answer(version, question_id: str, raw: str, groups: dict | None = None) -> str | None:
    """The stored value of one answer (None when skipped); ValueError with a message the page can show.

    ``groups``: the survey's lists of groups (survey_groups.survey_groups), which a group answer must be in."""
    parsed = parse_answers(version, {question_id: raw}, groups)
    return parsed.get(question_id)


class Drafts:
    """Answers in progress, by draft key; ``submit`` stores each draft at most once."""

    def __init__(self, clock=time.monotonic, minutes: int = DRAFT_MINUTES, limit: int = MAX_DRAFTS):
        self.clock, self.ttl, self.limit = clock, minutes * 60, limit
        self._drafts: OrderedDict[str, tuple[int, dict, float]] = OrderedDict()  # key -> (survey, answers, last seen)
        self._used: OrderedDict[str, tuple[int, float]] = OrderedDict()  # key -> (response id or 0 while storing, when)
        # key -> the invitation code the respondent gave at the start: in memory only, never with the answers.
        self._codes: dict[str, str] = {}
        self._lock = threading.Lock()

    def start(self, survey_id: int, code: str | None = None) -> str:
        key = secrets.token_urlsafe(24)
        with self._lock:
            self._expire()
            self._drafts[key] = (survey_id, {}, self.clock())
            if code:
                self._codes[key] = code
        return key

    def answers(self, key: str | None, survey_id: int) -> dict | None:
        """A copy of the draft's answers, or None if there is no such draft for this survey."""
        with self._lock:
            d = self._touch(key, survey_id)
            return dict(d[1]) if d else None

    def answer(self, key: str | None, survey_id: int, question_id: str, value: str | None) -> bool:
        """Record (or, with None, clear) one answer; False if the draft is gone."""
        with self._lock:
            d = self._touch(key, survey_id)
            if d is None:
                return False
            if value is None:
                d[1].pop(question_id, None)
            else:
                d[1][question_id] = value
            return True

    def discard(self, key: str | None) -> None:
        """Forget a draft (the respondent left with "Exit this page"): nobody after them can see it."""
        with self._lock:
            self._drafts.pop(key, None)
            self._codes.pop(key, None)

    def used(self, key: str | None) -> bool:
        with self._lock:
            return key in self._used

    def submit(self, engine: sa.Engine, key: str | None, survey_id: int, **kw) -> tuple[int | None, bool]:
        """Store the draft as one response: (response id, True), or (None, False) if already sent.

        Raises MunroError (the survey closed, no answers) with the draft kept, so the page can say why.
        """
        with self._lock:
            if key in self._used:
                return None, False
            d = self._touch(key, survey_id)
            if d is None:
                raise MunroError("your answers have expired: start the survey again")
            del self._drafts[key]
            self._used[key] = (0, self.clock())  # claimed: a second submit from now on stores nothing
        try:
            rid = submit_response(engine, survey_id, d[1], code=self._codes.get(key), **kw)
        except BaseException:
            with self._lock:  # not stored: the respondent may try again
                self._used.pop(key, None)
                self._drafts[key] = (survey_id, d[1], self.clock())
            raise
        with self._lock:
            self._used[key] = (rid, self.clock())
            self._codes.pop(key, None)  # used: forgotten at once
        return rid, True

    def _touch(self, key, survey_id):
        d = self._drafts.get(key) if key else None
        if d is None or d[0] != survey_id:
            return None
        if self.clock() - d[2] > self.ttl:
            del self._drafts[key]
            self._codes.pop(key, None)
            return None
        d = (d[0], d[1], self.clock())
        self._drafts[key] = d
        self._drafts.move_to_end(key)
        return d

    def _expire(self):
        now = self.clock()
        while self._drafts and (len(self._drafts) >= self.limit
                                or now - next(iter(self._drafts.values()))[2] > self.ttl):
            self._codes.pop(self._drafts.popitem(last=False)[0], None)
        while self._used and now - next(iter(self._used.values()))[1] > USED_HOURS * 3600:
            self._used.popitem(last=False)
