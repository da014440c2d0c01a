"""Technician mode in the running app, from the attract screen: the hidden long press and the
technician card, the PIN on the on-screen keypad, out of service for customers meanwhile,
device actions, and back to the attract screen by button, card removal or idle timeout."""
from __future__ import annotations

import json
import zipfile

import pytest

from kiosk.session.states import Step

from .conftest import TECHNICIAN_PIN, UiKiosk

pytestmark = pytest.mark.ui
TECH_PAN = "6222020000000000117"
# a printer self-test's result on the panel, in the kiosk's language
PASSED = {"zh_CN": "凭条打印机：通过 — 测试页已打印（1 页）",
          "en": "Receipt printer: passed — test page printed (1 page(s))"}


def type_pin(ui, screen, pin: str) -> None:
    for digit in pin:
        ui.tap(screen.ids.keypad.key_widget(digit))
    ui.wait(lambda: screen.entered == len(pin), "PIN digits")
    ui.tap(screen.ids.pin_enter)


def rows(ui, prefix="technician."):
    return [(e.kind, e.fields) for e in ui.core.journal.entries(kind_prefix=prefix)]


def test_long_press_pin_actions_and_exit_with_customers_kept_out(ui):
    ui.wait_step(Step.ATTRACT)
    ui.long_press(ui.hidden_corner(), 1.0)                # too short: nothing happens
    assert ui.session.state.step == Step.ATTRACT
    ui.long_press((ui.app.root.x + 4, ui.app.root.center_y), 5.0)   # not a corner
    assert ui.session.state.step == Step.ATTRACT
    ui.long_press(ui.hidden_corner(), 3.5)
    screen = ui.wait_step(Step.TECHNICIAN)
    assert "暂停服务 Out of service" in ui.visible_texts()
    assert any("Hidden corner 隐藏角落" in text for text in ui.visible_texts())
    assert not any("corner tl" in text for text in ui.visible_texts())
    assert any(a.code == "technician.at_work" for a in ui.core.alerts.active())

    # customers are kept out: no flow starts from a touch or an ID card
    assert not ui.session.send("start")
    ui.emulator("idcard").perform("place_card", "ceshi_jia")
    ui.wait(lambda: ui.core.devices.statuses()["idcard"].get("media") == "present", "ID card")
    ui.pump(5)
    assert ui.session.state.step == Step.TECHNICIAN
    ui.emulator("idcard").perform("remove_card")

    type_pin(ui, screen, "000000")
    ui.wait(lambda: ui.session.state.view.get("tries_left") == 4, "tries left 4")
    assert ui.session.state.view["phase"] == "pin"
    type_pin(ui, screen, TECHNICIAN_PIN)
    ui.wait(lambda: ui.session.state.view.get("phase") == "open", "technician panels")
    ui.pump(3)
    assert screen.ids.panels.opacity == 1
    assert "printer: " in screen.status_text and "idcard: " in screen.status_text

    ui.tap("Devices 设备")
    ui.pump(2)
    ui.tap(screen.ids.test_printer)
    ui.wait(lambda: ui.session.state.view.get("result", "").startswith(PASSED[ui.app.language]),
            "printer test", timeout=20)
    ui.tap(screen.ids.service_printer)
    ui.wait(lambda: "out of service" in ui.session.state.view.get("result", ""), "printer out")
    assert ui.core.devices.statuses()["printer"]["service"] == "outOfService"
    assert ui.core.services.device("printer") is None
    ui.wait(lambda: screen.ids.service_printer.text.startswith("Back in service"), "toggle")

    # every kind of device has its test, reset and out-of-service buttons, live when the
    # kiosk has that device (this one runs with the ID reader and the printer only)
    configured = ui.session.state.view["devices"]
    assert sorted(configured) == ["idcard", "printer"]
    for name in ("chipcard", "idcard", "camera", "scanner", "printer"):
        for action in ("test", "reset", "service"):
            assert screen.ids[f"{action}_{name}"].disabled == (name not in configured)
    ui.tap(screen.ids.service_idcard)
    ui.wait(lambda: sorted(ui.session.state.view.get("out_of_service", [])) == [
        "idcard", "printer"], "ID reader out")
    assert not ui.core.services.serving("idcard")
    ui.tap(screen.ids.service_idcard)                 # and back
    ui.wait(lambda: ui.session.state.view.get("out_of_service") == ["printer"], "ID reader back")
    assert ui.core.services.serving("idcard")
    ui.tap(screen.ids.reset_idcard)
    ui.wait(lambda: "idcard is being reopened" in ui.session.state.view.get("result", ""),
            "ID reader reset")
    ui.wait(lambda: ui.core.devices.statuses()["idcard"].get("device") == "online",
            "ID reader reopened", timeout=15)

    ui.tap("Export 导出")
    ui.pump(2)
    ui.tap(screen.ids.export_button)
    ui.wait(lambda: ui.session.state.view.get("bundle", "").endswith(".zip"), "bundle")
    with zipfile.ZipFile(ui.session.state.view["bundle"]) as zf:
        statuses = json.loads(zf.read("statuses.json"))
    assert statuses["devices"]["printer"]["service"] == "outOfService"

    ui.tap(screen.ids.exit_button)
    ui.wait_step(Step.GOODBYE)
    ui.advance(6)
    ui.wait_step(Step.ATTRACT)
    assert not any(a.code == "technician.at_work" for a in ui.core.alerts.active())
    kinds = [k for k, _ in rows(ui)]
    assert kinds == ["technician.prompt", "technician.pin_failed", "technician.entry",
                     "technician.self_test"] + ["technician.action"] * 4 + [
                     "technician.bundle", "technician.exit"]
    assert [(f["device"], f["action"]) for k, f in rows(ui) if k == "technician.action"] == [
        ("printer", "out_of_service"), ("idcard", "out_of_service"),
        ("idcard", "in_service"), ("idcard", "reset")]
    for kind, fields in rows(ui):
        if kind not in ("technician.pin_failed", "technician.entry", "technician.exit"):
            assert fields["who"] == "corner tl", kind
    assert rows(ui)[-1][1]["reason"] == "button"
    assert TECHNICIAN_PIN not in json.dumps([f for _, f in rows(ui, "")])

    # the printer stays out of service: statements are not offered, the rest still is
    assert ui.session.send("start")
    ui.wait_step(Step.MENU)
    offered = [o["id"] for o in ui.session.state.view["options"]]
    assert "statement" not in offered and "balance" in offered and "ticket" in offered


