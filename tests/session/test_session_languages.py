"""Texts the bank gives in both languages reach the screens in the customer's language: the state
carries the one picked, and a language switch, an update, a restored step pick again."""
from __future__ import annotations

from kiosk.host.models import Bilingual
from kiosk.session.clock import ManualClock
from kiosk.session.engine import StepEngine
from kiosk.session.states import State, Step

SALARY = Bilingual("工资", "Salary")
BANK = Bilingual("中国建设银行", "China Construction Bank")


def _engine(common: dict) -> StepEngine:
    return StepEngine(ManualClock(), idle_timeout=lambda: 30.0, on_idle=lambda: None,
                      common=lambda: dict(common), first=State(Step.ATTRACT))


def test_the_state_carries_the_customers_language_and_picks_again_on_a_switch():
    common = {"language": "en"}
    engine = _engine(common)
    engine.show(Step.TRANSACTIONS, items=[{"description": SALARY, "amount_fen": 100}],
                bank_name=BANK)
    assert engine.state.view == {"items": [{"description": "Salary", "amount_fen": 100}],
                                 "bank_name": "China Construction Bank"}
    common["language"] = "zh_CN"
    engine.reshow()
    assert engine.state.view["items"][0]["description"] == "工资"
    assert engine.state.view["bank_name"] == "中国建设银行"
    engine.update(page=2)                        # an update keeps both languages underneath
    common["language"] = "en"
    engine.reshow()
    assert engine.state.view == {"items": [{"description": "Salary", "amount_fen": 100}],
                                 "bank_name": "China Construction Bank", "page": 2}


def test_a_step_restored_after_an_interruption_is_in_the_language_of_now():
    common = {"language": "zh_CN"}
    engine = _engine(common)
    engine.show(Step.PAYEE_CHECK, bank_name=BANK, name_masked="张*试")
    before = engine.snapshot()
    engine.show(Step.HELP_CALLED)
    common["language"] = "en"
    engine.restore(before)
    assert engine.state.step == Step.PAYEE_CHECK and engine.state.language == "en"
    assert engine.state.view == {"bank_name": "China Construction Bank", "name_masked": "张*试"}
