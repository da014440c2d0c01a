"""The staff console's server: the Starlette app (`app.py`) on uvicorn, in a thread of its own.

Why Starlette on uvicorn: both are maintained, small (pure Python with h11; no compiler), and
async, so a slow or half-sent client costs a socket, not a thread; server-sent events to many
browsers are cheap; TLS is built in (`tls_cert`/`tls_key`), or it runs on loopback behind nginx
(deploy/nginx/kiosk-console.conf).

Guards against slow clients: request headers must arrive within `header_timeout_s` (checked per
connection by `_GuardedH11`), bodies within `body_timeout_s`, at most `max_connections` at once.
"""
from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import ssl
import threading
from typing import Any

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from .app import ConsoleOptions, build_app
from .feed import ConsoleSource
from .guard import LoginGuard
from .store import ConsoleStore

log = logging.getLogger(__name__)


class InsecureConsole(ValueError):
    """The production profile refuses to serve staff passwords over plain HTTP."""


def parse_listen(listen: str) -> tuple[str, int]:
    host, sep, port = listen.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"console listen address {listen!r}: expected HOST:PORT")
    return host.strip("[]") or "127.0.0.1", int(port)


def _loopback(host: str) -> bool:
    """Only this host can reach the address (plain HTTP behind a local TLS proxy)."""
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _listener(host: str, port: int) -> socket.socket:
    """The listening socket, made as asyncio makes its own: protocol IPPROTO_TCP, without which
    asyncio leaves Nagle on for every connection (socket.create_server says protocol 0), and a
    small answer or live update after another waited for the browser's delayed ACK (40 ms)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(1024)
    except OSError:
        sock.close()
        raise
    return sock


class _GuardedH11(H11Protocol):
    """uvicorn's h11 protocol with a deadline for each request's headers (slowloris)."""
    header_timeout_s = 10.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._answered = 0
        self._arm()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._answered += 1
        self._arm()

    def _arm(self) -> None:
        self.loop.call_later(self.header_timeout_s, self._headers_due, self._answered)

    def _headers_due(self, answered: int) -> None:
        # Still no complete request line and headers since the last answer: a slow client.
        if answered == self._answered and self.conn.their_state is h11.IDLE \
                and not self.transport.is_closing():
            self.transport.close()


class ConsoleServer:
    def __init__(self, source: ConsoleSource, staff: dict[str, str], *,
                 listen: str = "127.0.0.1:8080", session_ttl_s: float = 8 * 3600,
                 roles: dict[str, str] | None = None, store: ConsoleStore | None = None,
                 tls_cert: str = "", tls_key: str = "", require_tls: bool = False,
                 header_timeout_s: float = 10.0, body_timeout_s: float = 10.0,
                 max_connections: int = 500, guard: LoginGuard | None = None,
                 page_info: dict[str, Any] | None = None, reports: Any | None = None):
        """`reports` (kiosk.console.reports.FleetReports): availability and acknowledgement
        times from the fleet service's PostgreSQL; the server closes it."""
        host, port = parse_listen(listen)
        if require_tls and not (tls_cert and tls_key) and not _loopback(host):
            raise InsecureConsole("the production profile serves the console only over TLS: "
                                  "set [console] tls_cert and tls_key, or listen on 127.0.0.1 "
                                  "behind a TLS proxy (deploy/nginx/kiosk-console.conf)")
        self.source = source
        self.tls = bool(tls_cert and tls_key)
        self.store = store or ConsoleStore()
        self._own_store = store is None
        options = ConsoleOptions(dict(staff), dict(roles or {}), session_ttl_s,
                                 secure_cookies=self.tls, body_timeout_s=body_timeout_s,
                                 page_info=page_info or {}, reports=reports)
        self.reports = reports
        self.app = build_app(source, self.store, options, guard)
        self.guard: LoginGuard = self.app.state.guard
        self._socket = _listener(host, port)
        protocol = type("GuardedH11", (_GuardedH11,), {"header_timeout_s": header_timeout_s})
        ssl_options: dict[str, Any] = {}
        if self.tls:
            ssl_options = {"ssl_certfile": tls_cert, "ssl_keyfile": tls_key,
                           "ssl_version": ssl.PROTOCOL_TLS_SERVER}
        self._config = uvicorn.Config(self.app, http=protocol, ws="none", lifespan="on",
                                      log_config=None, access_log=False, server_header=False,
                                      timeout_keep_alive=5, limit_concurrency=max_connections,
                                      # behind nginx on this host: its X-Forwarded-* count
                                      proxy_headers=True, forwarded_allow_ips="127.0.0.1",
                                      timeout_graceful_shutdown=2,
                                      h11_max_incomplete_event_size=16 * 1024, **ssl_options)
        self._server = uvicorn.Server(self._config)
        self._thread: threading.Thread | None = None
        if not staff:
            log.warning("console has no staff accounts configured: nobody can log in")

    @classmethod
    def from_config(cls, source: ConsoleSource, config: Any, *, listen: str = "",
                    store: ConsoleStore | None = None, fleet_dsn: str = "") -> "ConsoleServer":
        c = config.console
        reports = None
        if fleet_dsn or c.fleet_dsn:   # without the fleet database: no reports page
            from .reports import FleetReports
            try:
                reports = FleetReports.from_dsn(fleet_dsn or c.fleet_dsn)
            except Exception as exc:  # psycopg.OperationalError and friends
                log.error("console: no reports, the fleet database is unreachable: %s", exc)
        return cls(source, c.staff, listen=listen or c.listen, session_ttl_s=c.session_ttl_s,
                   roles=c.roles, store=store or ConsoleStore(config.path(c.database)),
                   tls_cert=str(config.path(c.tls_cert)) if c.tls_cert else "",
                   tls_key=str(config.path(c.tls_key)) if c.tls_key else "",
                   require_tls=config.kiosk.profile == "production",
                   page_info={"branches": c.branches, "positions": c.positions,
                              "regions": c.regions,
                              "ack_within_s": config.notify.escalate_after_s[0]
                              if config.notify.escalate_after_s else 0}, reports=reports)

    @property
    def url(self) -> str:
        host, port = self._socket.getsockname()[:2]
        host = f"[{host}]" if ":" in host else host
        return f"{'https' if self.tls else 'http'}://{host}:{port}"

    def start(self) -> None:
        self._thread = threading.Thread(target=self._server.run,
                                        kwargs={"sockets": [self._socket]},
                                        name="console", daemon=True)
        self._thread.start()
        while not self._server.started and self._thread.is_alive():
            self._thread.join(0.01)
        if not self._server.started:
            raise OSError(f"the staff console could not start on {self.url}")
        log.info("staff console on %s", self.url)

    def stop(self) -> None:
        self.app.state.hub.stop()
        self._server.should_exit = True
        if self._thread:
            self._thread.join(5)
        self._socket.close()
        if self._own_store:
            self.store.close()
        if self.reports is not None:
            self.reports.close()
