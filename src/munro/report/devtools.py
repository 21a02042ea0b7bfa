"""report.devtools: a headless browser started before the page exists, told to print it over the DevTools pipe.

Chromium takes about a second to start. Started with ``--remote-debugging-pipe`` when the report begins,
it starts while the data is gathered (which keeps one core busy) and has its page target open by the
time the page is written; then it loads the page and prints it. The protocol runs over two pipes,
Chromium reading its commands on file descriptor 3 and writing its replies on 4, each message JSON
ended by a NUL byte. A thread of this process holds the conversation, so that the printing goes on
while the workbook is written.

``PRINT`` is what ``--print-to-pdf`` asks Chromium for with the flags pdf.py gave it
(``--no-pdf-header-footer``, ``--generate-pdf-document-outline``; Chromium's headless command handler):
the PDF is the same, page for page. Anything the protocol does not answer as expected is a
``PipeFailed``, on which pdf.py prints the page the older way, with ``--print-to-pdf``.
"""

from __future__ import annotations

import base64
import json
import os
import select
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from ..errors import MunroError
from .print_copy import printing_copy

PRINT = {"displayHeaderFooter": False, "generateDocumentOutline": True, "generateTaggedPDF": True,
         "printBackground": True, "preferCSSPageSize": True}  # preferCSSPageSize: A4, from the page's @page rule
# The pipes arrive as the shell's standard input and output and are moved to the descriptors Chromium
# reads and writes (3 and 4): Popen keeps descriptors only under their own numbers.
SHELL = 'exec "$@" 3<&0 4>&1 </dev/null >/dev/null'


class PipeFailed(Exception):
    """The browser did not answer over the pipe as the protocol says it would."""


class _Late(Exception):
    """The deadline passed with no answer (not a PipeFailed: a browser that hangs is not tried again)."""


