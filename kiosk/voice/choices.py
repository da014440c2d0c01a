"""The choices of a step as a numbered list, for the accessible mode: the voice reads them
("按1，余额查询") and the keypad's digit n sends choice n. Only actions the state accepts
now are listed; labels are the screen's own message ids, so what is heard is what is shown.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..session.states import State, Step


@dataclass(frozen=True)
class Choice:
    label: str                           # a message id of the catalogs
    action: str
    args: dict[str, Any] = field(default_factory=dict)


# Plain actions of each step, in the order they are read, with their screen labels.
ACTION_LABELS: dict[Step, tuple[tuple[str, str], ...]] = {
    Step.ATTRACT: (("start", "Start"),),
    Step.MENU: (("end", "Finish"),),
    Step.IDENTIFY: (("skip", "Continue without"), ("back", "Back")),
    Step.ACCOUNTS: (("print", "choice_print_balance"), ("done", "choice_finish")),
    Step.TRANSACTIONS: (("next", "Next"), ("previous", "Previous"), ("back", "Back")),
    Step.STATEMENT_PERIOD: (("back", "Back"),),
    Step.STATEMENT_PREVIEW: (("print", "Print statement"), ("back", "Back")),
    Step.FRAUD_WARNING: (("back", "Stop the transfer"), ("acknowledge", "I have read this, continue")),
    Step.TRANSFER_CONFIRM: (("confirm", "Confirm transfer"), ("back", "Back")),
    Step.TRANSFER_RESULT: (("receipt", "Print receipt"), ("done", "Done")),
    Step.TICKET_ISSUED: (("done", "Done"),),
    Step.TAKE_ITEMS: (("done", "Done"),),
    Step.MORE_TIME: (("more_time", "Yes, more time"), ("end", "End now")),
    Step.HELP_CALLED: (("done", "Back to where I was"),),
    Step.RATING: (("skip", "Skip"),),
    Step.LOST_CARD_CONFIRM: (("confirm", "Block this card"), ("back", "Back")),
    Step.LOST_CARD_RESULT: (("receipt", "Print receipt"), ("done", "Done")),
    Step.PAYEE_CHECK: (("confirm", "Yes, this is the payee"), ("back", "No, go back")),
    Step.CHOOSE_APPLICATION: (),
}

ACCOUNT_OPTIONS = (("transactions", "Transactions"), ("statement", "Statement"),
                   ("transfer", "Transfer"), ("menu", "Other services"))
RATING_LABELS = ("Very poor", "Poor", "Average", "Good", "Very good")   # screens/rating.py


def _listed(state: State) -> list[Choice]:
    """Choices that come from the view (services, accounts' options, periods, ways...)."""
    view, step = state.view, state.step
    if step == Step.MENU:
        out = [Choice(o["message_id"], "choose", {"option": o["id"]})
               for o in view.get("options", [])]
        if view.get("page", 1) < view.get("pages", 1):
            out.append(Choice("More services", "page", {"page": view["page"] + 1}))
        if view.get("page", 1) > 1:
            out.append(Choice("Previous", "page", {"page": view["page"] - 1}))
        return out
    if step == Step.ACCOUNTS:
        return [Choice(label, "choose", {"option": option}) for option, label in ACCOUNT_OPTIONS]
    if step == Step.STATEMENT_PERIOD:
        return [Choice(f"period_{p}", "choose", {"period": p}) for p in view.get("periods", [])]
    if step == Step.TICKET_SERVICE:
        return [Choice(s["message_id"], "choose", {"service": s["id"]})
                for s in view.get("services", [])]
    if step == Step.CHOOSE_APPLICATION:
        return [Choice(a["label"], "choose", {"index": a["index"]})
                for a in view.get("applications", [])]
    if step == Step.ERROR:
        return [Choice(f"way_{way}", way) for way in view.get("ways", [])]
    if step == Step.RATING:
        return [Choice(label, "rate", {"score": score})
                for score, label in zip(range(5, 0, -1), reversed(RATING_LABELS))]
    return []


def choices(state: State) -> list[Choice]:
    """The numbered choices of `state` (choice 1 first), only those it accepts now."""
    out = [c for c in _listed(state) if state.accepts(c.action)]
    out += [Choice(label, action) for action, label in ACTION_LABELS.get(state.step, ())
            if state.accepts(action)]
    return out[:9]                         # one digit a choice
