"""Staff's remote actions from the console page, in real Chromium, over a real mosquitto to
the whole kiosk core on emulated devices: out of service (the customer can start nothing) and
back, a device self-test, a diagnostics bundle; pending until the kiosk answers, each in the
audit trail. Roles: the auditor and another branch's staff cannot act."""
from __future__ import annotations

import hashlib
import http.cookiejar
import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request

import paho.mqtt.client as mqtt
import pytest

from drivers.base import DeviceEvent
from kiosk.console.passwords import hash_password
from kiosk.console.server import ConsoleServer
from kiosk.fleet.broker import BrokerAddress
from kiosk.fleet.monitor import FleetMonitor
from kiosk.session.farewell import GOODBYE_S
from kiosk.session.states import Step

from tests.alerts.conftest import Mosquitto
from tests.alerts.test_alerts_console import browser, log_in_page  # noqa: F401 (fixture)

pytestmark = [pytest.mark.mqtt, pytest.mark.browser]
PASSWORD = "correct horse 42"
STAFF = {"ops-a": "ops", "branch-a": "branch:310101001", "branch-b": "branch:310101002",
         "audit-a": "auditor"}
KIOSK = "KSK-0001"


@pytest.fixture
def broker(tmp_path):
    folder = tmp_path / "broker"
    folder.mkdir()
    mosquitto = Mosquitto(folder)
    mosquitto.start()
    yield mosquitto
    mosquitto.stop()


@pytest.fixture
def fleet(harness_factory, broker):
    """The kiosk core with its fleet link, and the staff console following the broker."""
    kiosk = harness_factory(host=f'\n[fleet]\nenabled = true\nmqtt_url = "{broker.url}"\n')
    monitor = FleetMonitor(BrokerAddress.parse(broker.url), client_id="console-remote",
                           command_timeout_s=30)
    monitor.start()
    server = ConsoleServer(monitor, {u: hash_password(PASSWORD) for u in STAFF},
                           roles=STAFF, listen="127.0.0.1:0")
    server.start()
    assert monitor.wait_connected(5)
    deadline = time.monotonic() + 10
    while (monitor.kiosk(KIOSK) or {}).get("state") != "online":
        assert time.monotonic() < deadline, "the kiosk never came online on the console"
        time.sleep(0.02)
    yield kiosk, monitor, server
    server.stop()
    monitor.stop()


def _action(page, action, state, timeout=10000):
    return page.wait_for_selector(f"ul.actions li[data-action='{action}'][data-state='{state}']",
                                  timeout=timeout)


def _out_of_service(page, url, user, kiosk):
    """`user` logs in, takes KIOSK out of service from its detail, and the kiosk has done it:
    the attract screen says so and offers no start."""
    log_in_page(page, url, user, PASSWORD)
    page.click(f".kiosk[data-kiosk='{KIOSK}']")
    page.click("#detail button.rm-out_of_service")
    _action(page, "out_of_service", "done")
    state = kiosk.session.state
    assert state.step == Step.ATTRACT and state.message_id == "out_of_service_staff"
    assert "start" not in state.actions and not kiosk.session.send("start")


