"""Statement printing: choose a period, preview it, print it with progress, take it and the card."""
from __future__ import annotations

import datetime as dt
from typing import Any

from .accounts import AccountsMixin
from .flow import Flow
from .printing import new_reference, print_document, slip_context
from .services import host
from .states import Step
from .transactions import transaction_view

PERIODS = ("last_month", "last_3_months", "this_year", "last_year")
PREVIEW_LINES = 3           # the first lines of a statement, shown before printing


def period_dates(period: str, today: dt.date) -> tuple[dt.date, dt.date]:
    first_this_month = today.replace(day=1)
    if period == "last_month":
        end = first_this_month - dt.timedelta(days=1)
        return end.replace(day=1), end
    if period == "last_3_months":
        start = first_this_month
        for _ in range(3):
            start = (start - dt.timedelta(days=1)).replace(day=1)
        return start, first_this_month - dt.timedelta(days=1)
    if period == "this_year":
        return today.replace(month=1, day=1), today
    if period == "last_year":
        return dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
    raise ValueError(f"no statement period {period!r}")


class StatementFlow(AccountsMixin, Flow):
    name = "statement"
    needs = "card_pin"

    def start(self) -> None:
        self.load_accounts()

    def with_accounts(self) -> None:
        self.s.show(Step.STATEMENT_PERIOD, message_id="choose_statement_period",
                    on={"choose": self.choose, "back": lambda: self.s.start_flow("balance")},
                    periods=list(PERIODS), account_masked=self.account.number_masked)

    def choose(self, period: str = "") -> None:
        if period not in PERIODS:
            return
        date_from, date_to = period_dates(period, dt.date.today())
        account_id = self.account.account_id
        self.s.work("loading_statement",
                    lambda: host(self.s).statement(account_id, date_from, date_to),
                    self.preview, retry=lambda: self.choose(period))

    def preview(self, statement: Any) -> None:
        self.statement = statement
        self.s.show(Step.STATEMENT_PREVIEW, message_id="statement_preview",
                    on={"print": self.print, "back": self.with_accounts},
                    account_masked=statement.account.number_masked,
                    date_from=statement.date_from.isoformat(),
                    date_to=statement.date_to.isoformat(), opening_fen=statement.opening_fen,
                    closing_fen=statement.closing_fen, line_count=len(statement.lines),
                    lines=[transaction_view(t) for t in statement.lines[:PREVIEW_LINES]])

    def print(self) -> None:
        from ..documents.statement import account_statement
        document = account_statement(self.statement, new_reference(), slip_context(self.s),
                                     language=self.s.state.language)
        self.s.journal("statement.issued", account=self.statement.account.number_masked,
                       reference=document.reference, pages=len(document.pages))
        print_document(self.s, document, "printing_statement")
