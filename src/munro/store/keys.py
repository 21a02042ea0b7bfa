"""The LA's pseudonymisation key: made, read and checked here, and never written anywhere else.

A key file holds one line of hexadecimal digits: at least 32 random bytes
(``new_key_file`` writes 32 from the operating system's generator, readable
by its owner only). A pseudonym is the HMAC-SHA256 of a namespace and the
identifier under that key, as hex: the same child gets the same pseudonym
every year the LA uses the same key, and no one without the key can reverse
it or test a guess.

The *fingerprint* is the HMAC of a fixed text under the key (16 hex digits).
It reveals nothing about the key, but a pooled store can see that two
exports of one LA were made with different keys, which would give one child
two identities, and refuse to mix them.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Callable
from pathlib import Path

from ..errors import MunroError
from ..private import create_new, readable_by_others

MIN_BYTES = 32
# 32 random bytes hold about 30 different values; fewer than 16 means a pattern, not chance
# (the chance of it for a random key is below one in a billion).
MIN_DISTINCT = 16
# Pseudonyms are the HMAC truncated to 128 bits (32 hex digits): no collision among England's
# children in any plausible lifetime of the data, at half the size of the full digest.
PSEUDONYM_HEX = 32
SCHEME = "hmac-sha256/128 v1"
_FINGERPRINT_TEXT = b"munro key fingerprint v1"


def new_key_file(path: str | os.PathLike[str]) -> str:
    """Write a new random key to ``path`` (mode 0600, never over an existing file); its fingerprint."""
    path = Path(path)
    key = secrets.token_bytes(MIN_BYTES)
    try:
        made = create_new(path, key.hex() + "\n")  # owner-only (munro.private)
    except OSError as e:
        raise MunroError(f"{path}: cannot create the key file ({e.strerror})") from None
    if not made:
        raise MunroError(f"{path}: already exists; munro never overwrites a key (losing it changes every pseudonym)")
    return fingerprint(key)


def read_key(path: str | os.PathLike[str] | None) -> bytes:
    """The key in ``path``, or a one-line MunroError: missing, readable by others, short or patterned."""
    if path is None:
        raise MunroError("--pseudonymise needs --key-file KEY (make one with 'munro export --new-key-file KEY')")
    path = Path(path)
    if not path.is_file():
        raise MunroError(f"{path}: no key file here (make one with 'munro export --new-key-file {path}')")
    if readable_by_others(path):  # POSIX modes only: on Windows, access lists (munro.private)
        raise MunroError(f"{path}: the key file can be read by others; make it the owner's only (chmod 600)")
    text = path.read_text(encoding="ascii", errors="replace").strip()
    if not re.fullmatch(r"(?:[0-9a-fA-F]{2})+", text):
        raise MunroError(f"{path}: not a munro key file (one line of hexadecimal digits, as "
                         "'munro export --new-key-file' writes)")
    key = bytes.fromhex(text)
    if len(key) < MIN_BYTES:
        raise MunroError(f"{path}: the key is {len(key)} bytes; at least {MIN_BYTES} are needed "
                         "(make one with 'munro export --new-key-file')")
    if len(set(key)) < MIN_DISTINCT:
        raise MunroError(f"{path}: the key is not random (a repeated pattern); "
                         "make one with 'munro export --new-key-file'")
    return key


def fingerprint(key: bytes) -> str:
    """16 hex digits that tell keys apart without revealing them."""
    return hmac.new(key, _FINGERPRINT_TEXT, hashlib.sha256).hexdigest()[:16]


def pseudonymiser(key: bytes, namespace: str) -> Callable[[str | None], str | None]:
    """A function identifier -> pseudonym (None stays None) for one namespace, remembering what it hashed."""
    prefix = namespace.encode() + b"\0"
    seen: dict[str, str] = {}

    def pseudonym(value: str | None) -> str | None:
        if value is None:
            return None
        found = seen.get(value)
        if found is None:
            found = seen[value] = hmac.digest(key, prefix + value.encode("utf-8"), "sha256").hex()[:PSEUDONYM_HEX]
        return found

    return pseudonym
