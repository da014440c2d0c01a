"""The console reads the fleet service's PostgreSQL (Debian's, started here): availability per
kiosk and branch over a day, week or month with downtime by cause, and acknowledgement times,
in Chinese and English in real Chromium; branch staff see only their branch."""
from __future__ import annotations

import csv
import http.cookiejar
import io
import json
import os
import re
import time
import urllib.request

import pytest

from kiosk.console.passwords import hash_password
from kiosk.console.reports import FleetReports
from kiosk.console.server import ConsoleServer
from kiosk.fleet.broker import BrokerAddress
from kiosk.fleet.monitor import FleetMonitor
from kiosk.fleet.service import FleetStore

from .test_alerts_console import _login, _NoRedirect, _request, log_in_page
from .test_alerts_console import browser  # noqa: F401 (the fixture)
from .test_alerts_fleet_service import postgres  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.mqtt, pytest.mark.browser]
PASSWORD = "correct horse 42"
ROLES = {"ops-r": "ops", "branch-r": "branch:B2"}
HOUR = 3600.0


def _alert(alert_id, raised, acked=None):
    return {"alert_id": alert_id, "key": alert_id, "kind": "fault", "device": "printer",
            "code": "printer.paper.out", "severity": "fault", "message": "paper out",
            "state": "acknowledged" if acked else "raised", "raised_at": raised,
            "updated_at": acked or raised, "count": 1, "acknowledged_by": "w" if acked else "",
            "acknowledged_at": acked, "resolved_at": None, "data": {}}


def _fill(store, now):
    """KSK-1 (B1) lost its link for 1.5 h and was shut down 1 h in the last day; KSK-2 (B1)
    always up; KSK-3 (B2) up for the whole day. Acknowledged after 2, 4 and 30 minutes."""
    start = now - 86_400
    for kiosk, branch, changes in (
            ("KSK-1", "B1", [(start - 100, "online", ""), (now - 10 * HOUR, "offline", "lost"),
                             (now - 8.5 * HOUR, "online", ""),
                             (now - 3 * HOUR, "offline", "shutdown"),
                             (now - 2 * HOUR, "online", "")]),
            ("KSK-2", "B1", [(start - 100, "online", "")]),
            ("KSK-3", "B2", [(start - 100, "online", "")])):
        for at, state, reason in changes:
            store.record_status(branch, kiosk, {"state": state, "at": at, "reason": reason})
    events = [("KSK-1", "B1", "a1", now - 5 * HOUR, 120), ("KSK-1", "B1", "a2", now - 4 * HOUR, 240),
              ("KSK-3", "B2", "a3", now - HOUR, 1800), ("KSK-3", "B2", "a4", now - 600, None),
              ("KSK-2", "B1", "old", now - 40 * 86_400, 60)]   # outside the month
    for n, (kiosk, branch, alert_id, raised, after) in enumerate(events):
        store.record_event(branch, kiosk, {"event_id": f"r{n}", "action": "raised",
                                           "at": raised, "alert": _alert(alert_id, raised)})
        if after:
            store.record_event(branch, kiosk, {
                "event_id": f"k{n}", "action": "acknowledged", "at": raised + after,
                "alert": _alert(alert_id, raised, raised + after)})


def test_report_figures_from_postgres(postgres):
    store = FleetStore(postgres)
    now = time.time()
    try:
        _fill(store, now)
        day = FleetReports(store, clock=lambda: now).report("day", "kiosk")
        one = next(r for r in day["availability"] if r["key"] == "KSK-1")
        assert one["branch"] == "B1" and one["lost"] == pytest.approx(1.5 * HOUR)
        assert one["shutdown"] == pytest.approx(HOUR)
        assert one["availability"] == pytest.approx(1 - 2.5 / 24)
        assert day["availability"][0]["key"] == "KSK-1", "worst first"
        acks = {r["key"]: r for r in day["ack"]}
        assert acks["KSK-1"]["alerts"] == 2 and acks["KSK-1"]["median_s"] == pytest.approx(180)
        assert acks["KSK-3"]["alerts"] == 2 and acks["KSK-3"]["acknowledged"] == 1
        assert acks["KSK-3"]["max_s"] == pytest.approx(1800) and "KSK-2" not in acks
        branch = FleetReports(store, clock=lambda: now).report("month", "branch", "B2")
        assert [r["key"] for r in branch["availability"]] == ["B2"]
        assert [r["key"] for r in branch["ack"]] == ["B2"]
    finally:
        store.close()


