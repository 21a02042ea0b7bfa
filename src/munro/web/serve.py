"""``munro serve``: the application under waitress, a production WSGI server (never Flask's debug server)."""

from __future__ import annotations

import logging

from .config import Config


def serve(config: Config, threads: int = 8) -> None:
    import waitress

    from .app import create_app

    app = create_app(config)
    import threading

    from .data import warm
    # Each LA's latest dashboard gathered while the service starts answering (seconds per LA).
    threading.Thread(target=warm, args=(config.store,), name="munro-warm-up", daemon=True).start()
    # waitress logs its own start line; request lines are not logged, so no URL (which may name an item
    # or LA) and no form value ever reaches a log.
    logging.getLogger("waitress").setLevel(logging.INFO)
    waitress.serve(app, **waitress_settings(config, threads))


def waitress_settings(config: Config, threads: int = 8) -> dict:
    """waitress's settings: behind a proxy named by MUNRO_TRUSTED_PROXY, the client's address is the one
    the proxy forwards (one hop), so rate limits and the audit log see each client; otherwise any
    forwarded headers are dropped, so a client cannot choose its own address."""
    proxy = {"trusted_proxy": config.trusted_proxy, "trusted_proxy_count": 1,
             "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"}} if config.trusted_proxy else {}
    return {"host": config.host, "port": config.port, "threads": threads, "ident": "munro",
            "clear_untrusted_proxy_headers": True, "max_request_body_size": config.max_upload_mb * 1024 * 1024,
            **proxy}
