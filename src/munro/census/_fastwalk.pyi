# The compiled walker's interface (_fastwalk.pyx, built by setup.py), for the type checker: mypy cannot read
# a Cython module, and walk.py and parallel.py call it as they would call walk.py's own ChildWalker.
from collections.abc import Sequence

import numpy as np
import pyarrow as pa
from lxml import etree

from .walk import ChildWalker

BUILT_AGAINST: tuple[str, str]

class Program:
    """A schema year's walk compiled into C tables (shared by threads once built)."""

    def __init__(self, walker: ChildWalker) -> None: ...

class Batch:
    """The rows of some children, column by column in C buffers."""

    def __init__(self, program: Program) -> None: ...
    def rows(self) -> dict[str, int]: ...
    def append_lists(self, batch: dict[str, dict[str, list[object]]]) -> None: ...
    def tables(self) -> tuple[dict[str, pa.Table], dict[str, int]]: ...

def walk_one(batch: Batch, child: etree._Element, seq: int) -> bool: ...
def walk_run(batch: Batch, root: etree._Element, after: etree._Element | None, limit: int,
             seq: int) -> tuple[int, etree._Element | None, bool]: ...
def plain_children(root: etree._Element) -> bool: ...
def scan(data: bytes | bytearray | memoryview, tags: Sequence[bytes]) -> tuple[int, bool, list[np.ndarray]]: ...
