"""Hand-made states of every screen, with invented data, for the UI bench (bench/ui.py), which
shows each state again and again to time it. The tour itself renders only states the session
reaches (journeys.py). The states are built like the session builds them (VIEW_KEYS)."""
from __future__ import annotations

import logging
from typing import Any

from kiosk.host.models import FeeSchedule
from kiosk.session.rules import ACCOUNT_NUMBER, CARD_NUMBER, PAYEE_NAME, fee_view
from kiosk.session.statement import PREVIEW_LINES
from kiosk.session.states import State, Step

log = logging.getLogger(__name__)

ACCOUNTS = [
    {"index": 0, "number_masked": "622202*********0018", "kind": "debit", "currency": "CNY",
     "balance_fen": 5_234_000, "available_fen": 5_234_000},
    {"index": 1, "number_masked": "622202*********7731", "kind": "savings", "currency": "CNY",
     "balance_fen": 12_000_000, "available_fen": 11_500_000},
]
TRANSACTIONS = [
    {"posted_at": "2026-11-25T10:12:00", "description": "工资 Salary", "amount_fen": 1_250_000,
     "balance_fen": 5_234_000, "counterparty_masked": ""},
    {"posted_at": "2026-11-22T18:40:00", "description": "超市 Supermarket", "amount_fen": -32_650,
     "balance_fen": 3_984_000, "counterparty_masked": ""},
    {"posted_at": "2026-11-20T09:05:00", "description": "转账 Transfer", "amount_fen": -200_000,
     "balance_fen": 4_016_650, "counterparty_masked": "625965*********0025"},
    {"posted_at": "2026-11-18T12:30:00", "description": "水电费 Utilities", "amount_fen": -18_420,
     "balance_fen": 4_216_650, "counterparty_masked": ""},
    {"posted_at": "2026-11-15T08:00:00", "description": "利息 Interest", "amount_fen": 1_530,
     "balance_fen": 4_235_070, "counterparty_masked": ""},
]


def _menu_options(page: int, size: int) -> tuple[list[dict[str, str]], int]:
    from kiosk.session.menu import MENU
    options, _, pages = MENU.page(page, size)
    return options, pages


