"""A sliding-window limit on sign-in attempts per client address, beside the per-account lock-out.

The lock-out stops guessing one account's password; this stops one client
trying many accounts (password spraying), and it never locks anyone out of
their own account from elsewhere. In memory, per process: waitress runs one
process, so the count is the service's.
"""

from __future__ import annotations

import threading
import time
from collections import deque


class RateLimit:
    def __init__(self, limit: int, window_seconds: float, clock=time.monotonic):
        self.limit, self.window, self.clock = limit, window_seconds, clock
        self._hits: dict[str, deque] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        """Count one attempt by ``key``; False once it has made ``limit`` in the window."""
        now = self.clock()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and now - hits[0] >= self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                return False
            hits.append(now)
            if len(self._hits) > 10_000:  # bounded memory under a flood of addresses: forget the idle ones
                for k in [k for k, h in self._hits.items() if not h or now - h[-1] >= self.window]:
                    del self._hits[k]
            return True
