"""A day's scripted journeys, then every file the kiosk wrote is searched for every card, payee
and ID number used, in clear (ASCII, grouped, UTF-16): none may be found outside the sandbox
bank's own tables. (The keys are kept out of the data folder; what the journal's keyed digests
would take to reverse is tested in tests/host/test_host_card_data_at_rest.py.)"""
from __future__ import annotations

import time

import pytest

from kiosk.session.states import Step
from tests.harness import wait_for

from .test_session_card_journeys import sign_in
from .test_session_lost_card import lay_id_card
from .test_session_transfer import PAYEE, through_warning, to_payee

pytestmark = pytest.mark.pcscd

PAN = "6222020000000000018"
ID_NUMBER = "110101199003071030"


def _forms(number: str) -> list[bytes]:
    grouped = " ".join(number[i:i + 4] for i in range(0, len(number), 4))
    return [number.encode(), number.encode("utf-16-le"), grouped.encode()]


def _found(files, numbers) -> list[tuple[str, str]]:
    hits = []
    for path in files:
        data = path.read_bytes()
        hits += [(str(path), n) for n in numbers if any(f in data for f in _forms(n))]
    return hits


def _every_test_number() -> list[str]:
    """Every invented card, account and ID number the kiosk's test data holds."""
    from drivers.idcard.emulator import load_people
    from kiosk.host import sandbox_data
    numbers = {number for number, *_ in sandbox_data.EXTERNAL_ACCOUNTS}
    for customer in sandbox_data.CUSTOMERS:
        numbers.add(customer.id_number)
        numbers |= {a.number for a in customer.accounts} | {c.pan for c in customer.cards}
    numbers |= {person.fields["id_number"] for person in load_people().values()
                if person.fields.get("id_number")}
    return sorted(numbers)


def _back_to_attract(kiosk) -> None:
    """Take the card and the paper, skip the rating: the customer leaves."""
    if kiosk.session.data.card_present:
        kiosk.remove_card()
        kiosk.wait_media("chipcard", "notPresent")
    for _ in range(60):
        kiosk.session.wait_idle()
        state = kiosk.session.state
        if state.step == Step.ATTRACT:
            return
        if "done" in state.actions:
            kiosk.send("done")
        elif state.step == Step.RATING:
            kiosk.send("skip")
        else:
            kiosk.clock.advance(10)
        time.sleep(0.1)   # the core's ticker (every 0.05 s) moves the session on
    raise AssertionError(kiosk.session.state)


def _acknowledge_warning(kiosk) -> None:
    warning = kiosk.step(Step.FRAUD_WARNING)
    kiosk.clock.advance(warning.view["min_read_s"])
    kiosk.send("acknowledge")


def test_a_days_journeys_leave_no_card_or_id_number_in_any_file(card_kiosk, tmp_path):
    kiosk = card_kiosk
    # balance with a slip
    sign_in(kiosk)
    kiosk.send("choose", option="balance")
    kiosk.step(Step.ACCOUNTS)
    kiosk.send("print")
    kiosk.step(Step.TAKE_ITEMS)
    _back_to_attract(kiosk)
    # a statement printed
    sign_in(kiosk)
    kiosk.send("choose", option="statement")
    kiosk.step(Step.STATEMENT_PERIOD)
    kiosk.send("choose", period="this_year")
    kiosk.step(Step.STATEMENT_PREVIEW)
    kiosk.send("print")
    kiosk.step(Step.TAKE_ITEMS, timeout=20)
    _back_to_attract(kiosk)
    # a transfer with a receipt, then a large one held for staff
    to_payee(kiosk)
    through_warning(kiosk)
    kiosk.step(Step.TRANSFER_CONFIRM)
    kiosk.send("confirm")
    assert kiosk.step(Step.TRANSFER_RESULT).view["outcome"] == "approved"
    kiosk.send("receipt")
    kiosk.step(Step.TAKE_ITEMS)
    _back_to_attract(kiosk)
    sign_in(kiosk)
    kiosk.send("choose", option="transfer")
    kiosk.step(Step.PAYEE)                       # now a saved payee
    kiosk.send("choose", index=0)
    kiosk.step(Step.PAYEE_CHECK)
    kiosk.send("confirm")
    kiosk.step(Step.AMOUNT)
    kiosk.send("submit", amount_fen=5_100_000)
    _acknowledge_warning(kiosk)
    kiosk.step(Step.TRANSFER_CONFIRM)
    kiosk.send("confirm")
    assert kiosk.step(Step.TRANSFER_RESULT).view["outcome"] == "held"
    assert kiosk.core.transfers.held()           # waiting for staff, full numbers kept sealed
    kiosk.session.wait_idle()
    _nothing_in_clear(tmp_path)
    _back_to_attract(kiosk)
    assert wait_for(lambda: not kiosk.core.transfers.held())    # the customer left: withdrawn
    # a lost card reported with the ID card
    kiosk.send("start")
    kiosk.send("choose", option="lost_card")
    kiosk.step(Step.IDENTIFY)
    lay_id_card(kiosk, "ceshi_jia")
    kiosk.step(Step.LOST_CARD_NUMBER)
    kiosk.send("submit", card_number=PAN)
    kiosk.step(Step.LOST_CARD_CONFIRM)
    kiosk.send("confirm")
    kiosk.step(Step.LOST_CARD_RESULT)
    kiosk.send("receipt")
    kiosk.step(Step.TAKE_ITEMS)
    assert kiosk.emulator("printer").wait_rendered(10)
    kiosk.session.wait_idle()

    _nothing_in_clear(tmp_path)


def _nothing_in_clear(tmp_path) -> None:
    """No test card, account or ID number in clear in any file but the bank's own tables."""
    numbers = _every_test_number()
    assert {PAN, PAYEE, ID_NUMBER} <= set(numbers)
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    bank = [p for p in written if p.name.startswith("sandbox.db")]
    keys = [p for p in written if p.parent.name.endswith("-keys")]
    assert _found(bank, [PAN]), "the search finds numbers where they are (the bank's tables)"
    assert keys and all(tmp_path / "var" not in p.parents for p in keys)
    others = [p for p in written if p not in bank and p not in keys]
    assert {"journal.db", "host_state.db", "alerts.db", "journal_checkpoints.db"} <= \
        {p.name for p in others}
    assert _found(others, numbers) == []
