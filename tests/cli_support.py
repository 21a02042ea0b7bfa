"""Running the munro command in this process: ``run`` (its exit code, as the tests of its audit records use it)
and ``run_cli`` (what ``python -m munro.cli`` would give: exit code, stdout and stderr)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import traceback
from pathlib import Path

from click.testing import CliRunner

from munro.cli import main

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src"


def run(*args, stdin: str = "") -> int:
    """``munro ARGS`` with ``stdin`` as its standard input: its exit code (0 when it returns)."""
    old = sys.stdin
    sys.stdin = io.StringIO(stdin)
    try:
        main([str(a) for a in args])
        return 0
    except SystemExit as e:
        return e.code
    finally:
        sys.stdin = old


def cli_env(**extra) -> dict:
    """This process's environment without MUNRO_DB, with ``extra``: for ``run_cli`` or a subprocess."""
    env = {k: v for k, v in os.environ.items() if k != "MUNRO_DB"}
    env["PYTHONPATH"] = str(SRC)
    env.update(extra)
    return env


def run_cli(*args, env: dict | None = None, cwd=None, timeout: float = 120) -> subprocess.CompletedProcess:
    """``munro ARGS`` as ``python -m munro.cli`` runs it (``main``), in this process: the same exit code,
    stdout and stderr as ``run_process`` without a second of interpreter start and imports per command.

    ``env`` (a whole environment, as ``run_process`` takes) and ``cwd`` hold while the command runs; ``timeout``
    is taken for ``run_process``'s signature only. An exception ``main`` lets out is printed to stderr with exit
    code 1, as the interpreter would."""
    wanted = env or cli_env()
    changes: dict[str, str | None] = {k: v for k, v in wanted.items() if os.environ.get(k) != v}
    changes.update({k: None for k in os.environ if k not in wanted})
    changes.pop("PYTHONPATH", None)  # this process already imports munro from SRC
    argv = [str(a) for a in args]
    here = os.getcwd()
    with CliRunner().isolation(env=changes) as (out, err, _):
        os.chdir(cwd or REPO)
        try:
            main(argv)
            code = 0
        except SystemExit as e:
            if e.code is None or isinstance(e.code, int):
                code = e.code or 0
            else:  # sys.exit("message"): the interpreter prints it
                print(e.code, file=sys.stderr)
                code = 1
        except Exception:
            traceback.print_exc()
            code = 1
        finally:
            os.chdir(here)
            sys.stdout.flush()
            sys.stderr.flush()
        stdout, stderr = out.getvalue().decode(), err.getvalue().decode()
    # as text=True reads a pipe: universal newlines
    return subprocess.CompletedProcess(argv, code, *(t.replace("\r\n", "\n").replace("\r", "\n")
                                                     for t in (stdout, stderr)))
