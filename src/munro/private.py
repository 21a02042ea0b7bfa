"""Files about children are readable by their owner only (issue 19): 0600 files, 0700 folders.

munro creates its sensitive files through these functions (the store and its WAL, the application
database, the restricted child lists, the list of unmatched children, keys, the staging folder of a
load), so that no other user of the machine can read them whatever the user's umask.

- ``private_file(path)``: the file made (empty) or narrowed to 0600 before another library writes it
  (xlsxwriter's workbook, SQLite's database, whose -wal and -shm files SQLite gives the same mode).
- ``open_private(path, mode)``: ``open()`` of a new owner-only file; ``open_new`` and ``create_new`` never
  overwrite.
- ``private_dir(path)``: a folder made, or narrowed, to 0700.
- ``owner_only_from_now()``: the process's umask narrowed to 077 for good. DuckDB creates its WAL
  beside the store and its spill files whenever it needs them while a connection is open, which the
  caller of ``open_store`` cannot see the end of, and the umask is the whole process's (a narrowing
  undone when one thread finishes would widen it under another), so a process that opens a store
  keeps creating files owner-only. It only ever narrows what the user's umask allows.
- ``tighten(path)``: an existing file of munro's that others can read is narrowed, with one warning
  (``FilesTightened``) per file and process, so that an administrator who shared it on purpose knows
  why it stopped working. A file munro did not make (a key, the web service's secret) is refused
  instead by its reader: munro never changes the permissions of a user's own file.
- ``readable_by_others(path)``: whether a file a user gave munro (a key, the web service's secret)
  must be refused because other users may read it.

On Windows the mode bits mean nothing (every file looks 0666 to ``os.stat``): permissions are the
file's access list. There munro gives each file and folder it creates through these functions an
access list of its own, with the platform's own tool, ``icacls PATH /inheritance:r /grant:r
DOMAIN\\USER:(F)`` (``(OI)(CI)(F)`` for a folder, so what is made inside inherits it): the
inherited entries removed and full control granted to the account munro runs as, and no one else
(administrators can still take ownership, as on any Windows file). If icacls fails, the file keeps
its folder's access list and munro warns once (``FilesTightened``). munro does not read access
lists back: ``tighten`` does nothing there and ``readable_by_others`` is False (parsing icacls's
output, whose account names are in the machine's language, would be fragile), so a file munro did
not create (DuckDB's store and WAL, a key copied in) has its folder's access list. Keep the data in
a folder only the service's account can open (docs/deploy.md, "Windows Server").
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
import warnings
from pathlib import Path
from typing import IO, Any, BinaryIO, Literal, TextIO, overload

FILE_MODE = 0o600
DIR_MODE = 0o700
_OTHERS = stat.S_IRWXG | stat.S_IRWXO
POSIX = os.name == "posix"
_lock = threading.Lock()
_warned: set[str] = set()


class FilesTightened(UserWarning):
    """An existing file of munro's was readable by other users and has been made its owner's only (or, on
    Windows, a new one could not be)."""


def _windows() -> bool:
    return sys.platform == "win32"


def _mode_bits() -> bool:
    """Whether permissions are POSIX mode bits (and the umask), which munro sets and checks."""
    return POSIX and not _windows()


def owner_only_acl(path: str | os.PathLike[str], *, folder: bool = False) -> bool:
    """On Windows, ``path``'s access list made its creator's only (module docstring); False, and one warning,
    if icacls could not. Does nothing elsewhere (the mode bits do it)."""
    if not _windows():
        return False
    path = Path(path)
    user, domain = os.environ.get("USERNAME"), os.environ.get("USERDOMAIN")
    who = f"{domain}\\{user}" if user and domain else user
    if not who:
        why = "USERNAME is not set"
    else:
        argv = ["icacls", str(path), "/inheritance:r", "/grant:r", f"{who}:{'(OI)(CI)' if folder else ''}(F)"]
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        except OSError as e:  # no icacls (not Windows after all, or a stripped image)
            why = e.strerror or str(e)
        except subprocess.TimeoutExpired:
            why = "icacls did not answer"
        else:
            if done.returncode == 0:
                return True
            lines = done.stderr.strip().splitlines() or done.stdout.strip().splitlines()
            why = lines[0] if lines else f"icacls exit {done.returncode}"
    _warn_once(path, f"{path} could not be made its owner's only ({why}): it has its folder's access list, "
                     "so keep it in a folder only you can open")
    return False


def readable_by_others(path: str | os.PathLike[str]) -> bool:
    """Whether ``path``'s mode lets others (group or world) use it; always False on Windows (module docstring)."""
    return _mode_bits() and bool(Path(path).stat().st_mode & _OTHERS)


