"""report.pdf: a headless Chromium, Chrome or Edge printing the page itself, so the PDF is the page.

The browser is one already installed, never a downloaded one: ``MUNRO_BROWSER`` (or its older
name ``MUNRO_CHROMIUM``) if set, else the first found of the platform's usual places (``CANDIDATES``
below): on Linux Chromium, Chrome or Edge on the PATH; on macOS their application bundles; on
Windows Chrome's and Edge's install folders (Edge is on every Windows 10 and 11 machine). All three
are Chromium and take the same flags. The flags keep it from reaching the network (no background
networking, component updates or sync) and from touching the user's profile
(a throw-away profile folder).

The report starts the browser before it gathers its data (``start_printer``) and has it print the page
over the DevTools pipe once the page is written (devtools.py); where the pipe cannot be had or fails,
a browser started then with ``--print-to-pdf`` prints it (``Printing``), the same PDF.

The paper is the page's: A4, from the ``@page`` rule of assets/report.css, which both
honour (no flag sets a size; without the rule Chromium would
print on US Letter). tests/report/test_pdf_paper.py reads the size back.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..errors import MunroError
from .devtools import PipeBrowser, PipeFailed
from .print_copy import printing_copy

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run")
# --print-to-pdf's: no header or footer; the outline, the headings as PDF bookmarks (devtools.PRINT the same)
PRINT_FLAGS = ("--no-pdf-header-footer", "--generate-pdf-document-outline")
TIMEOUT = 120  # seconds: a large report prints in a few; a hung browser must not hang munro


# Linux: names looked up on the PATH (Debian's chromium first, as before).
LINUX = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "microsoft-edge")
# macOS: the application bundles' programs, in /Applications and then the user's own ~/Applications.
MACOS = ("Chromium.app/Contents/MacOS/Chromium", "Google Chrome.app/Contents/MacOS/Google Chrome",
         "Microsoft Edge.app/Contents/MacOS/Microsoft Edge")
# Windows: under each of these folders (machine-wide installs first, then the user's own).
WINDOWS_ROOTS = ("ProgramFiles", "ProgramFiles(x86)", "LocalAppData")
WINDOWS = (("Chromium", "Application", "chrome.exe"), ("Google", "Chrome", "Application", "chrome.exe"),
           ("Microsoft", "Edge", "Application", "msedge.exe"))


def candidates(platform: str | None = None, environ=None) -> list[str]:
    """Where the browser is looked for on ``platform`` (``sys.platform``), in order; PATH names as names."""
    platform = sys.platform if platform is None else platform
    environ = os.environ if environ is None else environ
    if platform == "win32":
        roots = [environ[r] for r in WINDOWS_ROOTS if environ.get(r)]
        return [str(Path(root, *parts)) for parts in WINDOWS for root in roots]
    if platform == "darwin":
        homes = ["/Applications", str(Path(environ.get("HOME") or Path.home(), "Applications"))]
        return [f"{home}/{app}" for app in MACOS for home in homes]
    return list(LINUX)


def browser(platform: str | None = None, environ=None) -> str:
    """The browser that prints the PDF, or a one-line MunroError naming where it was looked for."""
    environ = os.environ if environ is None else environ
    for name in ("MUNRO_BROWSER", "MUNRO_CHROMIUM"):
        if environ.get(name):
            if not Path(environ[name]).is_file():
                raise MunroError(f"{name}={environ[name]} is not a browser's program: set it to Chromium's, "
                                 "Chrome's or Edge's, or pass --no-pdf")
            return environ[name]
    looked = candidates(platform, environ)
    for c in looked:
        found = c if Path(c).is_absolute() else shutil.which(c, path=environ.get("PATH"))
        if found and Path(found).is_file():
            return found
    raise MunroError("report.pdf needs Chromium, Chrome or Edge and none was found (looked for "
                     f"{', '.join(looked) or 'nothing: no install folders are set'}): install one, set "
                     "MUNRO_BROWSER to its program, or pass --no-pdf")


def print_pdf(page: Path, out: Path) -> Path:
    """Print ``page`` (a local HTML file) to ``out`` with a headless Chromium (``browser``)."""
    printer = start_printer()
    try:
        printer.print(page, out)
        return printer.wait()
    finally:
        printer.close()


def start_printer() -> Printer:
    """The browser started now, before there is a page: the report starts it before gathering its data."""
    return Printer()


class Printer:
    """A headless Chromium started ahead of the page (devtools.PipeBrowser): ``print(page, out)`` when the
    page is written, ``wait()`` for the PDF (or the one-line MunroError; a browser that cannot be found is
    told there too, in the report's order of steps), ``close()`` always, whatever happened meanwhile.
    Where the pipe cannot be had (Windows, whose Chromium takes no descriptors 3 and 4) or fails, the page
    is printed as before, by a Chromium started with ``--print-to-pdf``."""

    def __init__(self):
        self.error: MunroError | None = None
        self.pipe: PipeBrowser | None = None
        self.printing: Printing | None = None
        self.job: tuple[Path, Path] | None = None
        try:
            self.program = browser()
        except MunroError as e:
            self.error = e
            return
        if sys.platform != "win32":
            try:
                self.pipe = PipeBrowser(self.program, FLAGS, TIMEOUT)
            except OSError:
                self.pipe = None  # printed with --print-to-pdf instead, whose own start tells what is wrong

    def print(self, page: Path, out: Path) -> None:
        self.job = (Path(page), Path(out))
        if self.error is None:
            if self.pipe is not None:
                self.pipe.print(*self.job)
            else:
                self.printing = Printing(*self.job, self.program)

    def wait(self) -> Path:
        if self.error is not None:
            raise self.error
        if self.pipe is not None:
            try:
                return self.pipe.wait()
            except PipeFailed:
                self.pipe.close()
                self.pipe = None
                self.printing = Printing(*self.job, self.program)
        return self.printing.wait()

    def close(self) -> None:
        for part in (self.pipe, self.printing):
            if part is not None:
                part.close()


class Printing:
    """``program`` (a headless Chromium) started now with ``--print-to-pdf``, printing ``page`` to ``out``:
    ``wait()`` gives the PDF or the one-line MunroError; ``close()`` stops it when the report fails meanwhile."""

    def __init__(self, page: Path, out: Path, program: str):
        self.page, self.out = page, out
        self.process: subprocess.Popen | None = None
        self.profile: tempfile.TemporaryDirectory | None = tempfile.TemporaryDirectory(prefix="munro-chromium-")
        copy = printing_copy(page.resolve(), Path(self.profile.name))
        cmd = [program, *FLAGS, *PRINT_FLAGS, f"--user-data-dir={self.profile.name}", f"--print-to-pdf={out}",
               copy.as_uri()]
        self.deadline = time.monotonic() + TIMEOUT
        # Its messages go to a file, not a pipe: nobody reads a pipe while the workbook is written, and a
        # full one would stop the browser.
        self.log = Path(self.profile.name, "stderr.txt")
        try:
            with open(self.log, "w") as log:
                self.process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log)
        except BaseException:
            self.close()
            raise

    def wait(self) -> Path:
        try:
            self.process.wait(timeout=max(0.0, self.deadline - time.monotonic()))
            stderr = self.log.read_text(errors="replace")
        except subprocess.TimeoutExpired:
            raise MunroError(f"Chromium did not finish printing {self.page} within {TIMEOUT} s") from None
        finally:
            self.close()
        out, code = self.out, self.process.returncode
        if code != 0 or not out.exists() or out.stat().st_size == 0:
            tail = (stderr or "").strip().splitlines()[-1:] or ["no message"]
            raise MunroError(f"Chromium could not print {self.page} to PDF (exit {code}): {tail[0]}")
        return out

    def close(self) -> None:
        """Stop the browser if it is still printing, and remove its throw-away profile."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.profile is not None:
            self.profile.cleanup()
            self.profile = None
