"""The browser that prints report.pdf: started before the page exists, always stopped, and the older
``--print-to-pdf`` when the DevTools pipe fails.

Stand-in browsers (shell scripts named by MUNRO_BROWSER) show what no real one does on demand: a browser
without the pipe, one that fails, one that hangs. The real Chromium's print of the page is checked by
test_pdf_paper.py and test_browser.py (internal_report is printed through the pipe).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from munro.errors import MunroError
from munro.report import build, devtools, pdf


def _browser(tmp_path: Path, monkeypatch, body: str) -> Path:
    """A stand-in browser: ``body`` in a shell script; each start's arguments appended to calls.txt."""
    script = tmp_path / "browser"
    script.write_text(f'#!/bin/sh\necho "$@" >> "{tmp_path}/calls.txt"\n{body}\n')
    script.chmod(0o755)
    monkeypatch.setenv("MUNRO_BROWSER", str(script))
    return tmp_path / "calls.txt"


def _page(tmp_path: Path) -> Path:
    page = tmp_path / "index.html"
    page.write_text("<!doctype html><title>t</title><h1>A page</h1>", encoding="utf-8")
    return page


def _profiles(calls: Path) -> list[str]:
    return [a.removeprefix("--user-data-dir=") for line in calls.read_text().splitlines() for a in line.split()
            if a.startswith("--user-data-dir=")]


# Without the pipe (it exits when asked for it), printing a fixed PDF when asked with --print-to-pdf.
NO_PIPE = """for a in "$@"; do case "$a" in
  --remote-debugging-pipe) echo "no pipe here" >&2; exit 3;;
  --print-to-pdf=*) printf '%%PDF-1.4 printed by the stand-in' > "${a#--print-to-pdf=}";;
esac; done"""


def test_a_browser_without_the_pipe_prints_with_print_to_pdf(tmp_path, monkeypatch):
    calls = _browser(tmp_path, monkeypatch, NO_PIPE)
    page = _page(tmp_path)
    assert pdf.print_pdf(page, tmp_path / "report.pdf").read_bytes() == b"%PDF-1.4 printed by the stand-in"
    started = calls.read_text().splitlines()
    assert len(started) == 2 and "--remote-debugging-pipe" in started[0]
    # the page's printing copy (report/print_copy.py), in that start's throw-away profile
    copy = Path(_profiles(calls)[1], page.name).as_uri()
    assert started[1].endswith(f"--print-to-pdf={tmp_path / 'report.pdf'} {copy}")
    for line in started:  # both starts keep it off the network, each in a throw-away profile
        assert "--disable-background-networking --disable-component-update --disable-sync" in line
    assert [Path(p).exists() for p in _profiles(calls)] == [False, False]


def test_a_browser_that_fails_either_way_is_one_line(tmp_path, monkeypatch):
    _browser(tmp_path, monkeypatch, 'echo "[1:1:ERROR] something broke" >&2; exit 1')
    page = _page(tmp_path)
    with pytest.raises(MunroError) as e:
        pdf.print_pdf(page, tmp_path / "report.pdf")
    assert str(e.value) == f"Chromium could not print {page} to PDF (exit 1): [1:1:ERROR] something broke"


def test_a_browser_that_never_answers_is_stopped_after_the_timeout(tmp_path, monkeypatch):
    calls = _browser(tmp_path, monkeypatch, "exec sleep 60")
    monkeypatch.setattr(pdf, "TIMEOUT", 1)
    page = _page(tmp_path)
    printer = pdf.start_printer()
    began = time.monotonic()
    try:
        printer.print(page, tmp_path / "report.pdf")
        with pytest.raises(MunroError) as e:
            printer.wait()
    finally:
        printer.close()
    assert str(e.value) == f"Chromium did not finish printing {page} within 1 s"
    assert time.monotonic() - began < 5  # killed, not waited for
    assert printer.pipe.process.poll() is not None
    assert [Path(p).exists() for p in _profiles(calls)] == [False]
    assert len(calls.read_text().splitlines()) == 1  # a hung browser is not started again


def test_no_browser_is_one_line_when_the_pdf_is_waited_for(tmp_path, monkeypatch):
    monkeypatch.setenv("MUNRO_BROWSER", str(tmp_path / "nowhere"))
    printer = pdf.start_printer()  # nothing started: the report's other files are written first
    printer.print(_page(tmp_path), tmp_path / "report.pdf")
    with pytest.raises(MunroError) as e:
        printer.wait()
    printer.close()
    assert str(e.value) == (f"MUNRO_BROWSER={tmp_path / 'nowhere'} is not a browser's program: set it to "
                            "Chromium's, Chrome's or Edge's, or pass --no-pdf")


def test_the_browser_starts_before_the_gathering_and_is_stopped_when_it_fails(report_store, tmp_path,
                                                                              monkeypatch):
    """The real browser: started with the report, and gone, with its profile, when the gathering fails."""
    from munro import report

    started = []

    def start():
        started.append(pdf.start_printer())
        return started[-1]

    def gather(*args, **kwargs):
        assert started and started[0].pipe.process.poll() is None  # already starting beside the gathering
        raise RuntimeError("the gathering failed")

    monkeypatch.setattr(report, "start_printer", start)
    monkeypatch.setattr(build, "gather", gather)
    with pytest.raises(RuntimeError, match="the gathering failed"):
        report.write_report(report_store, "330", 2025, tmp_path / "r")
    [printer] = started
    assert printer.pipe.process.poll() is not None
    assert not Path(printer.pipe.profile.name).exists()


def test_no_pdf_never_starts_the_browser(report_store, tmp_path, monkeypatch):
    from munro import report

    monkeypatch.setattr(report, "start_printer", lambda: pytest.fail("the browser was started"))
    monkeypatch.setattr(build, "gather", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("stop here")))
    with pytest.raises(RuntimeError, match="stop here"):
        report.write_report(report_store, "330", 2025, tmp_path / "r", pdf=False)


def test_the_pipe_asks_for_what_print_to_pdf_asks_for():
    """Chromium's headless command handler prints with these for --no-pdf-header-footer and
    --generate-pdf-document-outline: the PDF is the same either way."""
    assert devtools.PRINT == {"displayHeaderFooter": False, "generateDocumentOutline": True,
                              "generateTaggedPDF": True, "printBackground": True, "preferCSSPageSize": True}
    assert pdf.PRINT_FLAGS == ("--no-pdf-header-footer", "--generate-pdf-document-outline")


@pytest.mark.skipif(os.name != "posix", reason="the stand-in browser is a shell script")
def test_windows_prints_with_print_to_pdf_from_the_start(tmp_path, monkeypatch):
    """Windows's Chromium takes no descriptors 3 and 4: the page is printed the older way, started with it."""
    calls = _browser(tmp_path, monkeypatch, NO_PIPE)
    monkeypatch.setattr(pdf.sys, "platform", "win32")
    printer = pdf.start_printer()
    assert not calls.exists()  # nothing started before the page
    try:
        printer.print(_page(tmp_path), tmp_path / "report.pdf")
        assert printer.wait().read_bytes() == b"%PDF-1.4 printed by the stand-in"
    finally:
        printer.close()
    [line] = calls.read_text().splitlines()
    assert "--remote-debugging-pipe" not in line and "--print-to-pdf=" in line
