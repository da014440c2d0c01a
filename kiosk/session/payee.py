"""The payee of a transfer: a saved one from the host's list, or a new one typed in (account
number checks, then the bank's own check of the name on the account)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from drivers.privacy import mask_number

from .context import SessionContext
from .customer import CustomerData
from .failures import describe
from .rules import ACCOUNT_NUMBER, PAYEE_NAME, account_number_problem
from .services import host
from .states import Step


class PayeeSteps:
    """The payee steps of the transfer flow; `ask_amount()` follows a confirmed payee."""
    s: SessionContext
    data: CustomerData
    payees: list[Any]
    saved_payee: bool

    if TYPE_CHECKING:  # from Flow and TransferFlow
        def page(self, items: list[Any], page: int) -> tuple[list[Any], int, int]: ...

        def ask_amount(self, amount_fen: int = 0, problem: str = "") -> None: ...

    # -- payee -----------------------------------------------------------------------------
    def show_payees(self, payees: list[Any], page: int = 1) -> None:
        self.payees = payees
        self.saved_payee = False
        if not payees:
            self.enter_payee()
            return
        rows = [{"index": i, "name_masked": p.name_masked, "account_masked": p.account_masked,
                 "bank_name": p.bank} for i, p in enumerate(payees)]
        shown, page, pages = self.page(rows, page)

        def choose(index: int = -1) -> None:
            if 0 <= int(index) < len(payees):
                chosen = payees[int(index)]
                self.saved_payee = True
                self.check_payee(chosen.account_number, chosen.name)

        self.s.show(Step.PAYEE, message_id="choose_payee",
                    on={"choose": choose, "new": self.enter_payee, "back": self._back,
                        "page": lambda page=1: self.show_payees(payees, int(page))},
                    payees=shown, page=page, pages=pages)

    def _back(self) -> None:
        self.s.show_menu()

    def enter_payee(self, account_number: str = "", name: str = "", problem: str = "") -> None:
        if self.saved_payee:
            # A saved payee's number was not typed now: the entry screen does not show it.
            account_number, name, self.saved_payee = "", "", False
        self.s.show(Step.PAYEE_ENTRY, message_id="enter_payee",
                    on={"submit": self.submit_payee,
                        "back": (lambda: self.show_payees(self.payees)) if self.payees
                        else self._back},
                    account_number=account_number, name=name, problem=problem,
                    account_length=ACCOUNT_NUMBER.view(), name_length=PAYEE_NAME.view())

    def submit_payee(self, account_number: str = "", name: str = "") -> None:
        number = "".join(str(account_number).split())
        name = str(name).strip()
        problem = account_number_problem(number, self.data.pan)
        if not problem and not name:
            problem = "payee_name_missing"
        if problem:
            self.enter_payee(number, name, problem)
            return
        self.check_payee(number, name)

    def check_payee(self, number: str, name: str) -> None:
        def checked(result: Any) -> None:
            if not result.matches:
                self.s.journal("payee.mismatch", payee=mask_number(number))
                self.enter_payee(number, name, "payee_name_mismatch")
                return
            self.data.payee_account, self.data.payee_name = number, name
            self.data.payee_check = result
            self.s.show(Step.PAYEE_CHECK, message_id="confirm_payee",
                        on={"confirm": self.ask_amount, "back": self.back_to_payee},
                        name_masked=result.name_masked, bank_name=result.bank,
                        account_masked=mask_number(number), matches=True)

        def failed(exc: BaseException) -> None:
            if getattr(exc, "reason", "") == "payee_unknown":
                self.enter_payee(number, name, "payee_unknown")
            else:
                self.s.fail(describe(exc), retry=lambda: self.check_payee(number, name))

        self.s.work("checking_payee", lambda: host(self.s).verify_payee(number, name), checked,
                    failed=failed)

    def back_to_payee(self) -> None:
        if self.saved_payee:
            self.show_payees(self.payees)
        else:
            self.enter_payee(self.data.payee_account, self.data.payee_name)
