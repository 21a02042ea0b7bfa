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



@pytest.fixture
def windows(monkeypatch):
    """A simulated Windows: munro.private's platform check says so, and icacls's calls are recorded (each
    with the file's content at the time) and succeed. Files are made with the umask most users have (022)."""
    import subprocess

    from munro import private

    calls = []

    def icacls(argv, **kwargs):
        target = Path(argv[1])
        calls.append((argv, target.read_text() if target.is_file() else None))
        return subprocess.CompletedProcess(argv, 0, "processed file: ...\nSuccessfully processed 1 files", "")

    monkeypatch.setattr(private, "_windows", lambda: True)
    monkeypatch.setattr(private.subprocess, "run", icacls)
    monkeypatch.setenv("USERNAME", "alice")
    monkeypatch.setenv("USERDOMAIN", "COUNCIL")
    old = os.umask(0o022)
    yield calls
    os.umask(old)


def _mode(path) -> int:
    return os.stat(path).st_mode & 0o777


def test_windows_files_and_folders_munro_makes_get_an_owner_only_access_list(windows, tmp_path):
    from munro.private import create_new, open_private, private_dir, private_file

    private_file(tmp_path / "app.sqlite")
    private_dir(tmp_path / "staging")
    with open_private(tmp_path / "unmatched.csv", "w") as f:
        f.write("x")
    assert create_new(tmp_path / "key", "secret")
    assert windows == [
        (["icacls", str(tmp_path / "app.sqlite"), "/inheritance:r", "/grant:r", "COUNCIL\\alice:(F)"], ""),
        (["icacls", str(tmp_path / "staging"), "/inheritance:r", "/grant:r", "COUNCIL\\alice:(OI)(CI)(F)"], None),
        (["icacls", str(tmp_path / "unmatched.csv"), "/inheritance:r", "/grant:r", "COUNCIL\\alice:(F)"], ""),
        # the key's access list is set before the secret is written
        (["icacls", str(tmp_path / "key"), "/inheritance:r", "/grant:r", "COUNCIL\\alice:(F)"], ""),
    ]
    assert (tmp_path / "key").read_text() == "secret"


def test_windows_without_a_domain_grants_the_user_by_name(windows, tmp_path, monkeypatch):
    from munro.private import private_file

    monkeypatch.delenv("USERDOMAIN")
    private_file(tmp_path / "a")
    assert windows[0][0] == ["icacls", str(tmp_path / "a"), "/inheritance:r", "/grant:r", "alice:(F)"]


def test_windows_icacls_failing_is_one_warning_and_the_file_is_still_made(windows, tmp_path, monkeypatch):
    import subprocess

    from munro import private

    monkeypatch.setattr(private.subprocess, "run", lambda argv, **kw: subprocess.CompletedProcess(
        argv, 1332, "Successfully processed 0 files; Failed processing 1 files",
        "COUNCIL\\alice: No mapping between account names and security IDs was done."))
    with pytest.warns(private.FilesTightened) as seen:
        private.private_file(tmp_path / "a")
    assert [str(w.message) for w in seen] == [
        f"{tmp_path / 'a'} could not be made its owner's only (COUNCIL\\alice: No mapping between account names and "
        "security IDs was done.): it has its folder's access list, so keep it in a folder only you can open"]
    assert (tmp_path / "a").exists()


def test_windows_mode_bits_are_neither_set_nor_checked(windows, tmp_path):
    from munro.private import owner_only_from_now, private_dir, private_file, readable_by_others, tighten

    shared, folder = tmp_path / "shared.sqlite", tmp_path / "folder"
    shared.write_text("")
    folder.mkdir()
    shared.chmod(0o644)
    folder.chmod(0o755)
    owner_only_from_now()
    assert os.umask(0o022) == 0o022  # the umask left alone (Windows has none that matters)
    assert not tighten(shared) and _mode(shared) == 0o644
    private_file(shared)
    private_dir(folder)
    assert (_mode(shared), _mode(folder)) == (0o644, 0o755)  # existing: not chmod-ed ...
    assert windows == []  # ... and their access lists, munro's from when it made them, not rewritten
    assert readable_by_others(shared) is False


def test_windows_a_key_or_secret_that_looks_open_by_its_mode_is_accepted(windows, tmp_path, monkeypatch):
    from munro import private
    from munro.store.keys import new_key_file, read_key
    from munro.web.config import _secret_file

    new_key_file(tmp_path / "key")
    (tmp_path / "key").chmod(0o644)  # as every file looks on Windows
    secret = tmp_path / "app.sqlite.secret"
    secret.write_text("k" * 40)
    secret.chmod(0o644)
    assert len(read_key(tmp_path / "key")) == 32
    assert _secret_file(f"sqlite:///{tmp_path / 'app.sqlite'}", tmp_path / "store.duckdb") == "k" * 40
    monkeypatch.setattr(private, "_windows", lambda: False)  # the same files on Linux: refused
    with pytest.raises(MunroError, match="can be read by others"):
        read_key(tmp_path / "key")
    with pytest.raises(MunroError, match="readable by its owner only"):
        _secret_file(f"sqlite:///{tmp_path / 'app.sqlite'}", tmp_path / "store.duckdb")
