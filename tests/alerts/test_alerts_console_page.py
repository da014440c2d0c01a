"""The staff page as staff see it, in real Chromium at desktop and phone sizes: 30 kiosks in
5 branches over a real mosquitto; the critical alert first and announced; healthy idle states
never drawn as faults; every string in the chosen language; offline raised as an alert; the
banner when the console loses the broker."""
from __future__ import annotations

import json
import os
import re
import time

import paho.mqtt.client as mqtt
import pytest

from kiosk.console.passwords import hash_password
from kiosk.console.server import ConsoleServer
from kiosk.fleet.broker import BrokerAddress
from kiosk.fleet.monitor import FleetMonitor

from .test_alerts_console import browser, log_in_page  # noqa: F401 (fixture)

pytestmark = [pytest.mark.mqtt, pytest.mark.browser]
USER, PASSWORD = "staff-a", "correct horse 42"
HEALTHY = {"printer": {"device": "online", "paper": "full"},
           "chipcard": {"device": "online", "media": "notPresent", "chipPower": "noCard"},
           "idcard": {"device": "online", "sam": "ok"}, "scanner": {"device": "online",
                                                                    "scanner": "on"}}
SIZES = {"desktop": {"viewport": {"width": 1280, "height": 800}},
         "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True,
                   "has_touch": True, "device_scale_factor": 2}}
# Records what the page announces: Notification calls and sounds started.
WATCH = """
window.__notes = [];
window.Notification = class { constructor(title, options) { window.__notes.push(title); }
  static get permission() { return 'granted'; } static requestPermission() {
  return Promise.resolve('granted'); } };
const start = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...a) { window.__sounds = (window.__sounds || 0) + 1;
  return start.apply(this, a); };
"""
ENGLISH_WORDS = ["Open alerts", "In service", "Acknowledge", "Kiosks", "Resolved", "Offline",
                 "Critical", "Log out", "Card reader"]


def _alert(alert_id, code, severity, kind="fault", device="", at=None):
    at = at or time.time()
    return {"alert_id": alert_id, "key": code, "kind": kind, "device": device, "code": code,
            "severity": severity, "message": code, "state": "raised", "raised_at": at,
            "updated_at": at, "count": 1, "acknowledged_by": "", "acknowledged_at": None,
            "resolved_at": None, "data": {}}


class Fleet:
    def __init__(self, url):
        address = BrokerAddress.parse(url)
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        self.client.connect(address.host, address.port)
        self.client.loop_start()

    def status(self, branch, kiosk, **body):
        body = {"state": "online", "at": time.time(), "devices": HEALTHY, "alerts": [],
                "version": "0.1.0", "started_at": time.time() - 7200,
                "config_digest": "3f2a9c0d1e2b4a5c", "offered": ["card", "idcard", "ticket"],
                **body}
        self.client.publish(f"bank/{branch}/{kiosk}/status", json.dumps(body), qos=1,
                            retain=True).wait_for_publish(5)

    def event(self, branch, kiosk, alert):
        body = {"event_id": os.urandom(8).hex(), "action": "raised", "alert": alert}
        self.client.publish(f"bank/{branch}/{kiosk}/event/{alert['device'] or 'kiosk'}",
                            json.dumps(body), qos=1).wait_for_publish(5)

    def close(self):
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def fleet_console(mosquitto):
    fleet = Fleet(mosquitto.url)
    for n in range(30):
        fleet.status(f"31010{n % 5}", f"KSK-{n:03d}")
    fleet.status("310103", "KSK-031", alerts=[_alert("w1", "printer.paper.low", "warning",
                                                     device="printer", at=time.time() - 900)],
                 devices={**HEALTHY, "printer": {"device": "online", "paper": "low"}})
    monitor = FleetMonitor(BrokerAddress.parse(mosquitto.url), client_id="console-page")
    monitor.start()
    server = ConsoleServer(monitor, {USER: hash_password(PASSWORD)}, listen="127.0.0.1:0",
                           page_info={"branches": {"310104": "浦东支行"},
                                      "regions": {"310100": "North", "310101": "North",
                                                  "310102": "South", "310103": "South",
                                                  "310104": "South"},
                                      "positions": {"KSK-029": "大堂入口左侧"},
                                      "ack_within_s": 600})
    server.start()
    assert monitor.wait_connected(5)
    deadline = time.monotonic() + 5
    while len(monitor.snapshot()["kiosks"]) < 31:
        assert time.monotonic() < deadline
        time.sleep(0.02)
    yield server, monitor, fleet, mosquitto
    server.stop()
    monitor.stop()
    fleet.close()


