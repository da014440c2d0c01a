"""The staff console under attack: bad lengths, brute force, forged forms, slow clients, plain
HTTP in production; and what must survive a restart (sessions, audit trail)."""
from __future__ import annotations

import concurrent.futures
import datetime as dt
import http.client
import http.cookiejar
import json
import socket
import ssl
import time
import urllib.request

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from kiosk.alerts import AlertCenter, AlertState
from kiosk.alerts.outbox import AlertOutbox
from kiosk.console.local import LocalSource
from kiosk.console.passwords import hash_password
from kiosk.console.server import ConsoleServer, InsecureConsole
from kiosk.console.store import ConsoleStore
from kiosk.fleet.broker import BrokerAddress

from .test_alerts_console import (PASSWORD, STAFF, _login, _NoRedirect, _request, browser,  # noqa: F401
                                  log_in_page)

HASH = hash_password(PASSWORD)


@pytest.fixture
def center(tmp_path):
    center = AlertCenter(AlertOutbox(tmp_path / "alerts.db"), kiosk_id="KSK-A1", branch="B1")
    yield center
    center.close()


@pytest.fixture
def serve(center):
    servers = []

    def make(**kwargs):
        source = LocalSource(center)
        server = ConsoleServer(source, kwargs.pop("staff", {STAFF: HASH}),
                               listen="127.0.0.1:0", **kwargs)
        server.start()
        servers.append((server, source))
        return server
    yield make
    for server, source in servers:
        server.stop()
        source.close()


def _opener():
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect)


def _raw(url, data: bytes, timeout=3.0) -> bytes:
    host, port = url.split("//")[1].split(":")
    with socket.create_connection((host, int(port)), timeout) as s:
        s.sendall(data)
        try:
            return s.recv(4096)
        except socket.timeout:
            return b"(no answer)"


def test_negative_or_huge_content_length_is_refused_at_once(serve):
    server = serve()
    head = b"POST /login HTTP/1.1\r\nHost: kiosk\r\n"
    reply = _raw(server.url, head + b"Content-Length: -1\r\n\r\n" + b"x" * 1000)
    assert reply.startswith(b"HTTP/1.1 400"), reply[:80]
    reply = _raw(server.url, head + b"Content-Length: 314572800\r\n\r\n" + b"x" * 100_000)
    assert reply.startswith(b"HTTP/1.1 413"), reply[:80]


def test_login_is_throttled_per_account_and_per_address(serve):
    server = serve(staff={STAFF: HASH, "李测试": HASH})
    for _ in range(5):
        assert _login(server.url, _opener(), STAFF, "guess")[0] == 401
    status, headers, _ = _login(server.url, _opener(), STAFF, PASSWORD)
    assert status == 429 and int(headers["Retry-After"]) > 0  # right password, still locked
    for n in range(15):  # the same address guessing other names
        assert _login(server.url, _opener(), f"user{n}", "guess")[0] == 401
    assert _login(server.url, _opener(), "李测试", PASSWORD)[0] == 429
    rows = server.store.audit_rows()
    assert sum(r["outcome"] == "failed" for r in rows) == 20
    assert sum(r["outcome"] == "throttled" for r in rows) == 2


def test_unknown_user_costs_a_hash_too(serve):
    server = serve()
    before = server.guard.hashes
    assert _login(server.url, _opener(), "nobody-here", "guess")[0] == 401
    assert server.guard.hashes == before + 1


def test_concurrent_logins_hash_two_at_a_time_and_staff_are_still_served(serve):
    server = serve()
    staff = _opener()
    assert _login(server.url, staff, STAFF, PASSWORD)[0] == 303
    with concurrent.futures.ThreadPoolExecutor(30) as pool:
        futures = [pool.submit(_login, server.url, _opener(), f"x{n}", "guess")
                   for n in range(30)]
        time.sleep(0.1)
        start = time.monotonic()
        assert _request(server.url + "/api/state", opener=staff)[0] == 200
        waited = time.monotonic() - start
        statuses = sorted({f.result()[0] for f in futures})
    assert waited < 1.0
    assert server.guard.peak_hashing <= 2
    assert set(statuses) <= {401, 429, 503}