@pytest.fixture
def console(postgres, mosquitto):
    store = FleetStore(postgres)
    _fill(store, time.time())
    store.close()
    monitor = FleetMonitor(BrokerAddress.parse(mosquitto.url))
    monitor.start()
    server = ConsoleServer(monitor, {u: hash_password(PASSWORD) for u in ROLES}, roles=ROLES,
                           listen="127.0.0.1:0", reports=FleetReports.from_dsn(postgres),
                           page_info={"branches": {"B1": "静安支行", "B2": "浦东支行"}})
    server.start()
    yield server
    server.stop()
    monitor.stop()


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_reports_page_in_both_languages(console, browser, tmp_path, locale):
    page = browser.new_page(locale=locale, viewport={"width": 1280, "height": 800})
    shots = os.environ.get("CONSOLE_SHOTS", str(tmp_path))
    try:
        log_in_page(page, console.url, "ops-r", PASSWORD)
        page.click("#reports")
        page.wait_for_selector("body[data-loaded='period=day&by=kiosk']")
        row = page.inner_text("#availability tr[data-key='KSK-1']")
        zh = locale == "zh-CN"
        assert "89.6%" in row and "静安支行" in row
        assert ("1 小时 30 分钟" if zh else "1 h 30 min") in row
        assert ("1 小时" if zh else "1 h") in row
        ack = page.inner_text("#acks tr[data-key='KSK-1']")
        assert ("3 分钟" if zh else "3 min") in ack
        text = page.evaluate("() => document.body.innerText")
        if zh:
            assert not re.search(r"Availability|Kiosk|Last day|Online", text), text
        else:
            assert not re.search(r"[\u4e00-\u9fff]", text.replace("中文", "").replace(
                "静安支行", "").replace("浦东支行", "")), text
        page.screenshot(path=f"{shots}/reports-{locale}.png", full_page=True)
        assert page.inner_text("#csv-availability") == ("下载 CSV" if zh else "Download CSV")
        header, *rows = _download(page, "#csv-availability")
        assert header == ["kiosk", "branch", "branch_name", "availability", "online_s",
                          "lost_s", "shutdown_s"]
        assert rows[0][:3] == ["KSK-1", "B1", "静安支行"], "worst first, as on the page"
        assert float(rows[0][3]) == pytest.approx(1 - 2.5 / 24, abs=1e-4)
        assert float(rows[0][5]) == pytest.approx(1.5 * HOUR, abs=60)
        page.select_option("#by", "branch")
        page.wait_for_selector("body[data-loaded='period=day&by=branch']")
        assert page.query_selector_all("#availability tr[data-key]")[0] \
            .get_attribute("data-key") == "B1"
        page.select_option("#period", "month")
        page.wait_for_selector("body[data-loaded='period=month&by=branch']")
        assert page.inner_text("#acks tr[data-key='B1'] td:nth-child(2)") == "2"  # not 40 d ago
        header, *rows = _download(page, "#csv-ack")   # the download follows the choices
        assert header == ["branch", "branch_name", "alerts", "acknowledged", "median_s",
                          "p90_s", "max_s"]
        assert [r[:4] for r in rows] == [["B2", "浦东支行", "2", "1"], ["B1", "静安支行", "2", "2"]]
    finally:
        page.close()


def test_branch_staff_see_only_their_branch(console, browser):
    page = browser.new_page(locale="en-US")
    try:
        log_in_page(page, console.url, "branch-r", PASSWORD)
        page.goto(console.url + "/api/reports?period=week&by=kiosk")
        data = json.loads(page.inner_text("body"))
        assert {r["key"] for r in data["availability"]} == {"KSK-3"}
        assert {r["key"] for r in data["ack"]} == {"KSK-3"}
        page.goto(console.url + "/api/reports?period=year&by=kiosk")
        assert "error" in json.loads(page.inner_text("body"))
    finally:
        page.close()


def _download(page, link):
    with page.expect_download() as download:
        page.click(link)
    with open(download.value.path(), encoding="utf-8", newline="") as file:
        return list(csv.reader(file))


def test_report_csv_keeps_odd_names_as_text_and_needs_login(console, postgres):
    """Kiosk ids and branch codes come from the kiosks: quotes, commas and a leading = or -
    stay text in a spreadsheet (no formula runs). Same role filter as the page."""
    store = FleetStore(postgres)
    odd_kiosk, odd_branch = '=HYPERLINK("http://x.example","y"),1', "-B2,\"x\""
    try:
        store.record_status(odd_branch, odd_kiosk, {"state": "online",
                                                    "at": time.time() - HOUR, "reason": ""})
    finally:
        store.close()
    query = "/api/reports?period=day&by=kiosk&table=availability&format=csv"
    assert _request(console.url + query)[0] == 401
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect)
    assert _login(console.url, opener, "ops-r", PASSWORD)[0] == 303
    status, headers, body = _request(console.url + query, opener=opener)
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert 'filename="availability-day-by-kiosk.csv"' in headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
    assert len(rows) == 5 and all(len(r) == 7 for r in rows)
    (odd,) = [r for r in rows if "HYPERLINK" in r[0]]
    assert odd[:2] == ["'" + odd_kiosk, "'" + odd_branch]
    assert _request(console.url + query.replace("availability", "nonsense"),
                    opener=opener)[0] == 400
    assert _request(console.url + query.replace("day", "year"), opener=opener)[0] == 400

    branch = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), _NoRedirect)
    assert _login(console.url, branch, "branch-r", PASSWORD)[0] == 303
    status, _, body = _request(console.url + query.replace("availability", "ack"),
                               opener=branch)
    assert status == 200 and [r[0] for r in csv.reader(io.StringIO(body.decode()))] == \
        ["kiosk", "KSK-3"]
