"""What a request may be: a body no larger than its route takes, read by nobody before that is known; a
trusted Host; text fields of bounded length (issue 19, findings 1 and 7)."""

from __future__ import annotations

import io
import re
import socket
import threading
import time

import pytest
from web_helpers import LA, client_of, email, form_token

from munro.web import Config
from munro.web.limits import FORM_BYTES, trusted_hosts

HUGE = 150 * 1024 * 1024  # the red team's POST to /sign-in
SAMPLE_VALUES = {"la": LA, "token": "A" * 22, "key": "k", "change": "unlock"}


class Body(io.RawIOBase):
    """A request body of ``size`` bytes (None: without end) made as it is read; counts what was read."""

    def __init__(self, size: int | None = None):
        self.size, self.read_bytes = size, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        n = len(buffer) if self.size is None else min(len(buffer), self.size - self.read_bytes)
        buffer[:n] = b"a" * n
        self.read_bytes += n
        return n


def send(app, path: str, body: Body, content_type: str = "application/x-www-form-urlencoded",
         length: int | None = None, host: str = "localhost", chunked: bool = False) -> tuple[int, str, dict]:
    """POST ``body`` as it comes, to the application itself (the test client would read it to measure it):
    with ``length`` as its Content-Length, or none (a stream to its end). The status, the page, the headers."""
    from werkzeug.test import EnvironBuilder, run_wsgi_app

    environ = EnvironBuilder(path=path, method="POST", headers={"Host": host}).get_environ()
    environ.update({"wsgi.input": body, "CONTENT_TYPE": content_type, "wsgi.input_terminated": length is None})
    environ.pop("CONTENT_LENGTH", None)
    if chunked:
        environ["HTTP_TRANSFER_ENCODING"] = "chunked"
    if length is not None:
        environ["CONTENT_LENGTH"] = str(length)
    app_iter, status, headers = run_wsgi_app(app, environ, buffered=True)
    return int(status.split()[0]), b"".join(app_iter).decode(), dict(headers)


def token(client) -> str:
    """The signed-in session's CSRF token, from the sign-out button of the page the user starts on."""
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/dashboard", follow_redirects=True).text)[1]


@pytest.fixture(scope="module")
def app(web_store, tmp_path_factory, app_factory):
    return app_factory(web_store, tmp_path_factory.mktemp("limits"))


def post_routes(app) -> list[str]:
    urls = app.url_map.bind("localhost")
    return sorted(urls.build(rule.endpoint, {a: SAMPLE_VALUES.get(a, 1) for a in rule.arguments})
                  for rule in app.url_map.iter_rules() if "POST" in rule.methods)


def test_every_post_route_refuses_a_huge_body_unread(app):
    paths = post_routes(app)
    assert "/sign-in" in paths and "/upload" in paths and len(paths) >= 20
    for path in paths:
        body = Body(HUGE)
        status, page, _ = send(app, path, body, length=HUGE)
        assert status == 413 and "Too much was sent" in page and body.read_bytes == 0, path


def test_a_body_of_no_stated_length_is_refused_or_cut_off_at_a_forms_size(app):
    for path in post_routes(app):
        for content_type in ("application/x-www-form-urlencoded", "multipart/form-data; boundary=x"):
            chunked = Body()  # without end, chunked, without Content-Length: refused unread
            assert send(app, path, chunked, content_type, chunked=True)[0] == 411 and chunked.read_bytes == 0, path
            # Without end and without even saying it is chunked: read no further than a form's limit.
            endless = Body()
            assert send(app, path, endless, content_type)[0] in (400, 413), (path, content_type)
            assert endless.read_bytes <= FORM_BYTES, (path, endless.read_bytes)


def test_only_a_user_who_may_upload_may_send_a_file_larger_than_a_form(app):
    big = b"<" * (FORM_BYTES + 1)  # larger than any form, far smaller than the upload limit (200 MB)
    for role, status in (("manager", 413), ("triage", 413), ("analyst", 400), ("administrator", 400)):
        client = client_of(app, email(role))
        response = client.post("/upload", data={"csrf_token": token(client),
                                                "file": (io.BytesIO(big), "return.xml")},
                               content_type="multipart/form-data")
        # 400: received, read and refused as not a return; 413: refused for its size, unread.
        assert response.status_code == status, role
    signed_out = app.test_client().post("/upload", data={"file": (io.BytesIO(big), "return.xml")},
                                        content_type="multipart/form-data")
    assert signed_out.status_code == 413


