"""Issue 20's Windows (and macOS) code paths, exercised on Linux with a simulated platform.

What a simulation cannot show (a real Edge printing, a real access list) is docs/deploy.md's
"Manual check on Windows"."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from munro.errors import MunroError
from munro.report import pdf


def _program(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return str(path)


def test_windows_browser_is_chrome_or_edge_under_the_install_folders_machine_wide_first(tmp_path):
    env = {"ProgramFiles": str(tmp_path / "PF"), "ProgramFiles(x86)": str(tmp_path / "PF86"),
           "LocalAppData": str(tmp_path / "LAD")}
    edge = _program(tmp_path / "PF86" / "Microsoft" / "Edge" / "Application" / "msedge.exe")
    assert pdf.browser("win32", env) == edge  # only Edge: found under Program Files (x86)
    user_chrome = _program(tmp_path / "LAD" / "Google" / "Chrome" / "Application" / "chrome.exe")
    assert pdf.browser("win32", env) == user_chrome  # Chrome before Edge, even the user's own install
    chrome = _program(tmp_path / "PF" / "Google" / "Chrome" / "Application" / "chrome.exe")
    assert pdf.browser("win32", env) == chrome  # the machine-wide install before the user's
    assert pdf.candidates("win32", env)[:3] == [str(tmp_path / "PF" / "Chromium" / "Application" / "chrome.exe"),
                                                str(tmp_path / "PF86" / "Chromium" / "Application" / "chrome.exe"),
                                                str(tmp_path / "LAD" / "Chromium" / "Application" / "chrome.exe")]
    assert len(pdf.candidates("win32", env)) == 9


def test_macos_browser_is_an_application_bundle_system_wide_first(tmp_path, monkeypatch):
    env = {"HOME": str(tmp_path)}
    assert pdf.candidates("darwin", env) == [
        "/Applications/Chromium.app/Contents/MacOS/Chromium",
        f"{tmp_path}/Applications/Chromium.app/Contents/MacOS/Chromium",
        "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
        f"{tmp_path}/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
        "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge",
        f"{tmp_path}/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge"]
    edge = _program(tmp_path / "Applications" / "Microsoft Edge.app" / "Contents" / "MacOS" / "Microsoft Edge")
    assert pdf.browser("darwin", env) == edge  # nothing in /Applications on this Linux machine


def test_linux_browser_is_the_first_of_chromium_chrome_and_edge_on_the_path(tmp_path):
    env = {"PATH": f"{tmp_path / 'a'}{os.pathsep}{tmp_path / 'b'}"}
    with pytest.raises(MunroError) as e:
        pdf.browser("linux", env)
    assert str(e.value) == ("report.pdf needs Chromium, Chrome or Edge and none was found (looked for chromium, "
                            "chromium-browser, google-chrome, google-chrome-stable, microsoft-edge): install one, "
                            "set MUNRO_BROWSER to its program, or pass --no-pdf")
    edge = _program(tmp_path / "a" / "microsoft-edge")
    assert pdf.browser("linux", env) == edge
    stable = _program(tmp_path / "a" / "google-chrome-stable")
    assert pdf.browser("linux", env) == stable
    _program(tmp_path / "b" / "chromium-browser")
    assert pdf.browser("linux", env) == str(tmp_path / "b" / "chromium-browser")  # a name earlier in the list wins
    chromium = _program(tmp_path / "b" / "chromium")
    assert pdf.browser("linux", env) == chromium


def test_the_setting_names_the_browser_on_any_platform_and_a_wrong_one_is_one_line(tmp_path):
    mine = _program(tmp_path / "my browser" / "chrome.exe")
    edge = _program(tmp_path / "PF" / "Microsoft" / "Edge" / "Application" / "msedge.exe")
    env = {"ProgramFiles": str(tmp_path / "PF")}
    assert pdf.browser("win32", env) == edge
    assert pdf.browser("win32", env | {"MUNRO_BROWSER": mine}) == mine
    assert pdf.browser("win32", env | {"MUNRO_CHROMIUM": mine}) == mine  # the older name still works
    assert pdf.browser("linux", {"MUNRO_BROWSER": mine, "MUNRO_CHROMIUM": edge}) == mine  # the new name first
    with pytest.raises(MunroError) as e:
        pdf.browser("win32", env | {"MUNRO_BROWSER": str(tmp_path / "nowhere.exe")})
    assert str(e.value) == (f"MUNRO_BROWSER={tmp_path / 'nowhere.exe'} is not a browser's program: set it to "
                            "Chromium's, Chrome's or Edge's, or pass --no-pdf")


def test_trend_years_fork_only_on_linux(monkeypatch):
    import multiprocessing
    import sys

    from munro.report import build

    assert build.fork_context() is multiprocessing.get_context("fork")  # this Linux machine: the measured speed-up
    for platform in ("win32", "darwin"):
        monkeypatch.setattr(sys, "platform", platform)
        assert build.fork_context() is None

