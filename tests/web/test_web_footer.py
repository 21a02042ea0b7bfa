"""Every page says which munro serves it (issue 20, deliverable 5): the staff pages in their footer, with
the published statistics their figures come from and the Open Government Licence attribution with the
licence's address (as text: no page links outside the service); the public answering pages only in a
generator tag, off a shared screen like the service's name.

The version expected is the installed distribution's, read from its metadata here.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from lxml import html as lxml_html
from web_helpers import LA, client_of, email

from munro.local.respond import link_key
from munro.local.surveys import create_survey
from provenance_expected import OGL, OGL_URL, SOURCES, VERSION


@pytest.fixture(scope="module")
def app(web_store, tmp_path_factory, app_factory):
    return app_factory(web_store, tmp_path_factory.mktemp("footer"))


def _text(node) -> str:
    return re.sub(r"\s+", " ", node.text_content()).strip()


@pytest.mark.parametrize("path, signed_in", [("/sign-in", False), ("/accessibility", False), ("/no-such-page", False),
                                              ("/dashboard", True)])
def test_a_staff_page_names_its_munro_sources_and_licence(app, path, signed_in):
    client = client_of(app, email("analyst")) if signed_in else app.test_client()
    page = lxml_html.fromstring(client.get(path).text)
    footer = page.xpath("//footer")[0]
    assert _text(footer.xpath(".//*[@data-made-by]")[0]) == f"Made with munro {VERSION}."
    attribution = footer.xpath(".//*[@data-attribution]")[0]
    assert _text(attribution) == f"{SOURCES} {OGL} The licence: {OGL_URL}"
    assert not attribution.xpath(".//a")  # no page links outside the service (test_web_security.py)


def test_a_public_answering_page_names_its_munro_off_the_screen(app):
    survey = create_survey(app.extensions["munro_app_db"], la=LA, instrument="children-8-11",
                           opens_on=dt.date(2025, 1, 1), closes_on=dt.date(2099, 1, 1))
    response = app.test_client().get(f"/s/{link_key(app.config['MUNRO'].secret_key, survey.id)}")
    assert response.status_code == 200
    page = lxml_html.fromstring(response.text)
    assert page.xpath("//meta[@name='generator']/@content") == [f"munro {VERSION}"]
    # Nothing on the screen names the service, and no published statistics are shown, so no licence line.
    assert "munro" not in _text(page.xpath("//body")[0]).lower()
    assert "Open Government Licence" not in response.text