def test_login_form_needs_its_csrf_token(serve):
    server = serve()
    opener = _opener()
    form = f"user={STAFF}&password={PASSWORD}".encode()
    status, headers, _ = _request(server.url + "/login", form, opener=opener)
    assert status == 403 and "kiosk_console=" not in (headers.get("Set-Cookie") or "")


def test_non_ascii_csrf_header_is_refused_not_crashed(serve, center):
    server = serve()
    opener = _opener()
    assert _login(server.url, opener, STAFF, PASSWORD)[0] == 303
    jar = [h for h in opener.handlers if isinstance(h, urllib.request.HTTPCookieProcessor)][0]
    session = next(c for c in jar.cookiejar if c.name == "kiosk_console").value
    alert = center.raise_help("needs a pen")
    host, port = server.url.split("//")[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    body = json.dumps({"kiosk": "KSK-A1", "alert_id": alert.alert_id}).encode()
    conn.putrequest("POST", "/api/ack")
    conn.putheader("Cookie", f"kiosk_console={session}")
    conn.putheader("X-CSRF-Token", "令牌".encode())
    conn.putheader("Content-Type", "application/json")
    conn.putheader("Content-Length", str(len(body)))
    conn.endheaders(body)
    assert conn.getresponse().status == 403
    assert center.get(alert.alert_id).state is AlertState.RAISED


def test_half_sent_requests_are_dropped_and_staff_still_served(serve):
    server = serve(header_timeout_s=1.0)
    staff = _opener()
    assert _login(server.url, staff, STAFF, PASSWORD)[0] == 303
    host, port = server.url.split("//")[1].split(":")
    slow = []
    for _ in range(300):
        s = socket.create_connection((host, int(port)))
        s.sendall(b"GET / HTTP/1.1\r\nHost: kiosk\r\nX-Slow: ")
        slow.append(s)
    try:
        start = time.monotonic()
        assert _request(server.url + "/api/state", opener=staff)[0] == 200
        assert time.monotonic() - start < 1.0
        time.sleep(2.0)
        closed = 0
        for s in slow:
            s.settimeout(2.0)
            try:
                closed += s.recv(100) == b""
            except (socket.timeout, ConnectionResetError):
                pass
        assert closed == len(slow), f"only {closed} of {len(slow)} slow clients dropped"
    finally:
        for s in slow:
            s.close()


def _self_signed(tmp_path):
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    import ipaddress
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .sign(key, hashes.SHA256()))
    (tmp_path / "console.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "console.key").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption()))
    return str(tmp_path / "console.pem"), str(tmp_path / "console.key")


def test_production_refuses_plain_http_and_serves_tls_with_secure_cookies(tmp_path, serve,
                                                                        center):
    with pytest.raises(InsecureConsole):
        ConsoleServer(LocalSource(center), {STAFF: HASH}, listen="0.0.0.0:0",
                      require_tls=True)
    cert, key = _self_signed(tmp_path)
    server = serve(tls_cert=cert, tls_key=key, require_tls=True)
    assert server.url.startswith("https://")
    context = ssl.create_default_context(cafile=cert)
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect,
        urllib.request.HTTPSHandler(context=context))
    status, headers, _ = _login(server.url, opener, STAFF, PASSWORD)
    assert status == 303 and "; Secure" in headers["Set-Cookie"]
    assert _request(server.url + "/api/state", opener=opener)[0] == 200
    plain = _raw(server.url.replace("https", "http"), b"GET /login HTTP/1.1\r\nHost: k\r\n\r\n")
    assert not plain.startswith(b"HTTP/1.1 200")


def test_production_refuses_a_broker_password_in_clear():
    with pytest.raises(ValueError, match="TLS"):
        BrokerAddress.parse("mqtt://broker:1883", username="KSK-1", password="pw",
                            production=True)
    assert BrokerAddress.parse("mqtts://broker:8883", username="KSK-1", password="pw",
                               production=True).tls
    assert not BrokerAddress.parse("mqtt://broker:1883", password="pw").tls  # development