def test_lockout_survives_a_restart_and_idle_timeout_leaves(ui_app, tmp_path):
    first = UiKiosk(ui_app, tmp_path, chipcard=False)
    try:
        first.long_press(first.hidden_corner(), 3.5)
        screen = first.wait_step(Step.TECHNICIAN)
        for n in range(5):
            type_pin(first, screen, "999999")
            first.wait(lambda: not first.session.state.view.get("checking"), "PIN checked")
        first.wait(lambda: first.session.state.view.get("locked_for_s", 0) > 0, "locked")
        assert "Locked for 30 min 已锁定" in first.visible_texts()
        first.advance(61)                           # idle: back to the attract screen
        first.wait_step(Step.GOODBYE)
        first.advance(6)
        first.wait_step(Step.ATTRACT)
        assert rows(first)[-1][1]["reason"] == "idle"
    finally:
        first.stop()
    again = UiKiosk(ui_app, tmp_path, chipcard=False)
    try:
        again.long_press(again.hidden_corner(), 3.5)
        screen = again.wait_step(Step.TECHNICIAN)
        assert again.session.state.view["locked_for_s"] > 1700
        assert screen.ids.keypad.disabled
    finally:
        again.stop()


@pytest.mark.pcscd
def test_technician_card_opens_the_pin_prompt_and_its_removal_leaves(card_ui):
    ui = card_ui
    ui.wait_step(Step.ATTRACT)
    ui.emulator("chipcard").perform("insert_card", "technician")
    screen = ui.wait_step(Step.TECHNICIAN, timeout=15)
    assert ui.session.state.view["via"] == "card 622202*********0117"
    ui.pump()
    assert any("Technician card 技术员卡 622202*********0117" in text
               for text in ui.visible_texts()), ui.visible_texts()
    type_pin(ui, screen, TECHNICIAN_PIN)
    ui.wait(lambda: ui.session.state.view.get("phase") == "open", "technician panels")
    ui.emulator("chipcard").perform("remove_card")
    ui.wait_step(Step.GOODBYE, timeout=15)
    ui.advance(6)
    ui.wait_step(Step.ATTRACT)
    entry = dict(rows(ui))["technician.entry"]
    assert entry["via"] == "card 622202*********0117"
    assert rows(ui)[-1][1]["reason"] == "card_removed"
    everything = json.dumps([f for _, f in rows(ui, "")])
    assert TECH_PAN not in everything and TECHNICIAN_PIN not in everything
    # a customer's card on the attract screen is still a customer's card
    ui.emulator("chipcard").perform("insert_card", "unionpay_debit")
    ui.wait_step(Step.PIN, timeout=15)