def test_waitress_refuses_a_body_over_the_upload_limit_and_cuts_off_a_slow_one(app):
    import waitress

    from munro.web.serve import CHANNEL_TIMEOUT, waitress_settings

    config = app.config["MUNRO"]
    settings = waitress_settings(config)
    assert settings["max_request_body_size"] == 200 * 1024 * 1024 and settings["channel_timeout"] == CHANNEL_TIMEOUT
    assert CHANNEL_TIMEOUT <= 60
    seen = []  # requests the application was given

    def application(environ, start_response):
        seen.append(environ["PATH_INFO"])
        return app(environ, start_response)

    # The service's settings, but a one-second timeout checked every second, so the test takes seconds.
    server = waitress.create_server(application, **{**settings, "port": 0, "channel_timeout": 1,
                                                    "cleanup_interval": 1})
    port = server.effective_port
    threading.Thread(target=server.run, daemon=True).start()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(f"POST /sign-in HTTP/1.1\r\nHost: localhost\r\nContent-Length: {201 * 1024 * 1024}\r\n\r\n"
                      .encode())
            assert s.recv(100).startswith(b"HTTP/1.1 413")
        # A slow body to every POST route at once: each connection closed, unanswered, within seconds.
        slow = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in post_routes(app)]
        started = time.monotonic()
        for s, path in zip(slow, post_routes(app)):
            s.sendall(f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Length: 1000\r\n\r\nemail=".encode())
        for s, path in zip(slow, post_routes(app)):
            with s:
                assert s.recv(100) == b"", path  # closed, with no answer: the rest of the body never came
        assert time.monotonic() - started < 5
    finally:
        server.close()
    assert seen == []  # none reached the application


def test_trusted_hosts_are_the_services_own_names(tmp_path):
    config = Config(store=tmp_path / "s.duckdb", app_db="sqlite://", secret_key="k" * 48, host="0.0.0.0",
                    public_url="https://surveys.example.gov.uk", trusted_hosts="munro.internal, .council.gov.uk")
    assert trusted_hosts(config) == [".council.gov.uk", "127.0.0.1", "localhost", "munro.internal",
                                     "surveys.example.gov.uk"]
    config.host, config.public_url, config.trusted_hosts = "10.1.2.3", None, None
    assert trusted_hosts(config) == ["10.1.2.3", "127.0.0.1", "localhost"]


def test_an_untrusted_host_header_is_refused(web_store, tmp_path):
    from munro.web import create_app

    app = create_app(Config(store=web_store, app_db=f"sqlite:///{tmp_path}/app.sqlite", secret_key="k" * 48,
                            public_url="https://surveys.example.gov.uk", trusted_hosts=".council.gov.uk"))
    client = app.test_client()
    for host in ("surveys.example.gov.uk", "localhost:8000", "127.0.0.1", "munro.council.gov.uk"):
        assert client.get("/sign-in", headers={"Host": host}).status_code == 200, host
    for host in ("attacker.example", "surveys.example.gov.uk.attacker.example", "council.gov.uk.evil", "a b"):
        response = client.get("/sign-in", headers={"Host": host})
        assert response.status_code == 400 and "does not answer to that address" in response.text, host
        assert "attacker" not in response.text and "Content-Security-Policy" in response.headers
    body = Body(1000)  # refused before its body is read
    assert send(app, "/sign-in", body, length=1000, host="attacker.example")[0] == 400 and body.read_bytes == 0


def test_every_text_field_has_a_length_limit(app):
    client = app.test_client()
    signed_out = form_token(client)
    long_email = "a" * 243 + "@example.org"  # 255 characters, one more than an address may have
    refused = client.post("/sign-in", data={"csrf_token": signed_out, "email": long_email, "password": "x" * 20})
    assert refused.status_code == 400 and "more than 254 characters" in refused.text and long_email not in refused.text
    tried = client.post("/sign-in", data={"csrf_token": signed_out, "email": long_email[1:], "password": "x" * 20})
    assert "more than" not in tried.text  # 254: the sign-in page's own answer (a wrong password)
    # The red team's 100,000-character survey title; the default limit for a field no table names is 200.
    admin = client_of(app, email("survey_admin"))
    csrf = token(admin)
    for title, refused in (("t" * 100_000, True), ("t" * 201, True), ("t" * 200, False)):
        response = admin.post(f"/la/{LA}/surveys/new", data={"csrf_token": csrf, "title": title})
        assert ("more than 200 characters" in response.text) is refused, len(title)
    # A triage note: a few thousand characters, not the red team's 400 KB.
    triage = client_of(app, email("triage"))
    response = triage.post(f"/la/{LA}/triage/1", data={"csrf_token": token(triage),
                                                       "outcome": "n" * 5001})
    assert response.status_code == 400 and "more than 5,000 characters" in response.text
    assert client.get("/sign-in?next=" + "x" * 201).status_code == 400  # a query's values too
