"""The privacy shield in a journey: the emulated camera shows real people; someone close
behind the customer at the PIN pad hides it until they are gone or the customer says they are
alone. Only counts reach the journal; no frame is kept."""
from __future__ import annotations

import sqlite3

import pytest

from kiosk.session.states import Step

from .conftest import UiKiosk

pytestmark = [pytest.mark.pcscd, pytest.mark.ui]


@pytest.fixture
def shield_ui(ui_app, tmp_path, pcscd):
    kiosk = UiKiosk(ui_app, tmp_path, chipcard=True, camera=True)
    yield kiosk
    kiosk.emulator("chipcard").perform("remove_card")
    kiosk.stop()


def curtain_shown(ui) -> bool:
    return ui.app.root._curtain.parent is not None


def test_an_onlooker_at_the_pin_pad_hides_it_until_the_customer_is_alone(shield_ui):
    ui = shield_ui
    camera = ui.emulator("camera")
    camera.perform("show_people", "customer")
    ui.wait_step(Step.ATTRACT)
    ui.emulator("chipcard").perform("insert_card", "unionpay_debit")
    ui.wait_step(Step.PIN)
    assert not curtain_shown(ui)
    camera.perform("show_people", "onlooker")
    ui.wait(lambda: ui.session.state.shielded and curtain_shown(ui), "the shield", timeout=10)
    assert ui.tr("Someone may be looking at your screen") in ui.visible_texts()
    camera.perform("show_people", "customer")
    ui.wait(lambda: not ui.session.state.shielded and not curtain_shown(ui), "shield down",
            timeout=10)
    camera.perform("show_people", "onlooker")
    ui.wait(lambda: curtain_shown(ui), "the shield again", timeout=10)
    ui.tap_msg("I am alone, show it again")                  # the customer's word
    ui.wait(lambda: not curtain_shown(ui), "shield waived")
    camera.perform("show_people", "far_behind")              # across the lobby: no shield
    ui.enter_pin("123456")
    ui.wait_step(Step.MENU, timeout=15)
    assert not ui.session.state.shielded
    ui.session.wait_idle()
    with sqlite3.connect(ui.config.path(ui.config.journal.path)) as db:
        rows = [r[0] for r in db.execute("SELECT kind FROM journal") if "privacy" in r[0]]
    assert rows.count("privacy.onlooker") >= 3 and "privacy.shield_waived" in rows
    images = [p for p in ui.config.data_dir.rglob("*")
              if p.suffix.lower() in (".png", ".jpg", ".jpeg", ".bmp") and "receipts" not in p.parts]
    assert images == []                                      # no frame is ever written
