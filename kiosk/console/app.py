"""The staff console as an ASGI application (Starlette).

Every page and API needs a staff session except /login. The login form carries a CSRF token
bound to a pre-login cookie; every state-changing API call carries the session's token in
X-CSRF-Token. Live updates are server-sent events on /api/events: one snapshot, then only the
kiosks that changed. Roles: `ops` sees and acts on everything, `branch:CODE` only its branch,
`auditor` sees everything and acts on nothing. Remote actions (out of service and back, a
self-test, a diagnostics bundle) go to the kiosk through the source and are audited when asked
and again when the kiosk answers.
"""
from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
import secrets
from dataclasses import dataclass, field
from typing import Any, AsyncIterator
from urllib.parse import parse_qs

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (HTMLResponse, JSONResponse, PlainTextResponse,
                                 RedirectResponse, Response, StreamingResponse)
from starlette.routing import Route

from ..fleet.schema import REMOTE_ACTIONS
from .feed import ConsoleSource
from .guard import Busy, LoginGuard
from .page import console_page, login_page, pick_language
from .reports import GROUPS, PERIODS, TABLES, report_csv
from .reports_page import reports_page
from .store import ConsoleStore, StaffSession, audit_csv
from .views import KioskView

log = logging.getLogger(__name__)

COOKIE = "kiosk_console"
LOGIN_COOKIE = "kiosk_login"
MAX_BODY = 16 * 1024
KEEPALIVE_S = 15.0
COALESCE_S = 0.05
_HEADERS = {"Cache-Control": "no-store", "X-Frame-Options": "DENY",
            "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"}


@dataclass
class ConsoleOptions:
    staff: dict[str, str]                       # user -> scrypt hash
    roles: dict[str, str] = field(default_factory=dict)  # user -> ops | auditor | branch:CODE
    session_ttl_s: float = 8 * 3600
    secure_cookies: bool = False                # set when served over TLS
    page_info: dict[str, Any] = field(default_factory=dict)  # branches, positions, ack_within_s
    body_timeout_s: float = 10.0
    reports: Any | None = None   # kiosk.console.reports.FleetReports when the fleet DB is set


class TooLarge(Exception):
    pass


class _Hub:
    """Wakes every live-update stream (asyncio) when the feed (any thread) changes."""

    def __init__(self) -> None:
        self._event = asyncio.Event()
        self.stopping = False
        self.loop: asyncio.AbstractEventLoop | None = None

    def stop(self) -> None:
        """From any thread: end every live stream (before the server waits for them)."""
        def end() -> None:
            self.stopping = True
            self.notify()
        if self.loop is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(end)

    def notify(self) -> None:
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, timeout: float) -> bool:
        try:
            await asyncio.wait_for(self._event.wait(), timeout)
            return True
        except asyncio.TimeoutError:
            return False


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode())


