"""The accessible mode from the attract screen: a whole journey (card, PIN, balance, statement
printing, take the card) done with the keypad and the voice alone, never reading the screen;
and one done by touch alone, on the numbered buttons the mode puts at the screen's edge."""
from __future__ import annotations

import time

import pytest

from kiosk.i18n import translate
from kiosk.session.states import Step
from kiosk.voice.guide import VoiceGuide
from kiosk.voice.synth import SpeechCache
from tests.harness import Ear

pytestmark = [pytest.mark.pcscd, pytest.mark.ui]

KEYS = {"*": (268, "*"), "enter": (13, ""), "escape": (27, "")}


@pytest.fixture
def listener(card_ui, tmp_path):
    """The app with a voice guide of its own (off for sighted customers, as configured)."""
    from screens.voice_player import KivyPlayer
    ui = card_ui
    old = ui.app.voice
    guide = VoiceGuide(SpeechCache(tmp_path / "voice"), KivyPlayer(), enabled=False)
    ui.app.detach()
    ui.app.voice = ui.app.accessible_keys.voice = guide
    ui.app.attach()
    guide.start(warm_after_s=None)
    yield ui, guide
    guide.stop()
    ui.app.detach()
    ui.app.voice = ui.app.accessible_keys.voice = old
    ui.app.attach()


def press(ui, name: str) -> None:
    from kivy.core.window import Window
    key, char = KEYS[name] if name in KEYS else (ord(name), name)
    Window.dispatch("on_key_down", key, 0, char, [])
    ui.pump(2)


def heard(guide, step_from: int = 0) -> list[str]:
    return [text for said in guide.said[step_from:] for text in said.texts]


def wait_heard(ui, guide, text: str, timeout: float = 15) -> None:
    ui.wait(lambda: text in heard(guide), f"to hear {text!r}", timeout)


def number_of(ui, guide, label_msgid: str) -> str:
    """Which key the voice said to press for `label_msgid` (as a listener would learn it)."""
    label = translate("zh_CN", label_msgid)
    for text in reversed(heard(guide)):
        if f"，{label}。" in text and text.startswith("按"):
            return str(text[1:text.index("，")].translate(str.maketrans("一二三四五六七八九", "123456789")))
    raise AssertionError(f"no choice {label!r} was read out: {heard(guide)[-6:]}")


def test_a_blind_customer_checks_the_balance_prints_a_statement_and_takes_the_card(listener):
    ui, guide = listener
    ui.wait_step(Step.ATTRACT)
    time.sleep(0.3)
    assert guide.said == []                                  # silent for sighted customers
    press(ui, "*")                                           # the keypad's star: accessible mode
    wait_heard(ui, guide, translate("zh_CN", "voice_accessible_on"))
    assert ui.session.state.accessible
    press(ui, number_of(ui, guide, "Start"))
    ui.wait_step(Step.MENU)
    wait_heard(ui, guide, translate("zh_CN", "choose_service"))
    press(ui, number_of(ui, guide, "service_balance"))
    ui.wait_step(Step.IDENTIFY)
    ui.emulator("chipcard").perform("insert_card", "unionpay_debit")
    pin = ui.wait_step(Step.PIN)
    wait_heard(ui, guide, translate("zh_CN", "voice_pin_keypad"))
    assert pin.state.view["keys"] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 0]   # fixed, 5 in the middle
    for digit in "123456":
        press(ui, digit)
    ui.wait(lambda: ui.session.state.view.get("entered") == 6, "six digits")
    assert ui.session.state.view["masked"] == "" and "●" not in " ".join(ui.visible_texts())
    press(ui, "enter")
    ui.wait_step(Step.ACCOUNTS, timeout=20)
    wait_heard(ui, guide, "可用余额：五万二千三百四十元。")         # 测试甲's available balance
    press(ui, number_of(ui, guide, "Statement"))
    ui.wait_step(Step.STATEMENT_PERIOD)
    wait_heard(ui, guide, translate("zh_CN", "voice_statement_period"))
    press(ui, number_of(ui, guide, "period_last_month"))
    ui.wait_step(Step.STATEMENT_PREVIEW, timeout=20)
    wait_heard(ui, guide, translate("zh_CN", "voice_statement_preview"))
    press(ui, number_of(ui, guide, "Print statement"))
    ui.wait(lambda: ui.session.state.step == Step.TAKE_ITEMS, "take your things", timeout=30)
    ui.emulator("chipcard").perform("remove_card")
    ui.wait(lambda: ui.session.state.view.get("items") == ["receipt"], "the card taken")
    wait_heard(ui, guide, translate("zh_CN", "take_receipt"))
    press(ui, number_of(ui, guide, "Done"))               # the receipt taken too
    ui.wait(lambda: ui.session.state.step in (Step.RATING, Step.GOODBYE), "the end", timeout=15)
    assert ui.emulator("printer").receipts(), "the statement was not printed"
    said = heard(guide)
    order = [translate("zh_CN", m) for m in ("voice_accessible_on", "choose_service",
                                               "voice_pin_keypad", "voice_statement_period",
                                               "voice_statement_preview")]
    positions = [said.index(t) for t in order]
    assert positions == sorted(positions)
    assert not any(d in "".join(said) for d in ("123456", "一二三四五六"))
    assert ui.session.config.ui.idle_timeout_s * 2 == ui.session.idle_timeout_s


