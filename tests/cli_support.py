"""Running the munro command in this process, as the tests of its audit records do."""

from __future__ import annotations

import io
import sys

from munro.cli import main


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
