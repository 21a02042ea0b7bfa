"""Uploading a return that would replace the loaded one (issue 18): the findings page sets the two side by
side, and one far short of the loaded return (a partial extract, the wrong file) is loaded only when the
user ticks the box that confirms it; without it nothing is loaded and the upload waits.

The uploads are the store's own return of LA 330 for YEAR with children cut out; the counts expected
are those of the XML text itself (its <Child>, <CINdetails> and <ChildProtectionPlans> elements).
"""

from __future__ import annotations

import re

import pytest
from test_web_uploads import _uploads, upload
from web_helpers import LA, YEAR, client_of, email, form_token

from munro.store import list_returns
from munro.synth import generate


@pytest.fixture(scope="module")
def loaded(web_store) -> str:
    return (web_store.parent / "returns" / f"cin_{LA}_{YEAR}.xml").read_text(encoding="utf-8")


def keep(text: str, share: float) -> str:
    """The return with only its first ``share`` of children."""
    kids = list(re.finditer(r"\s*<Child>.*?</Child>", text, re.S))
    n = int(len(kids) * share)
    return text[:kids[0].start()] + "".join(k.group(0) for k in kids[:n]) + text[kids[-1].end():]


def counts(text: str) -> tuple[int, int, int]:
    return tuple(text.count(f"<{tag}>") for tag in ("Child", "CINdetails", "ChildProtectionPlans"))


def state(app) -> list[tuple]:
    """LA 330's returns for YEAR (the store also holds 331's, return 2)."""
    return [(r["return_id"], r["status"], r["children"])
            for r in list_returns(app.config["MUNRO"].store, include_superseded=True)
            if (r["la_code"], r["collection_year"]) == (LA, YEAR)]


def post_load(client, token, **fields):
    return client.post(f"/upload/{token}/load", data={"csrf_token": form_token(client, "/dashboard"), **fields})


def cells(page: str) -> list[list[str]]:
    """The comparison table's rows, as text."""
    table = page.split("The loaded return and this one", 1)[1].split("</table>", 1)[0]
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table.split("<tbody", 1)[1], re.S)]


def test_a_partial_return_needs_the_box_ticked(loading_app, loaded):
    client = client_of(loading_app, email("analyst"))
    partial = keep(loaded, 0.25)
    (old_c, old_e, old_p), (new_c, new_e, new_p) = counts(loaded), counts(partial)
    assert new_c < 0.75 * old_c and old_c - new_c >= 10  # far short: the threshold is crossed
    token = upload(client, partial.encode(), f"cin_{LA}_{YEAR}_partial.xml").headers["Location"].rsplit("/", 1)[1]
    page = client.get(f"/upload/{token}").text
    assert "It replaces the loaded return" in page and f"cin_{LA}_{YEAR}.xml, loaded " in page
    pct = lambda new, old: f"{round(100 * new / old)}%"  # noqa: E731
    rows = cells(page)
    assert rows[:3] == [
        ["Children", f"{old_c:,}", f"{new_c:,} ({pct(new_c, old_c)}) Far fewer"],
        ["Episodes", f"{old_e:,}", f"{new_e:,} ({pct(new_e, old_e)}) Far fewer"],
        ["Plans", f"{old_p:,}", f"{new_p:,} ({pct(new_p, old_p)}) Far fewer"]]
    assert rows[3][0] == "Referrals and closures in the year"
    assert 'type="checkbox"' in page and 'name="replace"' in page and "may be a partial extract" in page
    before = state(loading_app)
    assert before == [(1, "current", old_c)]

    refused = post_load(client, token)  # the box not ticked
    assert refused.status_code == 400 and "There is a problem" in refused.text
    assert 'href="#replace"' in refused.text and 'id="replace-error"' in refused.text
    assert "Tick the box to confirm that this return should replace the loaded one" in refused.text
    assert state(loading_app) == before and _uploads(loading_app) == [token]  # nothing loaded; the file waits
    assert client.get(f"/upload/{token}").status_code == 200

    forged = client.post(f"/upload/{token}/load", data={"csrf_token": "forged", "replace": "yes"})
    assert forged.status_code == 400 and state(loading_app) == before

    done = post_load(client, token, replace="yes")
    assert done.status_code == 200 and "Return loaded" in done.text
    assert "It replaces return 1, which is kept as superseded" in done.text
    assert state(loading_app) == [(3, "current", new_c), (1, "superseded", old_c)]
    assert _uploads(loading_app) == []


def test_a_corrected_return_shows_the_comparison_and_loads_without_the_box(loading_app, loaded):
    client = client_of(loading_app, email("analyst"))
    corrected = keep(loaded, 0.98)
    old_c, new_c = counts(loaded)[0], counts(corrected)[0]
    token = upload(client, corrected.encode()).headers["Location"].rsplit("/", 1)[1]
    page = client.get(f"/upload/{token}").text
    assert "It replaces the loaded return" in page and "Far fewer" not in page
    assert 'type="checkbox"' not in page and "Load this return" in page
    assert cells(page)[0] == ["Children", f"{old_c:,}", f"{new_c:,} ({round(100 * new_c / old_c)}%)"]
    done = post_load(client, token)
    assert done.status_code == 200 and "Return loaded" in done.text
    assert state(loading_app) == [(3, "current", new_c), (1, "superseded", old_c)]


def test_the_loaded_file_again_and_another_year_have_no_comparison(loading_app, loaded, tmp_path):
    generate(LA, [YEAR - 1], tmp_path, seed=9, scale=0.005)
    another_year = (tmp_path / f"cin_{LA}_{YEAR - 1}.xml").read_text(encoding="utf-8")
    client = client_of(loading_app, email("analyst"))
    token = upload(client, loaded.encode()).headers["Location"].rsplit("/", 1)[1]
    assert "It replaces the loaded return" not in client.get(f"/upload/{token}").text
    assert "Return already loaded" in post_load(client, token).text
    token = upload(client, another_year.encode()).headers["Location"].rsplit("/", 1)[1]
    page = client.get(f"/upload/{token}").text
    assert "Check the return before loading it" in page and "It replaces the loaded return" not in page