def tour_states(language: str = "zh_CN", elderly: bool = False) -> list[tuple[str, State]]:
    """(file stem, state) for every screen and the states worth seeing apart."""
    page_size = 4 if elderly else 6
    shots: list[tuple[str, State]] = []

    def add(stem: str, step: Step, message_id: str = "", actions: tuple[str, ...] = (),
            suggestion: dict[str, str] | None = None, seconds_left: int | None = None,
            **view: Any) -> None:
        shots.append((stem, State(step, seq=len(shots) + 1, message_id=message_id, view=view,
                                  actions=actions, language=language, elderly=elderly,
                                  page_size=page_size, suggestion=suggestion,
                                  seconds_left=seconds_left)))

    add("attract", Step.ATTRACT, "welcome", ("start", "elderly"), languages=["zh_CN", "en"])
    add("attract_out_of_service", Step.ATTRACT, "out_of_service_staff",
        ("in_service", "corner_press"), languages=["zh_CN", "en"])
    options, pages = _menu_options(1, page_size)
    add("menu", Step.MENU, "choose_service", ("choose", "page"), options=options, page=1,
        pages=pages)
    options, pages = _menu_options(pages, page_size)
    add("menu_counter", Step.MENU, "choose_service", ("choose", "page"), options=options,
        page=pages, pages=pages)
    add("identify_card", Step.IDENTIFY, "identify_card", ("back",), methods=["card"],
        purpose="balance")
    add("identify_any", Step.IDENTIFY, "identify_optional", ("back", "skip"),
        methods=["card", "idcard", "qr"], purpose="ticket")
    add("identify_qr_wrong_kind", Step.IDENTIFY, "identify_optional", ("back", "skip"),
        methods=["idcard", "qr"], purpose="ticket", code_problem="qr_wrong_kind")
    add("choose_application", Step.CHOOSE_APPLICATION, "choose_card_application", ("choose",),
        applications=[{"index": 0, "label": "UnionPay Debit"},
                      {"index": 1, "label": "UnionPay Credit"}])
    keys = [7, 2, 9, 0, 4, 1, 8, 5, 3, 6]
    add("pin", Step.PIN, "enter_pin", ("digit", "backspace", "clear", "ok", "back"), keys=keys,
        entered=3, masked="●●●", tries_left=3, min_length=6, max_length=6, problem="")
    add("pin_wrong", Step.PIN, "pin_wrong", ("digit", "backspace", "clear", "ok", "back"),
        keys=list(reversed(keys)), entered=0, masked="", tries_left=1, min_length=6,
        max_length=6, problem="")
    add("accounts", Step.ACCOUNTS, "your_accounts", ("choose", "account", "print", "done"),
        suggestion={"id": "deposit", "message_id": "suggest_deposit"},
        customer_name="测*甲", accounts=ACCOUNTS, selected=0)
    add("transactions", Step.TRANSACTIONS, "", ("range", "next", "previous", "back"),
        ranges=["7_days", "30_days", "90_days", "365_days"], range="30_days",
        date_from="2026-10-30", date_to="2026-11-28", items=TRANSACTIONS[:page_size],
        page=1, pages=3, total=14)
    add("transactions_empty", Step.TRANSACTIONS, "no_transactions", ("range", "back"),
        ranges=["7_days", "30_days", "90_days", "365_days"], range="7_days",
        date_from="2026-11-22", date_to="2026-11-28", items=[], page=1, pages=1, total=0)
    add("statement_period", Step.STATEMENT_PERIOD, "choose_statement_period",
        ("choose", "back"), periods=["last_month", "last_3_months", "this_year", "last_year"],
        account_masked=ACCOUNTS[0]["number_masked"])
    add("statement_preview", Step.STATEMENT_PREVIEW, "statement_preview", ("print", "back"),
        account_masked=ACCOUNTS[0]["number_masked"], date_from="2026-10-01",
        date_to="2026-10-31", opening_fen=3_902_000, closing_fen=4_235_070, line_count=23,
        lines=[dict(t, posted_at=t["posted_at"].replace("-11-", "-10-"))
               for t in TRANSACTIONS[:PREVIEW_LINES]])
    add("printing_statement", Step.PRINTING, "printing_statement", (), document="statement",
        progress=0.6)
    add("take_receipt_and_card", Step.TAKE_ITEMS, "take_receipt_and_card", ("done",),
        suggestion={"id": "deposit", "message_id": "suggest_deposit"},
        items=["receipt", "card"])
    add("payee", Step.PAYEE, "choose_payee", ("choose", "new", "back", "page"),
        payees=[{"index": 0, "name_masked": "测*乙", "account_masked": "625965*********0025",
                 "bank_name": "示例银行"},
                {"index": 1, "name_masked": "测*丙", "account_masked": "622202*********0034",
                 "bank_name": "示例银行"}], page=1, pages=1)
    entry_rules = {"account_length": ACCOUNT_NUMBER.view(), "name_length": PAYEE_NAME.view()}
    add("payee_entry", Step.PAYEE_ENTRY, "enter_payee", ("submit", "back"),
        account_number="6259650000000000025", name="测试乙", problem="", **entry_rules)
    add("payee_entry_problem", Step.PAYEE_ENTRY, "enter_payee", ("submit", "back"),
        account_number="6222020000000000", name="", problem="account_number_invalid",
        **entry_rules)
    add("payee_check", Step.PAYEE_CHECK, "confirm_payee", ("confirm", "back"),
        name_masked="测*乙", bank_name="中国建设银行", account_masked="625965*********0025",
        matches=True)
    interbank = FeeSchedule(rate_bp=5, min_fen=200, max_fen=2_500)
    add("amount", Step.AMOUNT, "enter_amount", ("submit", "back"), amount_fen=0,
        **fee_view(interbank, 0), per_transaction_fen=5_000_000, remaining_today_fen=10_000_000,
        available_fen=5_234_000, problem="")
    add("amount_over", Step.AMOUNT, "enter_amount", ("submit", "back"), amount_fen=6_000_000,
        **fee_view(interbank, 6_000_000), per_transaction_fen=5_000_000,
        remaining_today_fen=10_000_000, available_fen=5_234_000,
        problem="amount_over_transaction_limit")
    add("fraud_warning", Step.FRAUD_WARNING, "fraud_warning", ("acknowledge", "back"),
        warnings=["fraud_warning", "fraud_warning_stranger", "fraud_warning_large"],
        min_read_s=0, problem="", amount_fen=5_000_000, to_masked="625965*********0025",
        to_name_masked="测*乙", bank_name="中国建设银行")
    add("transfer_confirm", Step.TRANSFER_CONFIRM, "confirm_transfer", ("confirm", "back"),
        from_masked=ACCOUNTS[0]["number_masked"], to_masked="625965*********0025",
        to_name_masked="测*乙", bank_name="中国建设银行", amount_fen=200_000, fee_fen=200,
        total_fen=200_200)
    add("sending_transfer", Step.WORKING, "sending_transfer", (), task="sending_transfer",
        progress=None)
    for outcome, message in (("approved", "transfer_approved"), ("declined", "insufficient_funds"),
                             ("pending", "transfer_pending"), ("held", "transfer_held")):
        add(f"transfer_{outcome}", Step.TRANSFER_RESULT, message,
            ("receipt", "done") if outcome in ("approved", "pending") else ("done",),
            suggestion={"id": "mobile", "message_id": "suggest_mobile_banking"}
            if outcome == "approved" else None,
            outcome=outcome, reference="331208000142" if outcome == "approved" else "",
            amount_fen=200_000, fee_fen=200, to_masked="625965*********0025",
            to_name_masked="测*乙", bank_name="中国建设银行")
    add("lost_card_identify", Step.IDENTIFY, "identify_idcard", ("back",), methods=["idcard"],
        purpose="lost_card")
    add("lost_card_number", Step.LOST_CARD_NUMBER, "enter_lost_card_number", ("submit", "back"),
        id_masked="110101********1030", name_masked="测*甲", number="622202000000000",
        problem="", number_length=CARD_NUMBER.view())
    add("lost_card_confirm", Step.LOST_CARD_CONFIRM, "lost_card_confirm", ("confirm", "back"),
        card_masked="622202*********0018", id_masked="110101********1030", name_masked="测*甲")
    add("lost_card_result", Step.LOST_CARD_RESULT, "lost_card_reported", ("receipt", "done"),
        reference="LC20261128001", card_masked="622202*********0018", temporary=True,
        expires_on="2026-12-03")
    add("ticket_service", Step.TICKET_SERVICE, "choose_ticket_service", ("choose", "back"),
        services=[{"id": "general", "message_id": "ticket_general"},
                  {"id": "business", "message_id": "ticket_business"},
                  {"id": "wealth", "message_id": "ticket_wealth"}], page=1, pages=1, vip=True)
    add("ticket_issued", Step.TICKET_ISSUED, "ticket_issued", ("done",), number="V012",
        service="wealth", priority=True, waiting=2, estimated_wait_min=6,
        form_qr="KIOSKFORM|v1|KSK-0001|V012|wealth|622202*********0018", printed=True)
    add("working", Step.WORKING, "loading_accounts", (), task="loading_accounts",
        progress=None)
    add("more_time", Step.MORE_TIME, "more_time", ("more_time", "end"), seconds_left=20,
        returns_to="amount")
    add("help_called", Step.HELP_CALLED, "help_called", ("done", "cancel"), reference="0427")
    add("error_host", Step.ERROR, "host_unavailable", ("retry", "ticket", "call_staff", "end"),
        ways=["retry", "ticket", "call_staff", "end"], detail="")
    add("error_paper_out", Step.ERROR, "printer_out_of_paper", ("call_staff", "end"),
        ways=["call_staff", "end"], detail="")
    add("rating", Step.RATING, "rate_service", ("rate", "skip"), scale=[1, 2, 3, 4, 5])
    add("goodbye", Step.GOODBYE, "thank_you", ())
    technician = {"via": "corner tl", "checking": False, "tries_left": 4, "locked_for_s": 0,
                  "devices": ["chipcard", "idcard", "printer", "camera", "scanner"],
                  "result": "", "log": [], "bundle": ""}
    add("technician_pin", Step.TECHNICIAN, "out_of_service", ("pin", "exit", "end"),
        **{**technician, "phase": "pin"})
    add("technician_panels", Step.TECHNICIAN, "out_of_service",
        ("self_test", "device", "log", "export", "exit", "end"),
        **{**technician, "phase": "open",
           "result": "printer: OK — test page printed (1 page(s)); paper full"})
    return shots