def test_sessions_and_audit_trail_survive_a_restart(tmp_path, serve, center):
    server = serve(store=ConsoleStore(tmp_path / "console.db"))
    opener = _opener()
    assert _login(server.url, opener, STAFF, PASSWORD)[0] == 303
    page = _request(server.url + "/", opener=opener)[2].decode()
    csrf = page.split('name="csrf" content="')[1].split('"')[0]
    alert = center.raise_help("lost card")
    body = json.dumps({"kiosk": "KSK-A1", "alert_id": alert.alert_id}).encode()
    assert _request(server.url + "/api/ack", body, {"X-CSRF-Token": csrf}, opener=opener)[0] \
        == 200
    server.stop()
    server.store.close()

    again = serve(store=ConsoleStore(tmp_path / "console.db"))
    url = again.url
    for cookie in [c for h in opener.handlers if isinstance(h, urllib.request.HTTPCookieProcessor)
                   for c in h.cookiejar]:
        cookie.port, cookie.port_specified = None, False
    status, _, reply = _request(url + "/api/audit", opener=opener)
    assert status == 200, "logged out by a restart"
    actions = [(r["user"], r["action"], r["outcome"]) for r in json.loads(reply)["audit"]]
    assert (STAFF, "ack", "sent") in actions and (STAFF, "login", "ok") in actions
    status, headers, csv_text = _request(url + "/api/audit?format=csv&kiosk=KSK-A1",
                                         opener=opener)
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert alert.alert_id in csv_text.decode()
    with pytest.raises(Exception, match="append-only"):
        again.store._db.execute("DELETE FROM audit")


def test_roles_branch_staff_see_their_branch_and_auditors_cannot_act(serve, center):
    server = serve(staff={"branch2": HASH, "auditor": HASH},
                   roles={"branch2": "branch:B2", "auditor": "auditor"})
    alert = center.raise_help("needs a pen")
    other = _opener()
    assert _login(server.url, other, "branch2", PASSWORD)[0] == 303
    assert json.loads(_request(server.url + "/api/state", opener=other)[2])["kiosks"] == []
    auditor = _opener()
    assert _login(server.url, auditor, "auditor", PASSWORD)[0] == 303
    page = _request(server.url + "/", opener=auditor)[2].decode()
    csrf = page.split('name="csrf" content="')[1].split('"')[0]
    body = json.dumps({"kiosk": "KSK-A1", "alert_id": alert.alert_id}).encode()
    assert _request(server.url + "/api/ack", body, {"X-CSRF-Token": csrf},
                    opener=auditor)[0] == 403
    assert center.get(alert.alert_id).state is AlertState.RAISED


def test_audit_trail_and_session_survive_a_restart_in_chromium(tmp_path, serve, center, browser):
    """In the browser: staff acknowledge from the page, the console restarts, the same browser
    is still logged in and the audit trail it fetches holds the login and the acknowledge."""
    server = serve(store=ConsoleStore(tmp_path / "console.db"))
    alert = center.raise_help("lost card")
    page = browser.new_page(locale="zh-CN")
    try:
        log_in_page(page, server.url, STAFF, PASSWORD)
        row = page.wait_for_selector(f".alert[data-alert-id='{alert.alert_id}']", timeout=5000)
        row.query_selector("button.ack").click()
        assert _wait(lambda: center.get(alert.alert_id).state is AlertState.ACKNOWLEDGED)
        server.stop()
        server.store.close()
        again = serve(store=ConsoleStore(tmp_path / "console.db"))  # cookies ignore the port
        page.goto(again.url + "/")
        page.wait_for_selector("#reports", state="attached", timeout=5000)  # not the login
        audit = json.loads(page.evaluate(
            "() => fetch('/api/audit?kiosk=KSK-A1').then(r => r.text())"))["audit"]
        actions = {(r["user"], r["action"], r["outcome"]) for r in audit}
        assert (STAFF, "ack", "sent") in actions
    finally:
        page.close()


def _wait(predicate, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True
