"""One-time invitation codes: random, stored hashed, one code one response, never linked to the response."""

import csv
import datetime as dt
import hashlib
import io
import re

import pytest
import sqlalchemy as sa
from local_helpers import OPEN_DAY, dump

from munro.errors import MunroError
from munro.local import schema as t
from munro.local.invitations import CodeRefused, code_usable, codes_csv, create_codes, invitation_counts
from munro.local.results import survey_answers
from munro.local.surveys import close_survey, submit_response

NOW = dt.datetime(2026, 1, 6, 9, 0)


def test_codes_are_random_shown_once_and_only_their_hashes_kept(app, make_survey):
    s = make_survey("staff")
    codes = create_codes(app, s, 50, NOW)
    assert len(set(codes)) == 50 and all(re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){2}", c)
                                         for c in codes)
    text = dump(app)
    assert not any(c in text or c.replace("-", "") in text for c in codes)
    stored = hashlib.sha256(f"munro-invitation:{codes[0].replace('-', '')}".encode()).hexdigest()
    assert stored in text
    assert invitation_counts(app, s.id) == {"codes": 50, "used": 0}
    for n in (0, 10_001):
        with pytest.raises(MunroError, match="between 1 and 10,000"):
            create_codes(app, s, n, NOW)
    with pytest.raises(MunroError, match="is closed"):
        create_codes(app, close_survey(app, s.id), 1, NOW)


def test_one_code_one_response_and_the_response_cannot_be_traced_to_it(app, make_survey):
    s, other = make_survey("staff"), make_survey("staff")
    first, second = create_codes(app, s, 2, NOW)
    [elsewhere] = create_codes(app, other, 1, NOW)
    answer = {"workload_manageable": "agree"}
    for code in (None, "", "AAAA-AAAA-AAAA", elsewhere):
        with pytest.raises(CodeRefused):
            submit_response(app, s.id, answer, today=OPEN_DAY, code=code)
    # Typed as people type: lower case, spaces for dashes, the letter O for the digit 0, I or L for 1.
    typed = first.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert code_usable(app, s.id, typed) and not code_usable(app, other.id, typed)
    submit_response(app, s.id, answer, today=OPEN_DAY, code=typed)
    assert not code_usable(app, s.id, first)
    with pytest.raises(CodeRefused, match="has been used already"):
        submit_response(app, s.id, {"workload_manageable": "disagree"}, today=OPEN_DAY, code=first)
    submit_response(app, s.id, {"workload_manageable": "disagree"}, today=OPEN_DAY, code=second)
    assert survey_answers(app, s.id) == [{"workload_manageable": "agree"}, {"workload_manageable": "disagree"}]
    assert invitation_counts(app, s.id) == {"codes": 2, "used": 2}
    # Nothing ties a response to its code: the response has no column for one, the code no time of use or response.
    assert [c.name for c in t.responses.columns] == ["id", "survey_id", "import_id"]
    assert [c.name for c in t.survey_invitations.columns] == ["id", "survey_id", "code_hash", "used", "created_at"]
    with app.connect() as con:
        assert {r.created_at for r in con.execute(sa.select(t.survey_invitations))} == {NOW}
    # A survey without codes takes answers without one, as before.
    submit_response(app, make_survey("staff").id, answer, today=OPEN_DAY)


def test_the_mail_merge_file(app, make_survey):
    rows = list(csv.reader(io.StringIO(codes_csv(["7KQM-3XRD-9PTA", "AB12-CD34-EF56"], "https://x.example/s/4-ab"))))
    assert rows == [["code", "link", "link_with_code"],
                    ["7KQM-3XRD-9PTA", "https://x.example/s/4-ab", "https://x.example/s/4-ab?code=7KQM-3XRD-9PTA"],
                    ["AB12-CD34-EF56", "https://x.example/s/4-ab", "https://x.example/s/4-ab?code=AB12-CD34-EF56"]]
