"""A card's applications are named in the customer's language (known UnionPay AIDs from the
catalogs), and an application the kiosk does not know keeps the name its chip gives."""
from __future__ import annotations

import pytest

from drivers.chipcard.card_data import Application
from kiosk.session.card_applications import application_view
from kiosk.session.states import Step

pytestmark = [pytest.mark.pcscd, pytest.mark.ui]


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_a_two_application_card_is_offered_in_the_customers_language(card_ui, language):
    ui = card_ui
    ui.wait_step(Step.ATTRACT)
    if language != ui.app.language:
        ui.session.send("language", language=language)
        ui.wait(lambda: ui.app.language == language, language)
    ui.emulator("chipcard").perform("insert_card", "two_apps")
    screen = ui.wait_step(Step.CHOOSE_APPLICATION, timeout=15)
    texts = ui.visible_texts()
    names = [ui.tr("application_unionpay_debit"), ui.tr("application_unionpay_credit")]
    assert all(name in texts for name in names), texts
    if language == "zh_CN":
        assert not [t for t in texts if "UnionPay" in t]             # no chip English
    ui.tap(names[0])
    ui.wait_step(Step.PIN, timeout=15)
    ui.session.send("language", language="zh_CN")
    assert screen is not None


def test_an_unknown_application_keeps_the_chips_name():
    known = application_view(0, Application("A000000333010101", "UnionPay Debit"))
    assert known == {"index": 0, "label": "UnionPay Debit",
                     "message_id": "application_unionpay_debit"}
    by_label = application_view(1, Application("D156000001", "UnionPay Credit"))
    assert by_label["message_id"] == "application_unionpay_credit"
    other = application_view(2, Application("A0000000031010", "VISA DEBIT", 1, "Visa Débito"))
    assert other == {"index": 2, "label": "Visa Débito", "message_id": ""}