@pytest.mark.parametrize("size,locale", [("desktop", "zh-CN"), ("phone", "en-US")])
def test_staff_take_a_kiosk_out_of_service_and_back_from_the_page(fleet, browser, tmp_path,
                                                                  size, locale):
    kiosk, monitor, server = fleet
    viewport = {"width": 1280, "height": 800} if size == "desktop" else \
        {"width": 390, "height": 844}
    context = browser.new_context(locale=locale, viewport=viewport,
                                  is_mobile=size == "phone", has_touch=size == "phone")
    page = context.new_page()
    shots = os.environ.get("CONSOLE_SHOTS", str(tmp_path))
    try:
        _out_of_service(page, server.url, "branch-a", kiosk)
        # a card inserted now starts nothing
        kiosk.session.devices.route(DeviceEvent("chipcard", "chipcard", "MediaInsertedEvent"))
        assert kiosk.session.state.message_id == "out_of_service_staff"
        kiosk.session.devices.route(DeviceEvent("chipcard", "chipcard", "MediaRemovedEvent"))
        page.wait_for_selector(f".kiosk[data-kiosk='{KIOSK}'][data-state='out']", timeout=5000)
        text = page.inner_text("#detail")
        assert ("已完成" if locale == "zh-CN" else "done") in text
        if locale == "zh-CN":
            assert not re.search(r"out of service|Self-test|done", text, re.I), text
        page.screenshot(path=f"{shots}/remote-{size}-out.png", full_page=True)

        page.click("#detail button.rm-in_service")
        _action(page, "in_service", "done")
        kiosk.clock.advance(GOODBYE_S + 1)   # the goodbye, then the attract screen
        kiosk.recorder.wait(lambda s: s.step == Step.ATTRACT and "start" in s.actions)
        page.wait_for_selector(f".kiosk[data-kiosk='{KIOSK}'][data-state='ok']", timeout=5000)
        assert kiosk.session.send("start")
        kiosk.session.send("end")
    finally:
        context.close()
    rows = [(r["user"], r["action"], r["outcome"]) for r in server.store.audit_rows()
            if r["action"].startswith("remote.")]
    assert rows[::-1] == [("branch-a", "remote.out_of_service", "sent"),
                          ("branch-a", "remote.out_of_service", "done"),
                          ("branch-a", "remote.in_service", "sent"),
                          ("branch-a", "remote.in_service", "done")]
    assert [e.fields.get("by") for e in kiosk.journal("service.out")] == ["branch-a"]
    assert kiosk.journal("service.in")


def test_self_test_and_bundle_answer_with_a_result_and_never_customer_data(fleet, browser,
                                                                          broker):
    kiosk, monitor, server = fleet
    seen: list[bytes] = []
    spy = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    spy.on_message = lambda c, u, m: seen.append(m.payload)
    spy.connect("127.0.0.1", broker.port)
    spy.subscribe("bank/+/+/result", qos=1)
    spy.loop_start()
    page = browser.new_page(locale="en-US")
    try:
        log_in_page(page, server.url, "ops-a", PASSWORD)
        page.click(f".kiosk[data-kiosk='{KIOSK}']")
        page.click("#detail button.rm-self_test[data-device='printer']")
        row = _action(page, "self_test", "done", timeout=20000)
        assert "test page printed" in row.inner_text()
        page.click("#detail button.rm-bundle")
        row = _action(page, "bundle", "done", timeout=20000)
        (request,) = [a for a in monitor.kiosk(KIOSK)["actions"] if a["action"] == "bundle"]
        name = request["data"]["file"]
        assert re.fullmatch(r"diag/diag-KSK-0001-[0-9-]+\.zip", name), name
        written = kiosk.config.data_dir / name
        assert request["data"]["sha256"] == hashlib.sha256(written.read_bytes()).hexdigest()
        assert name in row.inner_text() and str(kiosk.config.data_dir) not in row.inner_text()
    finally:
        page.close()
        spy.disconnect()
        spy.loop_stop()
    answers = [json.loads(p) for p in seen]
    assert {a["action"] for a in answers} == {"self_test", "bundle"}
    assert all(len(p) < 1000 for p in seen), "more than a result line over MQTT"
    outcomes = {(r["action"], r["outcome"]) for r in server.store.audit_rows()}
    assert {("remote.self_test", "done"), ("remote.bundle", "done")} <= outcomes


def _client(server, user):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(server.url + "/login").read().decode()
    token = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
    body = urllib.parse.urlencode({"user": user, "password": PASSWORD, "csrf": token})
    page = opener.open(server.url + "/login", body.encode()).read().decode()
    csrf = re.search(r'name="csrf" content="([^"]+)"', page).group(1)
    return opener, csrf


def _remote(server, user, **body):
    opener, csrf = _client(server, user)
    request = urllib.request.Request(server.url + "/api/remote", json.dumps(body).encode(),
                                     {"Content-Type": "application/json",
                                      "X-CSRF-Token": csrf})
    try:
        return opener.open(request).status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_only_the_roles_allowed_act_and_a_refusal_is_audited(fleet):
    kiosk, monitor, server = fleet
    assert _remote(server, "audit-a", kiosk=KIOSK, action="out_of_service") == 403
    assert _remote(server, "branch-b", kiosk=KIOSK, action="out_of_service") == 404
    assert _remote(server, "branch-a", kiosk=KIOSK, action="self_test") == 400  # no device
    assert _remote(server, "branch-a", kiosk=KIOSK, action="reboot") == 400
    assert monitor.kiosk(KIOSK)["actions"] == []
    assert kiosk.session.state.message_id != "out_of_service_staff"
    refused = [(r["user"], r["outcome"]) for r in server.store.audit_rows()
               if r["action"] == "remote.out_of_service"]
    assert refused == [("audit-a", "forbidden")]


