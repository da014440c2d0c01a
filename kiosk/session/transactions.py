"""Transaction query: a date range chosen from presets, shown a page at a time."""
from __future__ import annotations

import datetime as dt
from typing import Any

from .accounts import AccountsMixin
from .flow import Flow
from ..paging import page_count
from .services import host
from .states import Step

RANGES: dict[str, int] = {"7_days": 7, "30_days": 30, "90_days": 90, "365_days": 365}


def transaction_view(item: Any) -> dict[str, Any]:
    return {"posted_at": item.posted_at.isoformat(timespec="minutes"),
            "description": item.descriptions, "amount_fen": item.amount_fen,
            "balance_fen": item.balance_fen, "counterparty_masked": item.counterparty_masked}


class TransactionsFlow(AccountsMixin, Flow):
    name = "transactions"
    needs = "card_pin"

    def start(self) -> None:
        self.range = "30_days"
        self.load_accounts()

    def with_accounts(self) -> None:
        self.query(1)

    def query(self, page: int) -> None:
        today = dt.date.today()
        date_from = today - dt.timedelta(days=RANGES[self.range] - 1)
        account_id = self.account.account_id
        size = self.s.page_size

        def job() -> Any:
            return host(self.s).transactions(account_id, date_from, today, page=page,
                                             page_size=size)

        self.s.work("loading_transactions", job,
                    lambda result: self.show(result, date_from, today),
                    retry=lambda: self.query(page))

    def show(self, result: Any, date_from: dt.date, date_to: dt.date) -> None:
        pages = page_count(result.total, result.page_size)
        page = result.page
        on = {"range": self.choose_range, "back": self._back}
        if page < pages:
            on["next"] = lambda: self.query(page + 1)
        if page > 1:
            on["previous"] = lambda: self.query(page - 1)
        self.s.show(Step.TRANSACTIONS,
                    message_id="" if result.total else "no_transactions", on=on,
                    ranges=list(RANGES), range=self.range, date_from=date_from.isoformat(),
                    date_to=date_to.isoformat(), items=[transaction_view(t) for t in result.items],
                    page=page, pages=pages, total=result.total)

    def choose_range(self, range: str = "") -> None:
        if range in RANGES:
            self.range = range
            self.query(1)

    def _back(self) -> None:
        self.s.start_flow("balance")
