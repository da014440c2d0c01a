"""The staff console in a real headless chromium, plus its HTTP guards."""
from __future__ import annotations

import http.client
import http.cookiejar
import json
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from drivers.base import StatusChanged
from kiosk.alerts import AlertCenter, AlertState
from kiosk.alerts.outbox import AlertOutbox
from kiosk.console.local import LocalSource
from kiosk.console.passwords import hash_password, verify_password
from kiosk.console.server import ConsoleServer

STAFF, PASSWORD = "王测试", "correct horse 42"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def console(tmp_path, emulated_printer):
    """The console as the kiosk runs it: the alert center and the page follow the real
    printer emulator under the DeviceManager, whose statuses the page reads."""
    manager, bus = emulated_printer
    center = AlertCenter(AlertOutbox(tmp_path / "alerts.db"), kiosk_id="KSK-T3", branch="B1")
    detach = center.attach(bus)
    source = LocalSource(center, bus=bus, statuses=manager.statuses)
    server = ConsoleServer(source, {STAFF: hash_password(PASSWORD)}, listen="127.0.0.1:0")
    server.start()
    yield server, center, manager.emulator("printer")
    server.stop()
    source.close()
    detach()
    center.close()


@pytest.fixture(scope="module")
def browser():
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def test_password_hashes_are_salted_and_verified():
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first != second and PASSWORD not in first
    assert verify_password(PASSWORD, first) and not verify_password("wrong", first)
    assert not verify_password(PASSWORD, "not-a-hash")


@pytest.mark.browser
def test_paper_out_shows_on_the_staff_page_within_a_second_and_can_be_acknowledged(
        console, browser):
    server, center, printer = console
    page = browser.new_page(locale="zh-CN")
    try:
        page.goto(server.url + "/")
        assert page.url.endswith("/login")  # no page without login
        page.fill("#user", STAFF)
        page.fill("#password", "wrong password")
        page.click("#login")
        assert "用户名或密码错误" in page.inner_text("#error")
        page.fill("#user", STAFF)
        page.fill("#password", PASSWORD)
        page.click("#login")
        page.wait_for_selector(".kiosk[data-kiosk='KSK-T3']", timeout=3000)
        assert page.inner_text("#user") == STAFF

        start = time.monotonic()
        printer.perform("paper_out")
        row = page.wait_for_selector(".alert[data-code='printer.paper.out']", timeout=1000)
        assert time.monotonic() - start < 1.0
        assert "请更换纸卷" in row.inner_text()
        page.wait_for_selector("span.bad[data-device='printer']", timeout=1000)
        page.wait_for_timeout(300)  # the printer's user error that comes with it is no alert
        assert len(page.query_selector_all(".alert")) == 1

        row.query_selector("button.ack").click()
        page.wait_for_selector(".alert[data-state='acknowledged']", timeout=2000)
        (alert,) = center.active()
        assert alert.state is AlertState.ACKNOWLEDGED and alert.acknowledged_by == STAFF

        printer.perform("paper_replaced")
        page.wait_for_selector(f"#history tr[data-alert-id='{alert.alert_id}']", timeout=2000)
        assert page.query_selector(".alert") is None

        page.click("#logout")
        page.wait_for_url("**/login")
        page.goto(server.url + "/")
        assert page.url.endswith("/login")
    finally:
        page.close()


def _request(url, data=None, headers=None, opener=None):
    req = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with (opener or urllib.request.build_opener(_NoRedirect)).open(req, timeout=5) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_no_page_or_action_without_login_and_csrf(console):
    server, center, _ = console
    alert = center.raise_help("lost card")
    status, headers, _ = _request(server.url + "/")
    assert status == 303 and headers["Location"] == "/login"
    assert _request(server.url + "/api/state")[0] == 401
    body = json.dumps({"kiosk": "KSK-T3", "alert_id": alert.alert_id}).encode()
    assert _request(server.url + "/api/ack", body)[0] == 401

    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    status, headers, _ = _login(server.url, opener, STAFF, PASSWORD)
    assert status == 303 and "HttpOnly" in headers["Set-Cookie"]
    assert "SameSite=Strict" in headers["Set-Cookie"]
    status, _, page = _request(server.url + "/", opener=opener)
    assert status == 200
    csrf = page.decode().split('name="csrf" content="')[1].split('"')[0]

    assert _request(server.url + "/api/ack", body, opener=opener)[0] == 403
    assert _request(server.url + "/api/ack", body, {"X-CSRF-Token": "forged"},
                    opener=opener)[0] == 403
    assert center.get(alert.alert_id).state is AlertState.RAISED
    status, _, reply = _request(server.url + "/api/ack", body, {"X-CSRF-Token": csrf},
                                opener=opener)
    assert status == 200 and json.loads(reply) == {"ok": True}
    assert center.get(alert.alert_id).state is AlertState.ACKNOWLEDGED
    status, _, state = _request(server.url + "/api/state?since=-1", opener=opener)
    kiosk = json.loads(state)["kiosks"][0]
    assert kiosk["alerts"][0]["acknowledged_by"] == STAFF
    assert kiosk["devices"]["printer"]["paper"] == "full"


