"""The end of a visit: take your things (card, receipt, ticket), rate the service, thank you,
then the attract screen for the next customer."""
from __future__ import annotations

from typing import Callable

from .context import SessionContext
from .engine import StepEngine
from .states import Step

GOODBYE_S = 5.0        # how long the thank-you shows before the attract screen
TAKE_MESSAGES = {("receipt", "card"): "take_receipt_and_card", ("receipt",): "take_receipt",
                 ("card",): "take_card", ("ticket",): "take_ticket",
                 ("ticket", "card"): "take_card"}


class Lifecycle(SessionContext):
    def end(self, reason: str) -> None: ...


class Farewell:
    def __init__(self, session: Lifecycle, engine: StepEngine, attract: Callable[[], None]):
        self.s = session
        self._engine = engine
        self._attract = attract

    def finish(self, items: tuple[str, ...]) -> None:
        """The service is done: remind the customer to take their things, then end."""
        items = tuple(items) + (("card",) if self.s.card_inside else ())
        if not items:
            self.s.end("done")
            return
        self._remind(items, lambda: self.s.end("done"))

    def close(self, rate: bool, reason: str) -> None:
        """The customer's data is gone (the session ended for `reason`): the card back if it is
        still in, then rate or goodbye."""
        message_id = {"timeout": "session_timed_out", "card_removed": "card_removed",
                      "idcard_removed": "idcard_removed"}.get(reason, "thank_you")
        def close() -> None:
            if rate:
                self.s.show(Step.RATING, message_id="rate_service",
                            on={"rate": self._rate, "skip": self._goodbye,
                                "timeout": self._goodbye},
                            timeout=self.s.idle_timeout_s, scale=[1, 2, 3, 4, 5])
            else:
                self._goodbye(message_id)

        if self.s.card_inside and message_id != "card_removed":
            # Ended with the card still in (the customer pressed end, or walked away):
            # remind them to take the card, then close.
            self._remind(("card",), close)
        else:
            close()

    def took(self, item: str) -> None:
        """The customer took `item` while reminded to: the reminder shrinks or is done."""
        items = [i for i in self.s.state.view.get("items", []) if i != item]
        if not items:
            done = self._engine.handler("done")
            if done is not None:
                done()
            return
        self._engine.reshow(view={"items": items},
                            message_id=TAKE_MESSAGES.get(tuple(items), "take_receipt"))

    def _remind(self, items: tuple[str, ...], then: Callable[[], None]) -> None:
        self.s.show(Step.TAKE_ITEMS, message_id=TAKE_MESSAGES.get(items, "take_receipt"),
                    on={"done": then, "timeout": then}, timeout=self.s.idle_timeout_s,
                    items=list(items))

    def _rate(self, score: int = 0) -> None:
        if not 1 <= int(score) <= 5:
            return
        self.s.journal("session.rating", score=int(score))
        self._goodbye()

    def _goodbye(self, message_id: str = "thank_you") -> None:
        self.s.show(Step.GOODBYE, message_id=message_id, timeout=GOODBYE_S,
                    on={"timeout": self._attract})
