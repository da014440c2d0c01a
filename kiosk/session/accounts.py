"""Account overview: the customer's accounts with balances, and a balance slip on request."""
from __future__ import annotations

from typing import Any

from drivers.privacy import mask_name
from .flow import Flow
from .printing import new_reference, print_document, slip_context
from .services import host
from .states import Step


def account_view(index: int, account: Any) -> dict[str, Any]:
    return {"index": index, "number_masked": account.number_masked, "kind": account.kind,
            "currency": account.currency, "balance_fen": account.balance_fen,
            "available_fen": account.available_fen}


class AccountsMixin:
    """Loads the card's accounts once per session, then calls `with_accounts()`."""

    def load_accounts(self: Any) -> None:
        if self.data.accounts:
            self.with_accounts()
            return
        pan = self.data.pan

        def loaded(accounts: list[Any]) -> None:
            self.data.accounts = list(accounts)
            self.with_accounts()

        self.s.work("loading_accounts", lambda: host(self.s).accounts(pan), loaded,
                    retry=self.start)

    @property
    def account(self: Any) -> Any:
        accounts = self.data.accounts
        return accounts[min(self.data.selected_account, len(accounts) - 1)]


class AccountsFlow(AccountsMixin, Flow):
    name = "balance"
    needs = "card_pin"

    def start(self) -> None:
        self.load_accounts()

    def with_accounts(self) -> None:
        accounts = self.data.accounts
        idle = max((a.available_fen for a in accounts), default=0)
        if idle >= self.s.config.ui.deposit_suggestion_fen:
            self.s.suggest("deposit", "suggest_deposit")

        def choose(option: str = "") -> None:
            if option == "menu":
                self.s.show_menu()
            elif option in ("transactions", "statement", "transfer"):
                self.s.start_flow(option)

        def select(index: int = 0) -> None:
            if 0 <= int(index) < len(accounts):
                self.data.selected_account = int(index)
                self.s.update(selected=int(index))

        self.s.show(Step.ACCOUNTS, message_id="your_accounts",
                    on={"choose": choose, "account": select, "print": self.print_balance,
                        "done": lambda: self.s.finish()},
                    customer_name=mask_name(self.data.display_name),
                    accounts=[account_view(i, a) for i, a in enumerate(accounts)],
                    selected=self.data.selected_account)

    def print_balance(self) -> None:
        from ..documents.balance import balance_slip
        document = balance_slip(self.account, new_reference(), slip_context(self.s))
        print_document(self.s, document, "printing_receipt")