def _login(url, opener, user, password):
    """The login form as a browser fills it: its CSRF token comes with the form."""
    form_page = _request(url + "/login", opener=opener)[2].decode()
    token = form_page.split('name="csrf" value="')[1].split('"')[0]
    form = urllib.parse.urlencode({"user": user, "password": password, "csrf": token}).encode()
    return _request(url + "/login", form, opener=opener)


def log_in_page(page, url, user, password):
    """Log in from the login form in the browser; the console page starts loading."""
    page.goto(url + "/login")
    page.fill("#user", user)
    page.fill("#password", password)
    page.click("#login")
    page.wait_for_selector("#reports", state="attached")


def _staff_opener(url):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    assert _login(url, opener, STAFF, PASSWORD)[0] == 303
    return opener


@pytest.mark.mqtt
def test_console_command_serves_every_kiosk_seen_on_the_broker(tmp_path, mosquitto):
    import os
    import socket
    import subprocess
    import sys

    from kiosk.fleet.broker import BrokerAddress
    from kiosk.fleet.publisher import FleetPublisher

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = tmp_path / "console.toml"
    config.write_text(f'[kiosk]\ndata_dir = "{tmp_path}"\n[console.staff]\n'
                      f'"{STAFF}" = "{hash_password(PASSWORD)}"\n', encoding="utf-8")
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "console", "--config", str(config),
                             "--mqtt", mosquitto.url, "--listen", f"127.0.0.1:{port}"],
                            cwd=repo, stdout=subprocess.PIPE, text=True)
    kiosks = []
    try:
        assert "staff console" in proc.stdout.readline()
        url = f"http://127.0.0.1:{port}"
        for n, kiosk_id in enumerate(("KSK-A", "KSK-B")):
            center = AlertCenter(AlertOutbox(tmp_path / f"{kiosk_id}.db"), kiosk_id=kiosk_id,
                                 branch="B7")
            fleet = FleetPublisher(center, BrokerAddress.parse(mosquitto.url))
            fleet.start()
            kiosks.append((center, fleet))
            center.on_status(StatusChanged("printer", "printer", "paper", "full",
                                           ("low", "out")[n]))
        assert _request(url + "/api/state")[0] == 401
        opener = _staff_opener(url)
        deadline = time.monotonic() + 10
        while True:
            state = json.loads(_request(url + "/api/state?since=-1", opener=opener)[2])
            codes = {k["kiosk"]: [a["code"] for a in k["alerts"]] for k in state["kiosks"]}
            if codes == {"KSK-A": ["printer.paper.low"], "KSK-B": ["printer.paper.out"]}:
                break
            assert time.monotonic() < deadline, codes
            time.sleep(0.05)
    finally:
        proc.terminate()
        assert proc.wait(5) == 0
        proc.stdout.close()
        for center, fleet in kiosks:
            fleet.stop()
            center.close()


def test_small_answers_on_one_connection_do_not_wait_for_delayed_acks(console):
    """Before, the server's sockets kept Nagle on (its listener said protocol 0, so asyncio
    never set TCP_NODELAY): every small answer or live update after another waited for the
    browser's delayed ACK, about 40 ms each, and 10 answers took over 400 ms."""
    server = console[0]
    host, port = server.url.split("//")[1].split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        conn.request("GET", "/api/state")
        conn.getresponse().read()
        started = time.perf_counter()
        for _ in range(10):
            conn.request("GET", "/api/state")
            answer = conn.getresponse()
            answer.read()
            assert answer.status == 401
        took = time.perf_counter() - started
    finally:
        conn.close()
    assert took < 0.2, f"10 small answers on one connection took {took * 1000:.0f} ms"