def _visible_text(page) -> str:
    return page.evaluate("() => document.body.innerText")


@pytest.mark.parametrize("size,locale", [("desktop", "zh-CN"), ("phone", "en-US"),
                                         ("phone", "zh-CN")])
def test_staff_see_the_critical_alert_first_and_hear_it(fleet_console, browser, tmp_path,
                                                        size, locale):
    server, monitor, fleet, broker = fleet_console
    context = browser.new_context(locale=locale, **SIZES[size])
    context.add_init_script(WATCH)
    page = context.new_page()
    shots = os.environ.get("CONSOLE_SHOTS", str(tmp_path))
    try:
        log_in_page(page, server.url, USER, PASSWORD)
        page.wait_for_selector(".kiosk[data-kiosk='KSK-029']", timeout=5000)
        tiles = page.query_selector_all(".kiosk")
        assert len(tiles) == 31
        states = {t.get_attribute("data-kiosk"): t.get_attribute("data-state") for t in tiles}
        assert states.pop("KSK-031") == "degraded"
        assert set(states.values()) == {"ok"}, "a healthy kiosk is drawn as a fault"
        assert page.query_selector_all(".chips span.bad") == []
        assert page.inner_text("#sum-ok b") == "30"

        fleet.event("310104", "KSK-029", _alert("c1", "chipcard.device.fraudAttempt",
                                                "critical", device="chipcard"))
        page.wait_for_selector(".alert[data-alert-id='c1']", timeout=1000)
        first = page.query_selector("#alerts .alert")
        assert first.get_attribute("data-alert-id") == "c1"
        box = first.bounding_box()
        assert box["y"] < SIZES[size]["viewport"]["height"], "critical alert below the fold"
        page.wait_for_function("() => window.__notes.length === 1 && window.__sounds >= 1",
                               timeout=2000)
        assert "⚠" in page.title()
        assert page.query_selector(".kiosk[data-kiosk='KSK-029'][data-state='out']")
        order = [r.get_attribute("data-severity") for r in page.query_selector_all("#alerts .alert")]
        assert order == ["critical", "warning"]
        late = page.inner_text(".alert[data-alert-id='w1']")
        assert re.search(r"15 (分钟前|min ago) · (超时未确认|not acknowledged in time)", late)
        assert page.query_selector(".alert.overdue[data-alert-id='w1']")
        assert not page.query_selector(".alert.overdue[data-alert-id='c1']")

        ack = first.query_selector("button.ack")
        ack_box = ack.bounding_box()
        assert ack_box["height"] >= 36 and ack_box["width"] >= 60, "too small to tap"
        font = page.evaluate("() => getComputedStyle(document.querySelector('#alerts .what'))"
                             ".fontSize")
        assert float(font.rstrip("px")) >= 14

        text = _visible_text(page)
        if locale == "zh-CN":
            assert not [w for w in ENGLISH_WORDS if w in text], text
            assert "紧急" in text and "发现疑似盗刷装置" in text
            assert "大堂入口左侧" in first.inner_text() and "浦东支行" in first.inner_text()
        else:
            for name in ("中文", "浦东支行", "大堂入口左侧"):  # the switch, configured names
                text = text.replace(name, "")
            assert not re.search(r"[\u4e00-\u9fff]", text), text
            assert "Skimming device suspected" in text
        page.screenshot(path=f"{shots}/console-{size}-{locale}.png", full_page=False)
        if locale == "zh-CN":
            page.click(".kiosk[data-kiosk='KSK-029']")
            detail = page.wait_for_selector("#detail:not([hidden])")
            assert "0.1.0" in detail.inner_text() and "2 小时" in detail.inner_text()
            assert "配置摘要" in detail.inner_text() and "3f2a9c0d1e2b4a5c" in detail.inner_text()
            assert "可办理\t银行卡，身份证，取号" in detail.inner_text()
            assert "空闲" in detail.inner_text()  # chipPower=noCard in words
            page.screenshot(path=f"{shots}/console-{size}-detail.png")
            page.click("#detail button")
            page.select_option("#branch", "310104")   # filtered by the server: a new stream
            page.wait_for_function("() => document.querySelectorAll('.kiosk').length === 6")
            assert [r.get_attribute("data-alert-id") for r in
                    page.query_selector_all("#alerts .alert")] == ["c1"]
            page.select_option("#branch", "")
            page.wait_for_function("() => document.querySelectorAll('.kiosk').length === 31")

        fleet.status("310102", "KSK-012", state="offline", reason="lost", devices={})
        row = page.wait_for_selector(".alert[data-code='kiosk.offline.lost']", timeout=2000)
        assert "KSK-012" in row.inner_text()
        assert page.query_selector(".kiosk[data-kiosk='KSK-012'][data-state='offline']")

        broker.stop()
        page.wait_for_selector("#banner.show", timeout=5000)
        page.screenshot(path=f"{shots}/console-{size}-{locale}-broker-lost.png")
        broker.start()
        page.wait_for_selector("#banner:not(.show)", state="attached", timeout=15000)
    finally:
        context.close()


