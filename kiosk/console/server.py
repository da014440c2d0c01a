"""The staff console's HTTP server (stdlib ThreadingHTTPServer).

Every page and API needs a staff session except /login; state-changing requests need the
session's CSRF token (header X-CSRF-Token, or a `csrf` form field for logout). Live updates
are long polls on /api/state?since=VERSION that return as soon as anything changes.
"""
from __future__ import annotations

import http.cookies
import json
import logging
import secrets
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from .feed import ConsoleSource
from .page import console_page, login_page
from .passwords import verify_password
from .sessions import COOKIE, SessionStore, StaffSession

log = logging.getLogger(__name__)

LONG_POLL_S = 20.0
FAILED_LOGIN_DELAY_S = 0.5
MAX_BODY = 16 * 1024


def parse_listen(listen: str) -> tuple[str, int]:
    host, sep, port = listen.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"console listen address {listen!r}: expected HOST:PORT")
    return host.strip("[]") or "127.0.0.1", int(port)


class ConsoleServer:
    def __init__(self, source: ConsoleSource, staff: dict[str, str], *,
                 listen: str = "127.0.0.1:8080", session_ttl_s: float = 8 * 3600):
        self.source = source
        self.staff = dict(staff)
        self.sessions = SessionStore(session_ttl_s)
        self._stopping = False
        host, port = parse_listen(listen)
        handler = type("BoundConsoleHandler", (_Handler,), {"console": self})
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None
        if not self.staff:
            log.warning("console has no staff accounts configured: nobody can log in")

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.1,),
                                        name="console", daemon=True)
        self._thread.start()
        log.info("staff console on %s", self.url)

    def stop(self) -> None:
        self._stopping = True
        self.source.feed.bump()  # release long polls
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread:
            self._thread.join(5)

    def login(self, user: str, password: str) -> StaffSession | None:
        stored = self.staff.get(user)
        if stored is not None and verify_password(password, stored):
            log.info("console: %s logged in", user)
            return self.sessions.create(user)
        log.warning("console: failed login for %r", user[:32])
        time.sleep(FAILED_LOGIN_DELAY_S)
        return None


class _Handler(BaseHTTPRequestHandler):
    console: ConsoleServer
    server_version = "KioskConsole"
    sys_version = ""

    def handle_one_request(self) -> None:
        try:
            super().handle_one_request()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the browser went away mid-answer (page closed)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s %s", self.address_string(), format % args)

    # -- helpers -----------------------------------------------------------------------------
    def _session(self) -> StaffSession | None:
        cookies = http.cookies.SimpleCookie(self.headers.get("Cookie", ""))
        morsel = cookies.get(COOKIE)
        return self.console.sessions.get(morsel.value if morsel else None)

    def _send(self, status: int, body: bytes, content_type: str,
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Frame-Options", "DENY")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _html(self, text: str, status: int = 200, nonce: str = "",
              headers: dict[str, str] | None = None) -> None:
        script = f"'nonce-{nonce}'" if nonce else "'none'"
        csp = (f"default-src 'none'; style-src 'unsafe-inline'; script-src {script}; "
               "connect-src 'self'; form-action 'self'; frame-ancestors 'none'")
        self._send(status, text.encode(), "text/html; charset=utf-8",
                   {"Content-Security-Policy": csp, **(headers or {})})

    def _json(self, data: Any, status: int = 200) -> None:
        self._send(status, json.dumps(data, ensure_ascii=False).encode(),
                   "application/json; charset=utf-8")

    def _redirect(self, where: str, headers: dict[str, str] | None = None) -> None:
        self._send(HTTPStatus.SEE_OTHER, b"", "text/plain", {"Location": where, **(headers or {})})

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("request body too large")
        return self.rfile.read(length)

    # -- routes ------------------------------------------------------------------------------
    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/login":
            self._html(login_page())
            return
        session = self._session()
        if session is None:
            if url.path.startswith("/api/"):
                self._json({"error": "login required"}, HTTPStatus.UNAUTHORIZED)
            else:
                self._redirect("/login")
            return
        if url.path == "/":
            nonce = secrets.token_urlsafe(16)
            self._html(console_page(session.user, session.csrf, nonce), nonce=nonce)
        elif url.path == "/api/state":
            self._state(parse_qs(url.query).get("since", ["-1"])[0])
        else:
            self._json({"error": "not found"}, HTTPStatus.NOT_FOUND)

    def _state(self, since: str) -> None:
        feed = self.console.source.feed
        try:
            seen = int(since)
        except ValueError:
            seen = -1
        version = feed.version if seen != feed.version else feed.wait(seen, LONG_POLL_S)
        if self.console._stopping:
            self._json({"error": "console stopping"}, HTTPStatus.SERVICE_UNAVAILABLE)
            return
        self._json({"version": version, **self.console.source.snapshot()})

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        try:
            body = self._body()
        except ValueError:
            self._json({"error": "too large"}, HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
            return
        if path == "/login":
            form = parse_qs(body.decode(errors="replace"))
            session = self.console.login(form.get("user", [""])[0],
                                         form.get("password", [""])[0])
            if session is None:
                self._html(login_page("Wrong user or password 用户名或密码错误"),
                           HTTPStatus.UNAUTHORIZED)
            else:
                self._redirect("/", {"Set-Cookie": self.console.sessions.cookie(session)})
            return
        session = self._session()
        if session is None:
            self._json({"error": "login required"}, HTTPStatus.UNAUTHORIZED)
            return
        if path == "/logout":
            token = parse_qs(body.decode(errors="replace")).get("csrf", [""])[0]
            if not secrets.compare_digest(token, session.csrf):
                self._json({"error": "bad CSRF token"}, HTTPStatus.FORBIDDEN)
                return
            self.console.sessions.end(session.session_id)
            self._redirect("/login", {"Set-Cookie": f"{COOKIE}=; Path=/; Max-Age=0"})
            return
        if path not in ("/api/ack", "/api/resolve"):
            self._json({"error": "not found"}, HTTPStatus.NOT_FOUND)
            return
        if not secrets.compare_digest(self.headers.get("X-CSRF-Token", ""), session.csrf):
            self._json({"error": "bad CSRF token"}, HTTPStatus.FORBIDDEN)
            return
        try:
            data = json.loads(body)
            kiosk, alert_id = str(data["kiosk"]), str(data["alert_id"])
        except (ValueError, KeyError, TypeError):
            self._json({"error": "expected {kiosk, alert_id}"}, HTTPStatus.BAD_REQUEST)
            return
        source = self.console.source
        act = source.acknowledge if path == "/api/ack" else source.resolve
        ok = act(kiosk, alert_id, session.user)
        log.info("console: %s %s %s on %s: %s", session.user, path.rsplit("/", 1)[-1],
                 alert_id, kiosk, "done" if ok else "unknown alert")
        self._json({"ok": ok}, HTTPStatus.OK if ok else HTTPStatus.NOT_FOUND)