def _command(action, action_id, by="ops-a", device=""):
    return json.dumps({"action_id": action_id, "action": action, "by": by,
                       "device": device}).encode()


def test_a_customer_being_served_finishes_first_and_out_of_service_survives_a_restart(
        kiosk, tmp_path):
    from kiosk.fleet.remote_actions import RemoteActions

    answers: list[dict] = []
    state_file = tmp_path / "out_of_service.json"
    remote = RemoteActions(kiosk.session, bus=kiosk.core.bus, desk=kiosk.core.technician,
                           state_file=state_file)
    remote.reply = answers.append
    kiosk.send("start")
    kiosk.step(Step.MENU)
    remote.handle(_command("out_of_service", "a1"))
    deadline = time.monotonic() + 5
    while not answers:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert answers[0]["state"] == "accepted"
    assert kiosk.session.state.step == Step.MENU, "the customer was thrown out"
    remote.handle(_command("self_test", "a2", device="printer"))
    wait_for = lambda n: _wait(lambda: len(answers) >= n)  # noqa: E731
    wait_for(2)
    assert answers[1]["state"] == "failed" and "customer" in answers[1]["result"]

    kiosk.send("end")
    kiosk.clock.advance(GOODBYE_S + 1)
    wait_for(3)
    assert answers[2]["action_id"] == "a1" and answers[2]["state"] == "done"
    assert kiosk.session.state.message_id == "out_of_service_staff"
    remote.handle(_command("out_of_service", "a1"))   # QoS 1 sent it again: answered again
    wait_for(4)
    assert answers[3] == answers[2]
    remote.close()

    # the kiosk restarts (a new session): still out of service until staff put it back
    kiosk.send("in_service")
    kiosk.clock.advance(GOODBYE_S + 1)
    kiosk.recorder.wait(lambda s: s.step == Step.ATTRACT and "start" in s.actions)
    again = RemoteActions(kiosk.session, bus=kiosk.core.bus, state_file=state_file)
    kiosk.recorder.wait(lambda s: s.message_id == "out_of_service_staff")
    again.reply = answers.append
    again.handle(_command("in_service", "a3"))
    wait_for(5)
    assert answers[4]["state"] == "done" and not state_file.exists()
    again.close()