def build_app(source: ConsoleSource, store: ConsoleStore, options: ConsoleOptions,
              guard: LoginGuard | None = None) -> Starlette:
    guard = guard or LoginGuard()
    hub = _Hub()
    requests = getattr(source, "remote_requests", None)
    if requests is not None:   # every remote action and its answer join the audit trail
        requests.on_sent(lambda r: store.audit(
            r["by"], f"remote.{r['action']}", kiosk=r["kiosk"], branch=r["branch"],
            alert_id=r["action_id"], outcome="sent",
            detail=" ".join(filter(None, (r["device"], r["reason"])))))
        requests.on_answer(lambda r: store.audit(
            r["by"], f"remote.{r['action']}", kiosk=r["kiosk"], branch=r["branch"],
            alert_id=r["action_id"], outcome=r["state"] if r["result"] or r["state"] != "failed"
            else "no answer", detail=r["result"]))
    tasks: list[asyncio.Task[None]] = []

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        loop = hub.loop = asyncio.get_running_loop()
        undo = source.feed.listen(lambda: loop.call_soon_threadsafe(hub.notify))
        if hasattr(source, "expire_pending"):
            tasks.append(asyncio.create_task(_expire(source)))
        try:
            yield
        finally:
            hub.stopping = True
            hub.notify()
            undo()
            for task in tasks:
                task.cancel()

    def cookie_flags(request: Request) -> str:
        # served over TLS here, or behind a TLS proxy on this host (X-Forwarded-Proto)
        return "; Secure" if options.secure_cookies or request.url.scheme == "https" else ""

    def session_of(request: Request) -> StaffSession | None:
        return store.session(request.cookies.get(COOKIE))

    async def body(request: Request) -> bytes:
        declared = request.headers.get("content-length", "0")
        if not declared.isdigit() or int(declared) > MAX_BODY:
            raise TooLarge()
        chunks, size = [], 0

        async def read() -> None:
            nonlocal size
            async for chunk in request.stream():
                size += len(chunk)
                if size > MAX_BODY:
                    raise TooLarge()
                chunks.append(chunk)
        await asyncio.wait_for(read(), options.body_timeout_s)
        return b"".join(chunks)

    def html(text: str, status: int = 200, nonce: str = "") -> HTMLResponse:
        script = f"'nonce-{nonce}'" if nonce else "'none'"
        csp = (f"default-src 'none'; style-src 'unsafe-inline'; script-src {script}; "
               "connect-src 'self'; form-action 'self'; "
               "frame-ancestors 'none'")
        return HTMLResponse(text, status, {**_HEADERS, "Content-Security-Policy": csp})

    def jsonr(data: Any, status: int = 200) -> JSONResponse:
        return JSONResponse(data, status, _HEADERS)

    # -- login ------------------------------------------------------------------------------
    async def login_form(request: Request, error: str = "", status: int = 200) -> Response:
        token = secrets.token_urlsafe(24)
        lang = pick_language(request.headers.get("accept-language", ""),
                             request.cookies.get("lang", ""))
        response = html(login_page(token, error, lang), status)
        response.headers.append("Set-Cookie", f"{LOGIN_COOKIE}={token}; Path=/login; HttpOnly; "
                                f"SameSite=Strict; Max-Age=3600{cookie_flags(request)}")
        return response

    async def login(request: Request) -> Response:
        if request.method == "GET":
            return await login_form(request)
        try:
            form = parse_qs((await body(request)).decode("utf-8", "replace"))
        except (TooLarge, asyncio.TimeoutError):
            return jsonr({"error": "request too large or too slow"}, 413)
        user = form.get("user", [""])[0][:64]
        token = form.get("csrf", [""])[0]
        expected = request.cookies.get(LOGIN_COOKIE, "")
        if not expected or not _same(token, expected):
            return await login_form(request, "form_expired", 403)
        address = request.client.host if request.client else "?"
        wait = guard.retry_after(user, address)
        if wait > 0:
            log.warning("console: login for %r from %s refused: throttled", user[:32], address)
            store.audit(user, "login", outcome="throttled", detail=address)
            response = await login_form(request, "throttled", 429)
            response.headers["Retry-After"] = str(int(wait) + 1)
            return response
        try:
            ok = await guard.verify(form.get("password", [""])[0], options.staff.get(user))
        except Busy:
            return await login_form(request, "busy", 503)
        if not ok:
            guard.failed(user, address)
            store.audit(user, "login", outcome="failed", detail=address)
            log.warning("console: failed login for %r from %s", user[:32], address)
            return await login_form(request, "wrong", 401)
        guard.succeeded(user)
        session = store.create_session(user, options.roles.get(user, "ops"),
                                       options.session_ttl_s)
        store.audit(user, "login", outcome="ok", detail=address)
        log.info("console: %s logged in", user)
        response = RedirectResponse("/", 303, _HEADERS)
        response.headers.append("Set-Cookie", f"{COOKIE}={session.session_id}; Path=/; "
                                f"HttpOnly; SameSite=Strict; Max-Age={int(options.session_ttl_s)}"
                                f"{cookie_flags(request)}")
        response.headers.append("Set-Cookie", f"{LOGIN_COOKIE}=; Path=/login; Max-Age=0")
        return response

    async def logout(request: Request) -> Response:
        session = session_of(request)
        if session is None:
            return jsonr({"error": "login required"}, 401)
        try:
            form = parse_qs((await body(request)).decode("utf-8", "replace"))
        except (TooLarge, asyncio.TimeoutError):
            return jsonr({"error": "request too large or too slow"}, 413)
        if not _same(form.get("csrf", [""])[0], session.csrf):
            return jsonr({"error": "bad CSRF token"}, 403)
        store.end_session(session.session_id)
        store.audit(session.user, "logout")
        response = RedirectResponse("/login", 303, _HEADERS)
        response.headers.append("Set-Cookie", f"{COOKIE}=; Path=/; Max-Age=0")
        return response

    # -- pages and state ----------------------------------------------------------------------
    async def index(request: Request) -> Response:
        session = session_of(request)
        if session is None:
            return RedirectResponse("/login", 303, _HEADERS)
        nonce = secrets.token_urlsafe(16)
        return html(console_page(session.user, session.role, session.csrf, nonce,
                                 {**options.page_info, "reports": options.reports is not None}),
                    nonce=nonce)

    regions: dict[str, str] = options.page_info.get("regions") or {}   # branch -> region

    def view_of(request: Request, session: StaffSession) -> KioskView:
        """?branch=, ?region= and ?limit= within the role's branches (views.py)."""
        return KioskView.from_query(request.query_params, session.sees, regions)

    async def state(request: Request) -> Response:
        session = session_of(request)
        if session is None:
            return jsonr({"error": "login required"}, 401)
        view = view_of(request, session)
        return jsonr({"version": source.feed.version, **view.fetch(source)})

    async def events(request: Request) -> Response:
        session = session_of(request)
        if session is None:
            return jsonr({"error": "login required"}, 401)
        return StreamingResponse(_stream(session, view_of(request, session)),
                                 media_type="text/event-stream",
                                 headers={**_HEADERS, "X-Accel-Buffering": "no"})

    async def _stream(session: StaffSession, view: KioskView) -> AsyncIterator[str]:
        version = source.feed.version
        full = view.fetch(source)
        sent = {k["kiosk"] for k in full["kiosks"]}
        mark = max((h["updated_at"] for h in full["history"]), default=0.0)
        yield _sse("snapshot", {"version": version, **full})
        while not hub.stopping:
            if not await hub.wait(KEEPALIVE_S):
                yield ": keep-alive\n\n"
                continue
            await asyncio.sleep(COALESCE_S)
            if hub.stopping or store.session(session.session_id) is None:
                break
            version, keys = source.feed.changed_since(version)
            if keys is None:
                full = view.fetch(source)
                sent = {k["kiosk"] for k in full["kiosks"]}
                yield _sse("snapshot", {"version": version, **full})
                continue
            kiosks, gone = [], []
            for key in sorted(keys):
                kiosk = source.kiosk(key)
                if kiosk is None:
                    gone.append(key)
                elif view.wants(kiosk, sent):
                    kiosks.append(kiosk)
            history = [h for h in source.history() if h["updated_at"] > mark and
                       view.shows(h.get("branch", ""))]
            mark = max([mark, *(h["updated_at"] for h in history)])
            yield _sse("delta", {"version": version, "kiosks": kiosks, "gone": gone,
                                 "history": history, "broker": source.broker_state()})

    # -- actions -----------------------------------------------------------------------------
    def acting(request: Request) -> StaffSession | Response:
        """The staff session an action comes from (its cookie and X-CSRF-Token), or the refusal."""
        session = session_of(request)
        if session is None:
            return jsonr({"error": "login required"}, 401)
        if not _same(request.headers.get("x-csrf-token", ""), session.csrf):
            return jsonr({"error": "bad CSRF token"}, 403)
        return session

    def acted_on(session: StaffSession, kiosk_id: str, action: str,
                 **audit: str) -> dict[str, Any] | Response:
        """The kiosk the action is for, if this staff member sees it and may act on it (a
        refused role is audited); else the refusal."""
        kiosk = source.kiosk(kiosk_id)
        if kiosk is None or not session.sees(kiosk["branch"]):
            return jsonr({"ok": False, "error": "unknown kiosk"}, 404)
        if not session.may_act(kiosk["branch"]):
            store.audit(session.user, action, kiosk=kiosk_id, branch=kiosk["branch"],
                        outcome="forbidden", **audit)
            return jsonr({"ok": False, "error": "your role may not act"}, 403)
        return kiosk

    async def act(request: Request) -> Response:
        session = acting(request)
        if isinstance(session, Response):
            return session
        verb = request.path_params["verb"]
        if verb not in ("ack", "resolve", "approve", "reject"):
            return jsonr({"error": "not found"}, 404)
        try:
            data = json.loads(await body(request))
            kiosk_id, alert_id = str(data["kiosk"]), str(data["alert_id"])
            reason = str(data.get("reason") or "").strip()[:200]
        except (TooLarge, asyncio.TimeoutError):
            return jsonr({"error": "request too large or too slow"}, 413)
        except (ValueError, KeyError, TypeError):
            return jsonr({"error": "expected {kiosk, alert_id}"}, 400)
        deciding = verb in ("approve", "reject")
        if deciding and not reason:
            return jsonr({"ok": False, "error": "a reason is required"}, 400)
        kiosk = acted_on(session, kiosk_id, verb, alert_id=alert_id)
        if isinstance(kiosk, Response):
            return kiosk
        if deciding:
            ok = await asyncio.to_thread(source.decide, kiosk_id, alert_id, verb == "approve",
                                         session.user, reason)
        else:
            run = source.acknowledge if verb == "ack" else source.resolve
            ok = await asyncio.to_thread(run, kiosk_id, alert_id, session.user)
        store.audit(session.user, verb, kiosk=kiosk_id, branch=kiosk["branch"],
                    alert_id=alert_id, outcome="sent" if ok else "unknown alert", detail=reason)
        log.info("console: %s %s %s on %s: %s", session.user, verb, alert_id, kiosk_id,
                 "sent" if ok else "unknown alert")
        return jsonr({"ok": ok}, 200 if ok else 404)

    async def remote(request: Request) -> Response:
        """A remote action on one kiosk: out_of_service, in_service, self_test (a device),
        bundle. Answered with the request, pending until the kiosk answers."""
        session = acting(request)
        if isinstance(session, Response):
            return session
        try:
            data = json.loads(await body(request))
            kiosk_id, action = str(data["kiosk"]), str(data["action"])
            device = str(data.get("device") or "")[:40]
            reason = str(data.get("reason") or "").strip()[:200]
        except (TooLarge, asyncio.TimeoutError):
            return jsonr({"error": "request too large or too slow"}, 413)
        except (ValueError, KeyError, TypeError):
            return jsonr({"error": "expected {kiosk, action}"}, 400)
        if action not in REMOTE_ACTIONS or (action == "self_test") != bool(device):
            return jsonr({"error": "unknown action (a self-test names one device)"}, 400)
        kiosk = acted_on(session, kiosk_id, f"remote.{action}", detail=device)
        if isinstance(kiosk, Response):
            return kiosk
        send = getattr(source, "remote", None)   # audited as sent by remote_requests
        sent = await asyncio.to_thread(send, kiosk_id, action, session.user, device,
                                       reason) if send else None
        if not sent:
            store.audit(session.user, f"remote.{action}", kiosk=kiosk_id,
                        branch=kiosk["branch"], outcome="not supported",
                        detail=" ".join(filter(None, (device, reason))))
        log.info("console: %s asked %s of %s: %s", session.user, action, kiosk_id,
                 "sent" if sent else "not supported")
        return jsonr({"ok": bool(sent), "request": sent}, 200 if sent else 501)

    async def audit(request: Request) -> Response:
        session = session_of(request)
        if session is None:
            return jsonr({"error": "login required"}, 401)
        branch = session.role[7:] if session.role.startswith("branch:") else ""
        limit = request.query_params.get("limit", "")
        rows = store.audit_rows(kiosk=request.query_params.get("kiosk", ""), branch=branch,
                                limit=min(int(limit), 10_000) if limit.isdigit() else 500)
        if request.query_params.get("format") == "csv":
            return csv_download(audit_csv(rows), "console-audit.csv")
        return jsonr({"audit": rows})

    def csv_download(text: str, filename: str) -> Response:
        return PlainTextResponse(text, headers={
            **_HEADERS, "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{filename}"'})

    async def reports_html(request: Request) -> Response:
        session = session_of(request)
        if session is None:
            return RedirectResponse("/login", 303, _HEADERS)
        if options.reports is None:
            return jsonr({"error": "no fleet database configured"}, 404)
        nonce = secrets.token_urlsafe(16)
        return html(reports_page(session.user, nonce, options.page_info), nonce=nonce)

    async def reports_api(request: Request) -> Response:
        """Availability and acknowledgement times from the fleet's PostgreSQL, as JSON, or one
        table as a CSV download (format=csv&table=availability|ack) with the same filters."""
        session = session_of(request)
        if session is None:
            return jsonr({"error": "login required"}, 401)
        if options.reports is None:
            return jsonr({"error": "no fleet database configured"}, 404)
        period = request.query_params.get("period", "day")
        by = request.query_params.get("by", "kiosk")
        table = request.query_params.get("table", "")   # with format=csv: one table of it
        csv = request.query_params.get("format") == "csv"
        if period not in PERIODS or by not in GROUPS or (csv and table not in TABLES):
            return jsonr({"error": "period day|week|month, by kiosk|branch "
                                   "(format=csv: table availability|ack)"}, 400)
        branch = session.role[7:] if session.role.startswith("branch:") else ""
        try:
            report = await asyncio.to_thread(options.reports.report, period, by, branch)
        except Exception:
            log.exception("console: the fleet database could not answer a report")
            return jsonr({"error": "the fleet database is not answering"}, 503)
        if csv:
            return csv_download(report_csv(report, table, options.page_info.get("branches")
                                           or {}), f"{table}-{period}-by-{by}.csv")
        return jsonr(report)

    async def not_found(request: Request, exc: Exception) -> Response:
        return jsonr({"error": "not found"}, 404)

    app = Starlette(routes=[
        Route("/", index), Route("/login", login, methods=["GET", "POST"]),
        Route("/logout", logout, methods=["POST"]), Route("/api/state", state),
        Route("/api/events", events), Route("/api/audit", audit),
        Route("/reports", reports_html), Route("/api/reports", reports_api),
        Route("/api/remote", remote, methods=["POST"]),
        Route("/api/{verb:str}", act, methods=["POST"]),
    ], lifespan=lifespan, exception_handlers={404: not_found})
    app.state.guard = guard
    app.state.hub = hub
    return app


async def _expire(source: Any) -> None:
    while True:
        await asyncio.sleep(1.0)
        try:
            source.expire_pending()
        except Exception:
            log.exception("console: expiring pending commands failed")


def _sse(kind: str, data: dict[str, Any]) -> str:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"event: {kind}\nid: {data['version']}\ndata: {text}\n\n"