def owner_only_from_now() -> None:
    """Narrow the process's umask to 077 for good (see the module docstring for why not for a while)."""
    if _mode_bits():
        with _lock:
            old = os.umask(0o077)
            os.umask(old | 0o077)


def tighten(path: str | os.PathLike[str]) -> bool:
    """Make an existing file or folder of munro's its owner's only if others may use it; True if it was changed.

    A file of another user's (this process cannot change its mode) is warned about instead."""
    path = Path(path)
    if not _mode_bits():
        return False
    try:
        st = path.stat()
    except FileNotFoundError:
        return False
    if not st.st_mode & _OTHERS:
        return False
    mode = stat.S_IMODE(st.st_mode) & ~_OTHERS  # the owner's own bits kept
    try:
        os.chmod(path, mode)
    except PermissionError:
        _warn_once(path, f"{path} can be read by other users of this computer and belongs to another user, "
                         f"so munro cannot change that: ask its owner to run 'chmod {mode:o} {path}'")
        return False
    except OSError as e:  # a read-only disk: the file is read as it is
        _warn_once(path, f"{path} can be read by other users of this computer, and munro cannot change that "
                         f"({e.strerror})")
        return False
    _warn_once(path, f"{path} could be read by other users of this computer: munro has made it its owner's only "
                     f"({mode:o})")
    return True


def _warn_once(path: Path, message: str) -> None:
    key = str(path.absolute())
    with _lock:
        if key in _warned:
            return
        _warned.add(key)
    warnings.warn(message, FilesTightened, stacklevel=3)


def private_dir(path: str | os.PathLike[str], *, parents: bool = False) -> Path:
    """The folder ``path``, made 0700 (or narrowed to it if it exists)."""
    path = Path(path)
    if parents:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        path.mkdir(mode=DIR_MODE)
    except FileExistsError:
        if not path.is_dir():
            raise
        tighten(path)
    else:
        owner_only_acl(path, folder=True)
    return path


def _open_fd(path: Path, flags: int) -> int:
    fd = os.open(path, flags, FILE_MODE)
    try:
        owner_only_acl(path)  # Windows: each time it is written, as a new file's mode would be
        if _mode_bits() and os.fstat(fd).st_mode & _OTHERS:  # it existed, made by someone with a wider umask
            _warn_once(path, f"{path} could be read by other users of this computer: munro has made it its "
                             "owner's only (600)")
            os.fchmod(fd, FILE_MODE)
    except BaseException:
        os.close(fd)
        raise
    return fd


def private_file(path: str | os.PathLike[str]) -> Path:
    """The file ``path`` made empty and 0600 if new, for another library to write; an existing one narrowed
    (``tighten``), its content untouched, and never opened for writing (it may be on a read-only disk)."""
    path = Path(path)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        tighten(path)
    else:
        owner_only_acl(path)
    return path


@overload
def open_private(path: str | os.PathLike[str], mode: Literal["w", "a"] = "w", **kwargs: Any) -> TextIO: ...
@overload
def open_private(path: str | os.PathLike[str], mode: Literal["wb", "ab"], **kwargs: Any) -> BinaryIO: ...
def open_private(path: str | os.PathLike[str], mode: str = "w", **kwargs: Any) -> IO[Any]:
    """``open(path, mode)`` for writing ("w", "wb", "a", "ab"), the file owner-only whether new or not."""
    path = Path(path)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if mode.startswith("a") else os.O_TRUNC)
    return os.fdopen(_open_fd(path, flags | getattr(os, "O_BINARY", 0)), mode, **kwargs)


def open_new(path: str | os.PathLike[str], encoding: str = "utf-8", newline: str | None = None) -> TextIO:
    """``open()`` for writing of a new owner-only file; FileExistsError if ``path`` already exists (O_EXCL: of
    two processes creating it together, one gets it, and nothing anyone wrote before is lost)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    try:
        owner_only_acl(path)  # before anything is written
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "w", encoding=encoding, newline=newline)


def create_new(path: str | os.PathLike[str], text: str) -> bool:
    """Write ``text`` to a new owner-only file; False (and nothing written) if ``path`` already exists.

    O_EXCL: two processes starting together cannot both write it and disagree (a key, a secret)."""
    try:
        f = open_new(path, encoding="ascii")
    except FileExistsError:
        return False
    with f:
        f.write(text)
    return True
