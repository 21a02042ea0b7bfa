"""``munro serve``: the application under waitress, a production WSGI server (never Flask's debug server)."""

from __future__ import annotations

import errno
import logging
import socket
import threading
from collections.abc import Callable

import waitress

from ..errors import MunroError
from .app import create_app
from .config import Config
from .data import warm


def serve(config: Config, threads: int = 8, announce: Callable[[], None] | None = None) -> None:
    """Listen on ``config.host``:``config.port``, then ``announce()`` (the CLI's "serving on ..." line), then
    serve until stopped. A port in use, or one this user may not take, is a ``MunroError`` before any
    announcement."""
    app = create_app(config)
    logging.basicConfig()  # as waitress.serve does: its warnings (a full queue) reach stderr
    server = listen(app, config, threads)
    if announce is not None:
        announce()
    # Each LA's latest dashboard gathered while the service starts answering (seconds per LA).
    threading.Thread(target=warm, args=(config.store,), name="munro-warm-up", daemon=True).start()
    # waitress logs its own start line; request lines are not logged, so no URL (which may name an item
    # or LA) and no form value ever reaches a log.
    logging.getLogger("waitress").setLevel(logging.INFO)
    server.print_listen("Serving on http://{}:{}")
    try:
        server.run()
    finally:
        server.close()


def listen(app, config: Config, threads: int = 8):
    """waitress's server, bound to its address and port (not yet serving); ``MunroError`` if it cannot be."""
    try:
        return waitress.create_server(app, **waitress_settings(config, threads))
    except OSError as e:
        raise MunroError(_cannot_listen(e, config)) from None


def _cannot_listen(e: OSError, config: Config) -> str:
    if e.errno == errno.EADDRINUSE:
        return f"port {config.port} is in use: choose another with --port, or stop the program using it"
    if e.errno == errno.EACCES:
        return (f"port {config.port} cannot be used by this user (ports below 1024 need the system's "
                "permission): choose another with --port")
    if e.errno == errno.EADDRNOTAVAIL or isinstance(e, socket.gaierror):
        return f"cannot listen on {config.host}: it is not an address of this machine; choose another with --host"
    return f"cannot listen on {config.host}:{config.port} ({e.strerror or e}): choose another with --host or --port"


CHANNEL_TIMEOUT = 30  # seconds a connection may send and receive nothing before waitress closes it


def waitress_settings(config: Config, threads: int = 8) -> dict:
    """waitress's settings: behind a proxy named by MUNRO_TRUSTED_PROXY, the client's address is the one
    the proxy forwards (one hop), so rate limits and the audit log see each client; otherwise any
    forwarded headers are dropped, so a client cannot choose its own address.

    waitress reads each request's body itself (in memory to 512 KB, then to a temporary file) before a
    thread of the application sees it: a body over the upload limit is refused on its Content-Length, and
    one that stalls is cut off after CHANNEL_TIMEOUT seconds, so slow clients hold no application thread.
    The application then applies each route's own, smaller limit (limits.py)."""
    proxy = {"trusted_proxy": config.trusted_proxy, "trusted_proxy_count": 1,
             "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"}} if config.trusted_proxy else {}
    return {"host": config.host, "port": config.port, "threads": threads, "ident": "munro",
            "clear_untrusted_proxy_headers": True, "max_request_body_size": config.max_upload_mb * 1024 * 1024,
            "channel_timeout": CHANNEL_TIMEOUT, **proxy}
