"""What is said for each step comes from the catalogs, in the customer's language, and never
gives away a PIN digit or (outside the accessible mode) a balance."""
from __future__ import annotations

import re

import pytest

from kiosk.i18n import LANGUAGES, catalog as catalog_of
from kiosk.session.states import State, Step
from kiosk.voice.prompts import STEP_PROMPT, speech_for, static_texts


def test_every_step_has_a_prompt_entry_and_every_prompt_is_translated():
    assert set(STEP_PROMPT) == set(Step)
    for language in LANGUAGES:
        catalog = catalog_of(language)
        for msgid in filter(None, STEP_PROMPT.values()):
            assert catalog.get(msgid), f"{msgid} has no {language} text"
        voice_ids = [m for m in catalog if m.startswith("voice_")]
        assert len(voice_ids) >= 25


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_spoken_state_uses_the_screen_catalog_text(language):
    catalog = catalog_of(language)
    speech = speech_for(State(Step.IDENTIFY, message_id="identify_card", language=language))
    assert speech.texts == (catalog["identify_card"],)
    pin = speech_for(State(Step.PIN, language=language, view={"tries_left": 1, "problem": "pin_wrong",
                                                              "keys": list("5038126479"), "entered": 3,
                                                              "masked": "●●●"}))
    assert pin.texts == (catalog["voice_pin"], catalog["pin_wrong"], catalog["voice_last_try"])
    assert not re.search(r"\d", " ".join(pin.texts))        # no digit of the PIN pad is said


def test_figures_are_said_in_the_customers_language():
    confirm = State(Step.TRANSFER_CONFIRM, language="zh_CN",
                    view={"amount_fen": 123450, "fee_fen": 200})
    assert "金额一千二百三十四元五角，手续费二元。" in speech_for(confirm).texts
    ticket = State(Step.TICKET_ISSUED, language="en", view={"number": "A023", "waiting": 4})
    assert "Your number is A 0 2 3. 4 people are ahead of you." in speech_for(ticket).texts
    more = State(Step.MORE_TIME, language="zh_CN", seconds_left=30)
    assert speech_for(more).texts[-1] == "三十秒后将退出。"


def test_the_fraud_warning_is_read_in_full():
    warnings = ["fraud_warning", "fraud_warning_stranger", "fraud_warning_large"]
    state = State(Step.FRAUD_WARNING, language="zh_CN", view={"warnings": warnings})
    catalog = catalog_of("zh_CN")
    texts = speech_for(state).texts
    assert texts[1:] == tuple(catalog[w] for w in warnings)


def test_a_balance_is_said_only_in_the_accessible_mode():
    state = State(Step.ACCOUNTS, language="zh_CN",
                  view={"accounts": [{"available_fen": 5234000}], "selected": 0})
    assert not any("五万" in t for t in speech_for(state).texts)
    accessible = State(Step.ACCOUNTS, language="zh_CN", accessible=True, view=state.view)
    assert "可用余额：五万二千三百四十元。" in speech_for(accessible).texts


def test_a_repeat_of_the_same_state_is_not_said_again():
    first = State(Step.MORE_TIME, language="en", seconds_left=30)
    said = speech_for(first)
    assert speech_for(State(Step.MORE_TIME, language="en", seconds_left=29), previous=said) is None
    assert speech_for(State(Step.MORE_TIME, language="zh_CN", seconds_left=29),
                      previous=said) is not None


def test_static_prompts_to_prepare_hold_no_placeholders():
    for language in LANGUAGES:
        texts = static_texts(language)
        assert len(texts) > 100 and not any("{" in t for t in texts)
