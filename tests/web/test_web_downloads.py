"""The report downloads: HTML, PDF and XLSX of an LA-year, internal or published, each one in the audit log."""

from __future__ import annotations

from web_helpers import LA, OTHER, YEAR, email

from munro.web.audit_log import read


def test_the_three_formats_and_two_variants(app, signed_in):
    client = signed_in(email("analyst"))
    page = client.get(f"/la/{LA}/{YEAR}").text
    assert f"/la/{LA}/{YEAR}/report" in page  # the dashboard links to the downloads
    internal = client.get(f"/la/{LA}/{YEAR}/report.html")
    assert internal.mimetype == "text/html" and "attachment" in internal.headers["Content-Disposition"]
    assert "unsuppressed small numbers" in internal.text and "-internal.html" in internal.headers["Content-Disposition"]
    published = client.get(f"/la/{LA}/{YEAR}/report.html?variant=published")
    assert "Disclosure control applied" in published.text
    book = client.get(f"/la/{LA}/{YEAR}/report.xlsx?variant=published")
    assert book.data[:2] == b"PK" and book.mimetype.endswith("spreadsheetml.sheet")
    pdf = client.get(f"/la/{LA}/{YEAR}/report.pdf")
    assert pdf.data[:5] == b"%PDF-" and pdf.mimetype == "application/pdf"
    assert client.get(f"/la/{LA}/{YEAR}/report.docx").status_code == 404
    assert client.get(f"/la/{LA}/{YEAR}/report.html?variant=secret").status_code == 403
    # The dashboard's cached data is still the internal one after a published download (330's 2 plans for
    # physical abuse: tests/web/test_web_authz.py).
    assert "Physical abuse,2" in client.get(f"/la/{LA}/{YEAR}/items/cpp_starts_by_category/"
                                            "cpp_starts_by_category-groups.csv").text
    assert "data-published" not in client.get(f"/la/{LA}/{YEAR}").text
    events, _ = read(app.extensions["munro_app_db"], las=(LA,), event="export")
    assert {e.detail for e in events} >= {f"{YEAR} report (html, internal)", f"{YEAR} report (pdf, internal)",
                                         f"{YEAR} report (xlsx, published)", f"{YEAR} report (html, published)"}


def test_a_regional_user_gets_the_published_report_of_each_la(app, signed_in):
    client = signed_in("regional@example.gov.uk")
    for la in (LA, OTHER):
        response = client.get(f"/la/{la}/{YEAR}/report.html")
        assert response.status_code == 200 and "Disclosure control applied" in response.text
        assert client.get(f"/la/{la}/{YEAR}/report.html?variant=internal").status_code == 403


def test_the_breakdown_by_team_without_allocations_says_why(app, signed_in):
    page = signed_in(email("analyst")).get(f"/la/{LA}/{YEAR}/report.html?by=team").text
    assert "Breakdown by team:</strong> There is no breakdown by team:" in page
    assert "Appendix: breakdown by team" not in page
