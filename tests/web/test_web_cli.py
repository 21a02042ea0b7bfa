"""``munro user add`` / ``user list`` and ``munro serve`` through the CLI; the settings from the environment."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest
import sqlalchemy as sa

from munro.errors import MunroError
from munro.local.schema import users
from munro.web import Config

PASSWORD = "a long enough password"


def _run(args, env, stdin=""):
    return subprocess.run([sys.executable, "-m", "munro.cli", *args], input=stdin, capture_output=True,
                          text=True, env=env, timeout=120)


def test_user_add_reads_the_password_from_stdin_and_stores_only_its_hash(tmp_path, munro_env):
    env = munro_env(MUNRO_DB=str(tmp_path / "store.duckdb"))
    r = _run(["user", "add", "--la", "330", "--role", "administrator", "First@Example.gov.uk"], env, PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "user first@example.gov.uk added: administrator of LA 330"
    assert PASSWORD not in r.stdout + r.stderr
    engine = sa.create_engine(f"sqlite:///{tmp_path}/store.duckdb.app.sqlite")
    with engine.connect() as con:
        row = con.execute(sa.select(users)).one()
    assert row.role == "administrator" and row.la_code == "330" and row.password_hash.startswith("$argon2id$")
    listed = _run(["user", "list"], env)
    assert listed.stdout.split() == ["first@example.gov.uk", "330", "administrator"]


@pytest.mark.parametrize("args,stdin,message", [
    (["--la", "330", "--role", "analyst", "a@example.gov.uk"], "short\n", "at least 12 characters"),
    (["--la", "999", "--role", "analyst", "a@example.gov.uk"], PASSWORD, "no English LA has code 999"),
    (["--la", "330", "--la", "331", "--role", "analyst", "a@example.gov.uk"], PASSWORD, "may cover several LAs"),
    (["--la", "330", "--role", "analyst", "not-an-address"], PASSWORD, "not an e-mail address"),
    (["--la", "330", "--role", "owner", "a@example.gov.uk"], PASSWORD, "Invalid value for '--role'"),
])
def test_user_add_refuses(tmp_path, munro_env, args, stdin, message):
    r = _run(["user", "add", *args], munro_env(MUNRO_DB=str(tmp_path / "store.duckdb")), stdin)
    assert r.returncode != 0 and message in r.stderr and "Traceback" not in r.stderr


def test_the_same_address_twice_is_refused(tmp_path, munro_env):
    env = munro_env(MUNRO_DB=str(tmp_path / "store.duckdb"))
    assert _run(["user", "add", "--la", "330", "--role", "analyst", "a@example.gov.uk"], env, PASSWORD).returncode == 0
    r = _run(["user", "add", "--la", "330", "--role", "manager", "A@example.gov.uk"], env, PASSWORD)
    assert r.returncode != 0 and "already a user a@example.gov.uk" in r.stderr


def test_serve_help(munro_env):
    r = _run(["serve", "--help"], munro_env())
    assert r.returncode == 0 and "waitress" in r.stdout and "--port" in r.stdout and "127.0.0.1" in r.stdout


def test_settings_default_to_loopback_secure_cookies_and_a_private_generated_key(tmp_path):
    env = {"MUNRO_DB": str(tmp_path / "s.duckdb")}
    c = Config.from_env(env)
    assert (c.host, c.port, c.secure_cookies) == ("127.0.0.1", 8000, True)
    key_file = tmp_path / "s.duckdb.app.sqlite.secret"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600 and len(c.secret_key) >= 32
    assert Config.from_env(env).secret_key == c.secret_key  # the same key on the next start
    assert Config.from_env({**env, "MUNRO_INSECURE_COOKIES": "1"}).secure_cookies is False
    assert Config.from_env({**env, "MUNRO_SECRET_KEY": "x" * 40}).secret_key == "x" * 40
    os.chmod(key_file, 0o644)
    with pytest.raises(MunroError, match="chmod 600"):
        Config.from_env(env)


def test_a_postgresql_deployment_must_set_its_secret_key(tmp_path):
    with pytest.raises(MunroError, match="MUNRO_SECRET_KEY must be set"):
        Config.from_env({"MUNRO_DB": str(tmp_path / "s.duckdb"), "MUNRO_APP_DB": "postgresql://u@h/db"})


def test_serve_answers_on_loopback_under_waitress(tmp_path, munro_env):
    import socket
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = munro_env(MUNRO_DB=str(tmp_path / "store.duckdb"), MUNRO_PORT=str(port))
    proc = subprocess.Popen([sys.executable, "-m", "munro.cli", "serve"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
                    assert r.status == 200 and r.headers["Server"] == "munro"
                    assert "default-src 'self'" in r.headers["Content-Security-Policy"]
                    break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, "munro serve did not start"
                time.sleep(0.2)
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=30)
    assert f"Serving on http://127.0.0.1:{port}" in err


def test_behind_a_named_proxy_waitress_believes_its_forwarded_address_and_no_one_elses(tmp_path):
    import waitress.adjustments

    from munro.web.config import Config
    from munro.web.serve import waitress_settings

    env = {"MUNRO_SECRET_KEY": "k" * 48, "MUNRO_TRUSTED_PROXY": "127.0.0.1"}
    behind = waitress_settings(Config.from_env(env, store=tmp_path / "s.duckdb"))
    assert behind["trusted_proxy"] == "127.0.0.1" and behind["trusted_proxy_count"] == 1
    assert "x-forwarded-for" in behind["trusted_proxy_headers"] and behind["clear_untrusted_proxy_headers"]
    direct = waitress_settings(Config.from_env({"MUNRO_SECRET_KEY": "k" * 48}, store=tmp_path / "s.duckdb"))
    assert "trusted_proxy" not in direct and direct["clear_untrusted_proxy_headers"]
    for settings in (behind, direct):  # waitress accepts every setting as given
        waitress.adjustments.Adjustments(**settings)


def test_the_warm_up_gathers_each_las_latest_year_once(web_store, monkeypatch):
    from munro.web import data

    gathered = []
    monkeypatch.setattr("munro.report.build.gather", lambda store, la, year: gathered.append((la, year)) or object())
    monkeypatch.setattr(data, "_cache", {})
    assert data.warm(web_store) == [("330", 2025), ("331", 2025)]
    assert data.warm(web_store) == [("330", 2025), ("331", 2025)]
    assert gathered == [("330", 2025), ("331", 2025)]  # the second warm-up found them in the cache
