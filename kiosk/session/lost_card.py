"""Lost card report: the ID card says who the customer is, they key in the lost card's number,
the host blocks it temporarily (a loss report), and a receipt carries the reference."""
from __future__ import annotations

from typing import Any

from drivers.privacy import mask_name, mask_number
from .failures import Failure, describe
from .flow import Flow
from .printing import new_reference, print_document, slip_context
from .rules import CARD_NUMBER, card_number_problem
from .services import host
from .states import Step


def loss_receipt(report: Any, card_masked: str, id_masked: str, ctx: Any) -> Any:
    from drivers.printer.document import Document, Page, Pair, Text
    from ..documents.format import day, label
    from ..documents.slip import header, reference_footer
    blocks = header("临时挂失回执", "Lost Card Report", ctx) + [
        Pair(label("卡号", "Card"), card_masked),
        Pair(label("证件号", "ID"), id_masked),
        Pair(label("挂失类型", "Type"), label("临时挂失", "Temporary") if report.temporary
             else label("正式挂失", "Permanent")),
        Pair(label("有效期至", "Valid until"), day(report.expires_on)),
        Text("请在有效期内到柜台办理正式挂失或补卡", align="center"),
        Text("Visit the counter before then to confirm or replace the card", align="center"),
    ] + reference_footer(report.reference)
    return Document("receipt", report.reference or new_reference(), (Page(tuple(blocks)),))


class LostCardFlow(Flow):
    name = "lost_card"
    needs = "idcard"

    def start(self) -> None:
        self.holds_idcard = True
        self.ask_number()

    def ask_number(self, number: str = "", problem: str = "") -> None:
        record = self.data.id_record
        self.s.show(Step.LOST_CARD_NUMBER, message_id="enter_lost_card_number",
                    on={"submit": self.submit, "back": self._back},
                    id_masked=record.id_masked if record else "",
                    name_masked=mask_name(self.data.id_name), number=number, problem=problem,
                    number_length=CARD_NUMBER.view())

    def _back(self) -> None:
        self.holds_idcard = False
        self.s.show_menu()

    def submit(self, card_number: str = "") -> None:
        number = "".join(ch for ch in str(card_number) if ch.isdigit())
        problem = card_number_problem(number)
        if problem:
            self.ask_number(number, problem)
            return
        self.data.lost_card_number = number
        record = self.data.id_record
        self.s.show(Step.LOST_CARD_CONFIRM, message_id="lost_card_confirm",
                    on={"confirm": self.report, "back": lambda: self.ask_number(number)},
                    card_masked=mask_number(number), id_masked=record.id_masked,
                    name_masked=mask_name(self.data.id_name))

    def report(self) -> None:
        pan, id_number = self.data.lost_card_number, self.data.id_number

        def failed(exc: BaseException) -> None:
            if getattr(exc, "reason", "") == "id_mismatch":
                self.s.fail(Failure("lost_card_not_yours", ("back", "ticket", "end")))
            else:
                self.s.fail(describe(exc), retry=self.report)

        self.s.work("reporting_lost_card", lambda: host(self.s).report_lost(pan, id_number),
                    self.reported, failed=failed)

    def reported(self, report: Any) -> None:
        self.holds_idcard = False
        self.data.loss_report = report
        card_masked = mask_number(self.data.lost_card_number)
        self.s.journal("lost_card.reported", reference=report.reference, card=card_masked,
                       temporary=report.temporary, expires_on=report.expires_on.isoformat())
        self.s.show(Step.LOST_CARD_RESULT, message_id="lost_card_reported",
                    on={"receipt": self.print_receipt, "done": lambda: self.s.finish()},
                    reference=report.reference, card_masked=card_masked,
                    temporary=report.temporary, expires_on=report.expires_on.isoformat())

    def print_receipt(self) -> None:
        document = loss_receipt(self.data.loss_report, mask_number(self.data.lost_card_number),
                                self.data.id_record.id_masked, slip_context(self.s))
        print_document(self.s, document, "printing_receipt")