def test_holding_call_staff_turns_the_accessible_mode_on(card_ui):
    ui = card_ui
    ui.wait_step(Step.ATTRACT)
    hold_call_staff(ui)
    assert ui.session.state.accessible
    assert ui.session.state.step == Step.ATTRACT             # no staff call on a long press


def test_the_volume_buttons_on_screen_and_the_next_customer_gets_the_configured_volume(listener):
    from kiosk.voice.choices import choices
    ui, guide = listener
    header = ui.app.root.ids.header
    ui.wait_step(Step.ATTRACT)
    assert header.ids.volume.opacity == 0 and header.ids.volume.disabled   # silent: not shown
    press(ui, "*")
    wait_heard(ui, guide, translate("zh_CN", "voice_accessible_on"))
    press(ui, number_of(ui, guide, "Start"))
    ui.wait_step(Step.MENU)
    wait_heard(ui, guide, translate("zh_CN", "choose_service"))
    assert translate("zh_CN", "Finish") in [translate("zh_CN", c.label)
                                             for c in choices(ui.app.current_state)]
    assert header.ids.volume.opacity == 1 and not header.ids.volume.disabled
    before, count = guide.volume, len(guide.said)
    ui.tap(header.ids.louder)
    ui.wait(lambda: len(guide.said) > count, "the prompt said again at the new volume")
    assert translate("zh_CN", "choose_service") in guide.said[-1].texts
    assert guide.volume == pytest.approx(min(1.0, before + 0.1))
    ui.tap(header.ids.softer)
    ui.tap(header.ids.softer)
    assert guide.volume == pytest.approx(max(0.0, before - 0.1))
    press(ui, number_of(ui, guide, "Finish"))                 # the menu's way out, by number
    ui.wait(lambda: ui.session.state.step in (Step.GOODBYE, Step.RATING, Step.ATTRACT), "end")
    if ui.session.state.step != Step.ATTRACT:
        ui.advance(30)
    ui.wait_step(Step.ATTRACT)
    ui.wait(lambda: guide.volume == guide.configured_volume, "the volume back to configured")
    assert header.ids.volume.opacity == 0


def hold_call_staff(ui) -> None:
    """A finger on 呼叫工作人员 until the accessible mode comes on (LONG_PRESS_S)."""
    from kivy.tests.common import UnitTestTouch
    button = ui.app.root.ids.header.ids.help
    touch = UnitTestTouch(*button.to_window(*button.center))
    touch.touch_down()
    ui.wait(lambda: ui.session.state.accessible, "the accessible mode", timeout=5)
    touch.touch_up()
    ui.pump(2)