@pytest.mark.parametrize("language", ["en", "zh_CN"])
def test_technician_screen_fits_in_larger_text(ui, language, tmp_path):
    """Entered while larger text is on: nothing overflows or is clipped (the tour's layout
    check), and every touch target, device rows and tabs included, is 64 px or more."""
    from kivy.uix.behaviors import ButtonBehavior

    from screens.tour.layout import MIN_TARGET, layout_problems
    from screens.tour.runner import screenshot
    attract = ui.wait_step(Step.ATTRACT)
    ui.tap(attract.ids[language])
    ui.tap(attract.ids.elderly)
    ui.wait(lambda: ui.app.elderly and ui.app.language == language, "larger text")
    ui.long_press(ui.hidden_corner(), 3.5)
    screen = ui.wait_step(Step.TECHNICIAN)
    ui.pump(3)
    assert layout_problems(ui.app) == []
    type_pin(ui, screen, TECHNICIAN_PIN)
    ui.wait(lambda: ui.session.state.view.get("phase") == "open", "technician panels")
    ui.pump(3)
    ui.tap("Devices 设备")
    ui.pump(2)
    ui.tap(screen.ids.test_printer)
    ui.wait(lambda: ui.session.state.view.get("result", "").startswith(PASSED[language]),
            "printer test", timeout=20)
    ui.pump(3)
    # the self-test's result in the kiosk's language (kiosk.alerts.staff_text.self_test_line)
    assert screen.ids.test_result.text.startswith(PASSED[language])
    assert ("测试页已打印" in screen.ids.test_result.text) == (language == "zh_CN")
    screenshot(tmp_path / f"technician-{language}-larger.png")
    assert layout_problems(ui.app) == []
    rows = [w for w in screen.walk() if type(w).__name__ == "TechRowButton"]
    assert len(rows) == 16
    # a device this kiosk has none of says so beside its greyed buttons
    names = {w.text.split(" ")[0]: w.text for w in screen.walk()
             if type(w).__name__ == "TechDeviceName"}
    fitted = ui.session.state.view["devices"]
    for kind, first_word in (("chipcard", "Card"), ("idcard", "ID"), ("camera", "Camera"),
                             ("scanner", "Scanner"), ("printer", "Printer")):
        assert ("未配置" in names[first_word]) == (kind not in fitted), names
        assert screen.ids[f"test_{kind}"].disabled == (kind not in fitted)
    assert min(b.height for b in rows) >= MIN_TARGET
    targets = [w for w in screen.walk() if isinstance(w, ButtonBehavior) and ui._shown(w)
               and w.width > 1 and type(w).__name__ != "SimulatorHandle"]  # the tester's tab
    assert min(min(w.width, w.height) for w in targets) >= MIN_TARGET
    grid = screen.ids.device_actions
    assert grid.y >= grid.parent.y - 1 and grid.top <= grid.parent.top + 1   # fits its panel
    result = screen.ids.test_result
    assert result.texture_size[1] <= result.height + 2                     # the result shows
    ui.tap(screen.ids.exit_button)
    ui.wait_step(Step.GOODBYE)