def test_the_server_sends_only_the_branch_or_region_asked_for(fleet_console, browser):
    server, monitor, fleet, broker = fleet_console
    page = browser.new_page(locale="en-US")
    try:
        log_in_page(page, server.url, USER, PASSWORD)
        page.wait_for_selector(".kiosk[data-kiosk='KSK-029']", timeout=5000)
        state = lambda query: json.loads(page.evaluate(  # noqa: E731
            "q => fetch('/api/state' + q).then(r => r.text())", query))
        assert {k["branch"] for k in state("?branch=310104")["kiosks"]} == {"310104"}
        assert len(state("?branch=310104")["kiosks"]) == 6
        assert {k["branch"] for k in state("?region=North")["kiosks"]} == {"310100", "310101"}
        assert len(state("")["kiosks"]) == 31
        # a branch's page builds only its branch's kiosks, not the whole fleet's, first
        mine = monitor.snapshot(lambda branch: branch == "310104")
        assert [k["branch"] for k in mine["kiosks"]] == ["310104"] * 6
        assert all(h["branch"] == "310104" for h in mine["history"])
        # paged on the server: healthy kiosks a page at a time, those needing attention always
        paged = state("?limit=5")
        assert paged["total"] == 31 and len(paged["kiosks"]) == 6
        assert "KSK-031" in {k["kiosk"] for k in paged["kiosks"]}   # its paper-low warning
        # and the source builds only that page, not the whole fleet's views first
        built = monitor.snapshot(lambda branch: True, limit=5)
        assert built["total"] == 31
        assert [k["kiosk"] for k in built["kiosks"]] == [k["kiosk"] for k in paged["kiosks"]]
        page.evaluate("() => { shown = 5; follow(); }")   # as if the branch had 10,000
        page.wait_for_function("() => kiosks.size === 6")   # 5 healthy and KSK-031
        assert len(page.query_selector_all(".kiosk")) == 5
        assert page.inner_text("#sum-ok b") == "30" and page.is_visible("#more")
        page.click("#more")
        page.wait_for_function("() => document.querySelectorAll('.kiosk').length === 31")
        assert not page.is_visible("#more")
        page.select_option("#region", "South")
        page.wait_for_function("() => document.querySelectorAll('.kiosk').length === 19")
        # a change in a branch outside the view is not sent to this page
        fleet.event("310100", "KSK-000", _alert("n1", "printer.paper.out", "fault",
                                                device="printer"))
        fleet.event("310104", "KSK-004", _alert("s1", "printer.paper.out", "fault",
                                                device="printer"))
        page.wait_for_selector(".alert[data-alert-id='s1']", timeout=2000)
        assert not page.query_selector(".alert[data-alert-id='n1']")
        assert not page.query_selector(".kiosk[data-kiosk='KSK-000']")
    finally:
        page.close()