def test_a_blind_customer_checks_the_balance_by_touch_on_the_numbered_buttons(listener):
    """Card, PIN, balance and card back with nothing but touches: the numbered buttons for every
    choice (the number the voice said), the fixed PIN pad for the PIN; and what was heard."""
    ui, guide = listener
    pad = ui.app.root.choice_pad
    ui.wait_step(Step.ATTRACT)
    assert pad.parent is None                                # sighted customers: no pad
    manager_width = ui.app.root.manager.width
    ear = Ear()
    hold_call_staff(ui)
    wait_heard(ui, guide, translate("zh_CN", "voice_accessible_on"))
    ui.wait(lambda: pad.parent is not None, "the numbered buttons")
    ui.pump(2)
    assert ui.app.root.manager.width < manager_width        # the screens make room for it
    keys = [pad.ids[f"key_{n}"] for n in range(1, 10)]
    assert min(min(k.size) for k in keys + [pad.ids.repeat, pad.ids.back, pad.ids.finish]) >= 90
    assert [k.disabled for k in keys] == [False] + [True] * 8   # only 1: 开始办理
    ui.tap_choice(number_of(ui, guide, "Start"))
    ui.wait_step(Step.MENU)
    wait_heard(ui, guide, translate("zh_CN", "choose_service"))
    ui.wait(lambda: ear.loudest() > 1000, "the prompts out of the loudspeaker", timeout=15)
    ui.tap_choice(number_of(ui, guide, "service_balance"))
    ui.wait_step(Step.IDENTIFY)
    ui.emulator("chipcard").perform("insert_card", "unionpay_debit")
    pin = ui.wait_step(Step.PIN)
    wait_heard(ui, guide, translate("zh_CN", "voice_pin_keypad"))
    assert pin.state.view["keys"] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 0]   # fixed, 5 in the middle
    assert all(k.disabled for k in keys)                     # the PIN is for the PIN pad
    assert ui.tr("The keys are in telephone order, 5 in the middle with a raised dot. "
                 "Nothing you type is shown.") in ui.visible_texts()
    ui.type_pin("123456")
    assert "●" not in " ".join(ui.visible_texts())
    ui.tap(pin.ids.ok)
    ui.wait_step(Step.ACCOUNTS, timeout=20)
    balance = "可用余额：五万二千三百四十元。"                    # 测试甲's available balance
    wait_heard(ui, guide, balance)
    said = len(guide.said)
    ui.tap_choice("repeat")                                  # 重听: the screen said again
    ui.wait(lambda: len(guide.said) > said, "the accounts said again")
    assert balance in guide.said[-1].texts
    ui.tap_choice(number_of(ui, guide, "choice_finish"))     # 结束并取卡
    ui.wait(lambda: ui.session.state.step == Step.TAKE_ITEMS, "take your card", timeout=20)
    wait_heard(ui, guide, translate("zh_CN", "take_card"))
    ui.emulator("chipcard").perform("remove_card")
    ui.wait(lambda: ui.session.state.step in (Step.RATING, Step.GOODBYE), "the end", timeout=15)
    if ui.session.state.step == Step.RATING:
        wait_heard(ui, guide, translate("zh_CN", "voice_rating"))
        ui.tap_choice(number_of(ui, guide, "Skip"))
    ui.wait_step(Step.GOODBYE)
    wait_heard(ui, guide, translate("zh_CN", "voice_goodbye"))
    said = heard(guide)
    order = [translate("zh_CN", m) for m in ("voice_accessible_on", "choose_service",
                                               "voice_pin_keypad")] + [balance] + \
        [translate("zh_CN", m) for m in ("take_card", "voice_goodbye")]
    positions = [said.index(t) for t in order]
    assert positions == sorted(positions)
    assert not any(d in "".join(said) for d in ("123456", "一二三四五六"))
    assert not ui.emulator("printer").receipts()             # nothing printed: nothing asked
