"""``munro serve`` takes its port before it says it is serving: a port in use is one line and a non-zero exit."""

from __future__ import annotations

import errno
import socket
import subprocess
import sys
import time

from munro.web.config import Config
from munro.web.serve import _cannot_listen


def _serve(tmp_path, munro_env, port: int) -> subprocess.Popen:
    env = munro_env(MUNRO_DB=str(tmp_path / "store.duckdb"), MUNRO_PORT=str(port))
    return subprocess.Popen([sys.executable, "-m", "munro.cli", "serve"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_a_port_in_use_is_one_line_and_no_serving(tmp_path, munro_env):
    with socket.socket() as taken:  # another program listening on the port
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = _serve(tmp_path, munro_env, port)
        out, err = proc.communicate(timeout=120)
    assert (proc.returncode, out) == (2, "")
    assert err == f"munro: port {port} is in use: choose another with --port, or stop the program using it\n"


def test_serving_is_announced_once_the_port_is_taken(tmp_path, munro_env):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = _serve(tmp_path, munro_env, port)
    try:
        line = proc.stderr.readline()
        assert line == f"munro: serving {tmp_path / 'store.duckdb'} on http://127.0.0.1:{port}/ (Ctrl-C to stop)\n"
        # Said only when true: the port already accepts connections.
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
        # A second service on the same port is refused, and the first keeps serving.
        second = _serve(tmp_path, munro_env, port)
        out, err = second.communicate(timeout=120)
        assert (second.returncode, out, err) == (
            2, "", f"munro: port {port} is in use: choose another with --port, or stop the program using it\n")
        time.sleep(0.2)
        assert proc.poll() is None
    finally:
        proc.terminate()
        proc.communicate(timeout=30)


def test_other_reasons_a_port_cannot_be_taken(tmp_path):
    config = Config.from_env({"MUNRO_SECRET_KEY": "k" * 48, "MUNRO_HOST": "192.0.2.1", "MUNRO_PORT": "80"},
                             store=tmp_path / "s.duckdb")
    assert _cannot_listen(OSError(errno.EACCES, "Permission denied"), config) == (
        "port 80 cannot be used by this user (ports below 1024 need the system's permission): "
        "choose another with --port")
    assert _cannot_listen(OSError(errno.EADDRNOTAVAIL, "Cannot assign requested address"), config) == (
        "cannot listen on 192.0.2.1: it is not an address of this machine; choose another with --host")
    assert _cannot_listen(socket.gaierror(-2, "Name or service not known"), config) == (
        "cannot listen on 192.0.2.1: it is not an address of this machine; choose another with --host")
