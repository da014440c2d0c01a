"""What a screen renders: the session's steps, the view-model of each, and the actions it accepts.

A screen never decides what comes next. It subscribes to the session, renders `State` and
sends actions back with `Session.send(action, **args)`. Every value in `State.view` is plain
data (str, int, bool, list, dict) and already masked: a screen may show any of it. Texts the
bank gives in both languages (transaction descriptions, bank names) are in `language`.

Common to every state (fields of `State`):
- `step`: one of `Step`; `seq`: increases with every new state (screens can ignore repeats);
- `message_id`: the main message (see kiosk/session/messages.py), "" when the step says it all;
- `actions`: the actions accepted now, besides the global ones (`GLOBAL_ACTIONS`);
- `busy`: a worker is running (show progress; `view["progress"]` is 0..1 or None);
- `language`, `elderly`, `page_size` (choices per screen: fewer in elderly mode);
- `suggestion`: a dismissible product suggestion {"id", "message_id"} or None;
- `seconds_left`: for the "need more time?" prompt, else None.

The view keys of every step are listed in `VIEW_KEYS`; tests check every state against it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Step(str, Enum):
    ATTRACT = "attract"                    # idle; language switch, elderly mode, start
    MENU = "menu"                          # service menu with the greeter's triage
    IDENTIFY = "identify"                  # insert card / lay ID card / scan appointment code
    CHOOSE_APPLICATION = "choose_application"  # a card with two applications (debit/credit)
    PIN = "pin"                            # shuffled keypad, masked digits, tries left
    ACCOUNTS = "accounts"                  # account overview with balances (masked numbers)
    TRANSACTIONS = "transactions"          # transaction query: date range and paging
    STATEMENT_PERIOD = "statement_period"  # choose the statement period
    STATEMENT_PREVIEW = "statement_preview"  # opening/closing balance and first lines
    PAYEE = "payee"                        # transfer: choose a saved payee or a new one
    PAYEE_ENTRY = "payee_entry"            # transfer: new payee's account number and name
    PAYEE_CHECK = "payee_check"            # transfer: the bank's masked name, confirm it
    AMOUNT = "amount"                      # transfer: amount keypad with limits and fee
    FRAUD_WARNING = "fraud_warning"        # transfer: anti-fraud warning to acknowledge
    TRANSFER_CONFIRM = "transfer_confirm"  # transfer: summary to confirm
    TRANSFER_RESULT = "transfer_result"    # transfer: approved / declined / pending / held
    LOST_CARD_NUMBER = "lost_card_number"  # lost card: enter the lost card's number
    LOST_CARD_CONFIRM = "lost_card_confirm"  # lost card: confirm the temporary loss report
    LOST_CARD_RESULT = "lost_card_result"  # lost card: reference and expiry of the report
    TICKET_SERVICE = "ticket_service"      # queue ticket: choose the service type
    TICKET_ISSUED = "ticket_issued"        # queue ticket: number, wait, counter form QR
    WORKING = "working"                    # a worker runs (host call, card read): progress
    PRINTING = "printing"                  # a document is printing: progress
    TAKE_ITEMS = "take_items"              # remind: take the receipt and / or the card
    MORE_TIME = "more_time"                # "need more time?" with a countdown
    HELP_CALLED = "help_called"            # staff have been alerted
    ERROR = "error"                        # a failure: message and ways forward
    RATING = "rating"                      # satisfaction rating at the end
    GOODBYE = "goodbye"                    # thanks; returns to attract by itself
    TECHNICIAN = "technician"              # technician mode: customers see "out of service"

    def __str__(self) -> str:
        return self.value


# Always accepted (except help/end on ATTRACT): call staff, end the session, switch language,
# dismiss the suggestion.
GLOBAL_ACTIONS = ("help", "end", "language", "dismiss_suggestion", "accessible", "onlooker",
                  "shield_ok")

# The steps shown only once a customer's session has ended (the session's data is wiped):
# screens drop what they held of that customer.
AFTER_SESSION = (Step.RATING, Step.GOODBYE, Step.ATTRACT)

# Ways forward offered on ERROR (they are also the actions to send).
WAYS_FORWARD = ("retry", "ticket", "call_staff", "end", "back")

VIEW_KEYS: dict[Step, tuple[str, ...]] = {
    # actions: start, language(language="en"|"zh_CN"), elderly(on=bool); ways_in: the ways to
    # begin that work now, a subset of kiosk.device_conditions WAYS_IN (card, idcard, qr, ticket)
    Step.ATTRACT: ("languages", "ways_in"),
    # options: [{"id", "message_id", "where": "here"|"counter"|"wealth_manager"}] (one page);
    # actions: choose(option=id), page(page=n)
    Step.MENU: ("options", "page", "pages"),
    # methods: subset of ("card", "idcard", "qr") whose readers work; purpose: the service
    # chosen; code_problem: "" or "qr_wrong_kind" (a code that is no appointment was shown:
    # the screen says so and keeps watching); actions: back, skip (only when identifying is
    # optional, e.g. queue tickets)
    Step.IDENTIFY: ("methods", "purpose", "code_problem"),
    # applications: [{"index", "label" (the chip's), "message_id" (its name in the catalogs,
    # "" when not known)}]; actions: choose(index=n)
    Step.CHOOSE_APPLICATION: ("applications",),
    # keys: the 10 digits in screen order (reshuffled on each entry), entered: how many
    # digits so far, masked: "●" * entered, tries_left, min_length, max_length, problem
    # (message id, e.g. pin_too_short, or "");
    # actions: digit(key=i), where i is the index into keys (never the digit itself),
    # backspace, clear, ok, back
    Step.PIN: ("keys", "entered", "masked", "tries_left", "min_length", "max_length",
               "problem"),
    # customer_name (masked), accounts: [{"index", "number_masked", "kind", "currency",
    # "balance_fen", "available_fen"}]; actions: choose(option="transactions"|"statement"|
    # "transfer"|"menu"), account(index=n), print (balance slip), done
    Step.ACCOUNTS: ("customer_name", "accounts", "selected"),
    # ranges: preset ids, range: current id, date_from, date_to (ISO), items: [{"posted_at",
    # "description", "amount_fen", "balance_fen", "counterparty_masked"}], page, pages, total;
    # actions: range(range=id), next, previous, back
    Step.TRANSACTIONS: ("ranges", "range", "date_from", "date_to", "items", "page", "pages",
                        "total"),
    # periods: preset ids; actions: choose(period=id), back
    Step.STATEMENT_PERIOD: ("periods", "account_masked"),
    # actions: print, back
    Step.STATEMENT_PREVIEW: ("account_masked", "date_from", "date_to", "opening_fen",
                             "closing_fen", "line_count", "lines"),
    # payees: [{"index", "name_masked", "account_masked", "bank_name"}]; actions:
    # choose(index=n), new, back, page(page=n)
    Step.PAYEE: ("payees", "page", "pages"),
    # account_number/name: what was entered so far (shown to the customer who typed it),
    # problem: message id of the last check that failed or ""; account_length, name_length:
    # {"min", "max"} the session accepts (rules.py);
    # actions: submit(account_number=str, name=str), back
    Step.PAYEE_ENTRY: ("account_number", "name", "problem", "account_length", "name_length"),
    # actions: confirm, back
    Step.PAYEE_CHECK: ("name_masked", "bank_name", "account_masked", "matches"),
    # amount_fen: entered (0 before), limits in fen, problem; fee_schedule {"rate_bp",
    # "min_fen", "max_fen"} and fee_free for its wording; fee_fen: the fee for priced_fen
    # (None for nothing); actions: price(amount_fen=int) (what is typed so far: sets fee_fen,
    # priced_fen), submit(amount_fen=int), back
    Step.AMOUNT: ("amount_fen", "fee_fen", "per_transaction_fen", "remaining_today_fen",
                  "available_fen", "problem", "fee_schedule", "fee_free", "priced_fen"),
    # warnings: message ids to read; min_read_s: acknowledge is refused before that (then
    # problem="fraud_read_first");
    # actions: acknowledge, back
    Step.FRAUD_WARNING: ("warnings", "min_read_s", "problem", "amount_fen", "to_masked",
                         "to_name_masked", "bank_name"),
    # actions: confirm, back
    Step.TRANSFER_CONFIRM: ("from_masked", "to_masked", "to_name_masked", "bank_name",
                            "amount_fen", "fee_fen", "total_fen"),
    # outcome: approved|declined|pending|held; message_id says why when declined;
    # actions: receipt (approved or pending), amount (declined for the amount: change it), done
    Step.TRANSFER_RESULT: ("outcome", "reference", "amount_fen", "fee_fen", "to_masked",
                           "to_name_masked", "bank_name"),
    # id_masked, name_masked of the ID card read; number: digits entered, problem;
    # number_length: {"min", "max"} digits the session accepts;
    # actions: submit(card_number=str), back
    Step.LOST_CARD_NUMBER: ("id_masked", "name_masked", "number", "problem", "number_length"),
    # actions: confirm, back
    Step.LOST_CARD_CONFIRM: ("card_masked", "id_masked", "name_masked"),
    # actions: receipt, done
    Step.LOST_CARD_RESULT: ("reference", "card_masked", "temporary", "expires_on"),
    # services: [{"id", "message_id"}]; actions: choose(service=id), back
    Step.TICKET_SERVICE: ("services", "page", "pages", "vip"),
    # number, service, priority (bool), waiting (people ahead), estimated_wait_min,
    # form_qr: text of the pre-filled counter form's QR; actions: done
    Step.TICKET_ISSUED: ("number", "service", "priority", "waiting", "estimated_wait_min",
                         "form_qr", "printed"),
    # progress 0..1 or None, task: what runs (message id); no actions but the global ones
    Step.WORKING: ("task", "progress"),
    Step.PRINTING: ("document", "progress"),
    # items: subset of ("receipt", "card", "ticket", "idcard"); actions: done
    Step.TAKE_ITEMS: ("items",),
    # returns_to: the step that timed out; actions: more_time, end
    Step.MORE_TIME: ("returns_to",),
    # reference: the call's number (digits) or "" when staff could not be called;
    # actions: done (back to where help was pressed), cancel (the call, when one was made)
    Step.HELP_CALLED: ("reference",),
    # ways: WAYS_FORWARD subset, in order of preference; detail: extra message id or ""
    Step.ERROR: ("ways", "detail"),
    # scale: 1..5; actions: rate(score=n), skip
    Step.RATING: ("scale",),
    Step.GOODBYE: (),
    # phase: "pin" (PIN prompt) or "open"; via: "card 622202******0117" or "corner tl";
    # tries_left, locked_for_s (PIN prompt), checking (a PIN check or action runs), devices:
    # names a technician may act on, out_of_service: those of them marked out of service,
    # result: the last self-test or action's line, log: lines, bundle: the last diagnostics
    # bundle's path;
    # actions: pin(pin=str), self_test(device=name), device(device=name, do=reset|
    # out_of_service|in_service|paper_roll_changed), log, export, exit
    Step.TECHNICIAN: ("phase", "via", "tries_left", "locked_for_s", "checking", "devices",
                      "out_of_service", "result", "log", "bundle"),
}


@dataclass(frozen=True)
class State:
    """One immutable snapshot for the screens."""
    step: Step
    seq: int = 0
    message_id: str = ""
    view: dict[str, Any] = field(default_factory=dict)
    actions: tuple[str, ...] = ()
    busy: bool = False
    language: str = "zh_CN"
    elderly: bool = False
    accessible: bool = False    # spoken guidance, numbered choices, fixed PIN pad
    shielded: bool = False      # someone may be looking: PIN pad and balances hidden
    page_size: int = 6
    suggestion: dict[str, str] | None = None
    seconds_left: int | None = None

    def accepts(self, action: str) -> bool:
        return action in self.actions or action in GLOBAL_ACTIONS