def _wait(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_an_action_sent_while_the_kiosk_is_away_is_pending_until_it_returns(kiosk, broker):
    from kiosk.fleet.publisher import FleetPublisher
    from kiosk.fleet.remote_actions import RemoteActions

    def publisher():
        link = FleetPublisher(kiosk.core.alerts, BrokerAddress.parse(broker.url))
        link.set_remote(RemoteActions(kiosk.session, bus=kiosk.core.bus,
                                      desk=kiosk.core.technician))
        link.attach(kiosk.core.bus)
        link.start()
        assert link.wait_connected(5)
        return link

    monitor = FleetMonitor(BrokerAddress.parse(broker.url), client_id="console-away")
    monitor.start()
    link = publisher()
    try:
        assert monitor.wait_connected(5)
        _wait(lambda: (monitor.kiosk(KIOSK) or {}).get("state") == "online")
        link.remote.close()
        link.stop()
        _wait(lambda: monitor.kiosk(KIOSK)["state"] == "offline")
        request = monitor.remote(KIOSK, "out_of_service", "ops-a")
        time.sleep(0.5)
        (shown,) = monitor.kiosk(KIOSK)["actions"]
        assert shown["action_id"] == request["action_id"] and shown["state"] == "pending"
        assert kiosk.session.state.message_id != "out_of_service_staff"

        link = publisher()   # the kiosk returns: the command waited for it at the broker
        _wait(lambda: monitor.kiosk(KIOSK)["actions"][0]["state"] == "done")
        assert kiosk.session.state.message_id == "out_of_service_staff"
        _wait(lambda: monitor.kiosk(KIOSK).get("service") == "outOfService")
    finally:
        link.remote.close()
        link.stop()
        monitor.stop()


@pytest.fixture
def local_console(harness_factory):
    """The kiosk core serving its own staff console ([console], no fleet, no broker): the
    console and the kiosk's remote actions as the composition root wires them."""
    staff = "".join(f'"{u}" = "{hash_password(PASSWORD)}"\n' for u in ("ops-a", "audit-a"))
    kiosk = harness_factory(host='\n[console]\nenabled = true\nlisten = "127.0.0.1:0"\n'
                                 'command_timeout_s = 30\n'
                                 '[console.staff]\n' + staff +
                                 '[console.roles]\n"ops-a" = "ops"\n"audit-a" = "auditor"\n')
    links = kiosk.core.staff_links
    assert links.fleet is None and links.console is not None and links.remote is not None
    return kiosk, links.console


def test_the_kiosks_own_console_carries_out_remote_actions_as_the_fleet_does(local_console,
                                                                            browser, tmp_path):
    """Before, the console a kiosk serves itself answered 501 to every remote action, and
    results were English only."""
    kiosk, server = local_console
    shots = os.environ.get("CONSOLE_SHOTS", str(tmp_path))
    page = browser.new_page(locale="zh-CN", viewport={"width": 1280, "height": 800})
    try:
        _out_of_service(page, server.url, "ops-a", kiosk)
        page.wait_for_selector(f".kiosk[data-kiosk='{KIOSK}'][data-state='out']", timeout=5000)

        page.click("#detail button.rm-self_test[data-device='printer']")
        row = _action(page, "self_test", "done", timeout=20000)
        # the kiosk's result in the staff member's language, from the catalogs
        assert "测试页已打印（1 页），纸量充足" in row.inner_text(), row.inner_text()
        page.click("#detail button.rm-bundle")
        row = _action(page, "bundle", "done", timeout=20000)
        (bundle,) = [a for a in server.source.kiosk(KIOSK)["actions"] if a["action"] == "bundle"]
        written = kiosk.config.data_dir / bundle["data"]["file"]
        assert bundle["data"]["sha256"] == hashlib.sha256(written.read_bytes()).hexdigest()
        assert bundle["data"]["file"] in row.inner_text() and "字节" in row.inner_text()
        text = page.inner_text("#detail")
        assert not re.search(r"test page|paper|bytes|self-test|done", text, re.I), text
        page.screenshot(path=f"{shots}/remote-local-zh.png", full_page=True)
        page.click("#lang")
        row = _action(page, "self_test", "done")
        assert "test page printed (1 page(s)); paper full" in row.inner_text()
        assert "bytes · sha256" in _action(page, "bundle", "done").inner_text()
        page.click("#lang")

        page.click("#detail button.rm-in_service")
        _action(page, "in_service", "done")
        kiosk.clock.advance(GOODBYE_S + 1)
        kiosk.recorder.wait(lambda s: s.step == Step.ATTRACT and "start" in s.actions)
        page.wait_for_selector(f".kiosk[data-kiosk='{KIOSK}'][data-state='ok']", timeout=5000)
    finally:
        page.close()
    assert _remote(server, "audit-a", kiosk=KIOSK, action="out_of_service") == 403
    rows = [(r["user"], r["action"], r["outcome"]) for r in server.store.audit_rows()
            if r["action"].startswith("remote.")]
    assert rows[::-1] == [("ops-a", "remote.out_of_service", "sent"),
                          ("ops-a", "remote.out_of_service", "done"),
                          ("ops-a", "remote.self_test", "sent"),
                          ("ops-a", "remote.self_test", "done"),
                          ("ops-a", "remote.bundle", "sent"),
                          ("ops-a", "remote.bundle", "done"),
                          ("ops-a", "remote.in_service", "sent"),
                          ("ops-a", "remote.in_service", "done"),
                          ("audit-a", "remote.out_of_service", "forbidden")]
    assert [e.fields.get("by") for e in kiosk.journal("service.out")] == ["ops-a"]
    assert [e.fields.get("who") for e in kiosk.journal("remote.self_test")] == ["ops-a"]