class PipeBrowser:
    """A headless Chromium started now with ``flags`` (its network and profile safeguards); ``print(page,
    out)`` once the page is written, then ``wait()`` for the PDF; ``close()`` always (it stops the browser
    and removes its throw-away profile). ``timeout`` bounds the start and, from ``print``, the printing."""

    def __init__(self, program: str, flags, timeout: float):
        self.timeout = timeout
        self.deadline = time.monotonic() + timeout
        self.job: tuple[Path, Path] | None = None
        self.asked = threading.Event()  # set by print (the page is written) or close (no page will come)
        self.closing = False
        self.written: Path | None = None
        self.failure: BaseException | None = None
        self.buffer, self.events, self.next_id = bytearray(), [], 0
        self.profile = tempfile.TemporaryDirectory(prefix="munro-chromium-")
        self.log = Path(self.profile.name, "stderr.txt")
        commands, self.to_browser = os.pipe()
        self.from_browser, replies = os.pipe()
        cmd = ["/bin/sh", "-c", SHELL, "sh", program, *flags, f"--user-data-dir={self.profile.name}",
               "--remote-debugging-pipe"]
        try:
            # Messages to a file, not a pipe: nobody reads a pipe while the data is gathered.
            with open(self.log, "w") as log:
                # Its own process group, so that close() stops its helpers (renderer, GPU, network) with it.
                self.process = subprocess.Popen(cmd, stdin=commands, stdout=replies, stderr=log,
                                                start_new_session=True)
        except BaseException:
            for fd in (self.to_browser, self.from_browser):
                os.close(fd)
            self.profile.cleanup()
            raise
        finally:
            os.close(commands)
            os.close(replies)
        self.thread = threading.Thread(target=self._run, name="munro-pdf", daemon=True)
        self.thread.start()

    def print(self, page: Path, out: Path) -> None:
        self.job = (Path(page), Path(out))
        self.deadline = time.monotonic() + self.timeout
        self.asked.set()

    def wait(self) -> Path:
        """The PDF; a MunroError if it took longer than the timeout; PipeFailed if the protocol failed."""
        self.thread.join(max(0.0, self.deadline - time.monotonic()))
        if self.thread.is_alive() or isinstance(self.failure, _Late):
            self.close()
            page = self.job[0] if self.job else "the page"
            raise MunroError(f"Chromium did not finish printing {page} within {self.timeout} s")
        if self.failure is not None:
            raise self.failure
        assert self.written is not None
        return self.written

    def close(self) -> None:
        """Stop the browser and every process it started, and remove its throw-away profile. Once: the
        descriptors' numbers may be another file's afterwards."""
        if self.closing:
            return
        self.closing = True
        self.asked.set()
        if self.process.poll() is None:
            # Killed, not asked to close: nothing of it is kept (the PDF is written, the profile thrown
            # away), and a browser closing itself took 0.4-0.75 s of the report's time on a busy machine.
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.thread.join()  # the browser gone, its replies end: the thread's read returns
        os.close(self.to_browser)
        os.close(self.from_browser)
        self.profile.cleanup()

    def _run(self) -> None:
        try:
            target = self._call("Target.createTarget", {"url": "about:blank"})["targetId"]
            session = self._call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            self._call("Page.enable", session=session)
            self._call("Inspector.enable", session=session)  # a crashed page is told, not waited for
            self._call("Page.setLifecycleEventsEnabled", {"enabled": True}, session)
            self.asked.wait()
            if self.closing:
                return
            page, out = self.job
            self.events.clear()
            url = printing_copy(page.resolve(), Path(self.profile.name)).as_uri()
            went = self._call("Page.navigate", {"url": url}, session)
            if went.get("errorText") or not went.get("loaderId"):
                raise PipeFailed(f"loading the page: {went.get('errorText', 'no loader')}")
            # The page's own load: enabling lifecycle events told the blank page's, of another loader.
            self._until(lambda e: e.get("method") == "Page.lifecycleEvent" and e["params"]["name"] == "load"
                        and e["params"].get("loaderId") == went["loaderId"])
            printed = self._call("Page.printToPDF", PRINT, session)
            out.write_bytes(base64.b64decode(printed["data"]))
            self.written = out
        except (KeyError, TypeError, ValueError, OSError) as e:  # a reply not as the protocol says, a pipe gone
            self.failure = PipeFailed(f"{type(e).__name__}: {e}")
        except BaseException as e:  # told by wait(), in the report's thread
            self.failure = e

    def _send(self, method: str, params: dict | None = None, session: str | None = None) -> int:
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(self.to_browser, data):]
        return self.next_id

    def _call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        try:
            sent = self._send(method, params, session)
        except OSError as e:
            raise PipeFailed(f"{method}: {e}") from None
        reply = self._until(lambda m: m.get("id") == sent)
        if "error" in reply:
            raise PipeFailed(f"{method}: {reply['error'].get('message')}")
        return reply.get("result", {})

    def _until(self, wanted) -> dict:
        """The first message (reply or event) that is ``wanted``; every other event is kept in ``events``."""
        for seen in self.events:
            if wanted(seen):
                return seen
        while True:
            message = self._receive()
            if wanted(message):
                return message
            if message.get("method") in ("Inspector.targetCrashed", "Target.targetCrashed"):
                raise PipeFailed("the page's renderer crashed")
            if "method" in message:
                self.events.append(message)

    def _receive(self) -> dict:
        while (end := self.buffer.find(b"\0")) < 0:
            if self.closing:  # close() is waiting for this thread
                raise PipeFailed("closed")
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise _Late
            # In slices: a browser whose pipe stays open after close() must not hold close() up.
            if not select.select([self.from_browser], [], [], min(left, 0.25))[0]:
                continue
            chunk = os.read(self.from_browser, 1 << 20)
            if not chunk:
                raise PipeFailed(f"Chromium closed its pipe (exit {self.process.poll()})")
            self.buffer += chunk
        message = json.loads(self.buffer[:end])
        del self.buffer[:end + 1]
        return message
