"""What the kiosk says for a session state: the step's prompt, the state's message and the
figures that matter, each from the catalogs the screen uses (one message id, one text).

Balances are spoken only in the accessible mode (a customer with headphones); a PIN digit never
is. `speech_for` returns None when a state repeats what was already said (a countdown tick,
a re-render), so a prompt is not restarted by every refresh.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..i18n import translate
from ..session.rules import problem_limit_fen
from ..session.states import State, Step
from . import spoken
from .choices import choices

# The prompt said when a step comes up; "" when the state's own message says it all.
STEP_PROMPT: dict[Step, str] = {
    Step.ATTRACT: "voice_attract",
    Step.MENU: "choose_service",
    Step.IDENTIFY: "",
    Step.CHOOSE_APPLICATION: "choose_card_application",
    Step.PIN: "voice_pin",
    Step.ACCOUNTS: "voice_accounts",
    Step.TRANSACTIONS: "voice_transactions",
    Step.STATEMENT_PERIOD: "voice_statement_period",
    Step.STATEMENT_PREVIEW: "voice_statement_preview",
    Step.PAYEE: "voice_payee",
    Step.PAYEE_ENTRY: "voice_payee_entry",
    Step.PAYEE_CHECK: "voice_payee_check",
    Step.AMOUNT: "voice_amount",
    Step.FRAUD_WARNING: "voice_fraud_warning",
    Step.TRANSFER_CONFIRM: "voice_transfer_confirm",
    Step.TRANSFER_RESULT: "",
    Step.LOST_CARD_NUMBER: "voice_lost_card_number",
    Step.LOST_CARD_CONFIRM: "voice_lost_card_confirm",
    Step.LOST_CARD_RESULT: "voice_lost_card_result",
    Step.TICKET_SERVICE: "voice_ticket_service",
    Step.TICKET_ISSUED: "voice_ticket_issued",
    Step.WORKING: "",
    Step.PRINTING: "voice_printing",
    Step.TAKE_ITEMS: "",
    Step.MORE_TIME: "voice_more_time",
    Step.HELP_CALLED: "voice_help_called",
    Step.ERROR: "",
    Step.RATING: "voice_rating",
    Step.GOODBYE: "voice_goodbye",
    Step.TECHNICIAN: "",             # staff at work: nothing is said to the lobby
}

TRANSFER_OUTCOME = {"approved": "voice_transfer_approved", "pending": "voice_transfer_pending",
                    "held": "held_for_review"}


@dataclass(frozen=True)
class Speech:
    """One utterance: `key` tells a new utterance from a repeat, `texts` are said in order."""
    key: tuple[Any, ...]
    language: str
    texts: tuple[str, ...]


def _say(language: str, msgid: str, **values: Any) -> str:
    text = translate(language, msgid) if msgid else ""
    return text.format(**values) if values and text else text


def _figures(state: State, accessible: bool) -> list[str]:
    """The step's dynamic part, read in the customer's language."""
    lang, view = state.language, state.view
    if state.step == Step.AMOUNT and view.get("amount_fen"):
        return [_say(lang, "voice_amount_entered({amount})", amount=spoken.money(view["amount_fen"], lang))]
    if state.step == Step.TRANSFER_CONFIRM and view.get("amount_fen") is not None:
        return [_say(lang, "voice_transfer_figures({amount},{fee})",
                     amount=spoken.money(view["amount_fen"], lang),
                     fee=spoken.money(view.get("fee_fen") or 0, lang))]
    if state.step == Step.TRANSFER_RESULT and view.get("amount_fen") and \
            view.get("outcome") == "approved":
        return [_say(lang, "voice_transfer_amount({amount})", amount=spoken.money(view["amount_fen"], lang))]
    if state.step == Step.TICKET_ISSUED and view.get("number"):
        return [_say(lang, "voice_ticket_number({number},{waiting})",
                     number=spoken.digit_by_digit(str(view["number"]), lang),
                     waiting=spoken.count(int(view.get("waiting") or 0), lang))]
    if state.step == Step.MORE_TIME and state.seconds_left is not None:
        return [_say(lang, "voice_seconds_left({seconds})", seconds=spoken.count(state.seconds_left, lang))]
    if state.step == Step.PIN and view.get("tries_left") == 1:
        return [_say(lang, "voice_last_try")]
    if state.step == Step.FRAUD_WARNING:
        return [_say(lang, w) for w in view.get("warnings", ())]
    if state.step == Step.PIN and accessible:
        return [_say(lang, "voice_pin_keypad")]
    if state.step == Step.ACCOUNTS and accessible:
        accounts = view.get("accounts") or []
        selected = view.get("selected") or 0
        if 0 <= selected < len(accounts) and accounts[selected].get("available_fen") is not None:
            return [_say(lang, "voice_available({amount})",
                         amount=spoken.money(accounts[selected]["available_fen"], lang))]
    return []


def _choices(state: State) -> list[str]:
    """The numbered choices read out in the accessible mode ("按1，开始办理。")."""
    lang = state.language
    return [_say(lang, "voice_choice({n},{label})", n=spoken.count(n, lang),
                 label=_say(lang, c.label))
            for n, c in enumerate(choices(state), start=1)]


def _key(state: State) -> tuple[Any, ...]:
    """What makes a state worth saying again: not the countdown ticking or a re-render."""
    view = state.view
    return (state.step, state.language, state.accessible, state.shielded, state.message_id,
            view.get("problem"),
            view.get("outcome"), view.get("amount_fen") if state.step == Step.AMOUNT else None,
            view.get("task"), view.get("selected") if state.step == Step.ACCOUNTS else None)


def speech_for(state: State, *, previous: Speech | None = None) -> Speech | None:
    """The utterance for `state`, or None when it is the one already said (`previous`)."""
    key = _key(state)
    if previous is not None and previous.key == key:
        return None
    lang, accessible = state.language, state.accessible
    if state.shielded:
        return Speech(key, lang, (_say(lang, "voice_onlooker"),))
    texts = []
    if accessible and (previous is None or not previous.key or not previous.key[2]):
        texts.append(_say(lang, "voice_accessible_on"))    # the mode has just been turned on
    texts.append(_say(lang, STEP_PROMPT.get(state.step, "")))
    if state.step == Step.TRANSFER_RESULT:
        texts.append(_say(lang, TRANSFER_OUTCOME.get(state.view.get("outcome", ""), "")))
    if state.message_id and state.message_id != STEP_PROMPT.get(state.step):
        texts.append(_say(lang, state.message_id))
    problem = state.view.get("problem")
    if problem and problem != state.message_id:
        limit = problem_limit_fen(state.view)
        texts.append(_say(lang, problem) if limit is None
                     else _say(lang, problem, limit=spoken.money(limit, lang)))
    if state.step == Step.WORKING and state.view.get("task") and not state.message_id:
        texts.append(_say(lang, state.view["task"]))
    texts += _figures(state, accessible)
    if accessible:
        texts += _choices(state)
    texts = [t for t in texts if t]
    return Speech(key, lang, tuple(texts)) if texts else None


def static_texts(language: str) -> list[str]:
    """Every fixed prompt of `language`, to synthesise once at install or first start."""
    from ..session.messages import DEFAULT_TEXT
    return sorted({translate(language, msgid) for msgid in DEFAULT_TEXT
                   if "{" not in DEFAULT_TEXT[msgid]} - {""})
