"""The tour's journeys: what customers (and a technician) really do at the kiosk, scripted on a
DrivenKiosk (emulated devices, sandbox bank), with a shot wherever a screen is worth seeing.
Every shot waits until the session itself is in the step the script names, so each picture is a
state a customer can reach, and its figures are the bank's.

A journey's script takes a Walk: `walk.kiosk` to drive, `walk.shot(name, step)` to record."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from kiosk.session.states import Step

from .harness import TECHNICIAN_PIN, DrivenKiosk, plain

DEBIT = "unionpay_debit"
SAME_BANK_PAYEE = "6222020000000000034"      # 测试丙's debit card at this bank
OTHER_BANK_PAYEE = "6217000000000000012"     # 张测试 at 中国建设银行 (the sandbox's other bank)


@dataclass(frozen=True)
class Shot:
    """One rendered screen of a journey and what the session was showing then."""
    journey: str
    number: int
    name: str
    step: str                 # the step the script expected
    session_step: str         # the step the session was in when the picture was taken
    message_id: str
    rendered: bool            # the window showed the session's current state
    path: Any = None
    problems: tuple[str, ...] = ()

    @property
    def stem(self) -> str:
        return f"{self.number:02d}-{self.name}"

    @property
    def reachable(self) -> bool:
        return self.rendered and self.session_step == self.step


class Walk:
    """One journey being walked on a driven kiosk; `shot` waits for the step, then records."""

    def __init__(self, journey: "Journey", kiosk: DrivenKiosk,
                 record: Callable[["Walk", str, Step], Shot]):
        self.journey = journey
        self.kiosk = kiosk
        self._record = record
        self.shots: list[Shot] = []

    def at(self, step: Step) -> bool:
        k = self.kiosk
        return (k.session.state.step == step and k.app.current_state is not None
                and k.app.current_state.seq == k.session.state.seq
                and k.app.root.manager.current == step.value)

    def shot(self, name: str, step: Step, *, message: str | None = None,
             when: Callable[[], bool] | None = None, timeout: float = 15.0) -> Any:
        """Wait until the session shows `step` (with `message`, and `when` holds), take the
        picture; the screen."""
        k = self.kiosk
        k.wait(lambda: self.at(step) and (message is None or k.session.state.message_id == message)
               and (when is None or when()), f"{self.journey.name}: {name} ({step.value})",
               timeout)
        k.pump(3)
        self.shots.append(self._record(self, name, step))
        return k.app.root.screen(step)


@dataclass(frozen=True)
class Journey:
    name: str
    script: Callable[[Walk], None]
    chipcard: bool = True
    camera: bool = False
    kiosk: dict[str, Any] = field(default_factory=dict)    # DrivenKiosk options


# -- pieces of journeys --------------------------------------------------------------------------
def _card_in(walk: Walk, profile: str = DEBIT) -> None:
    walk.kiosk.emulator("chipcard").perform("insert_card", profile)


def _card_out(walk: Walk) -> None:
    walk.kiosk.emulator("chipcard").perform("remove_card")


def _choose_service(walk: Walk, service: str) -> None:
    """The service's button on the menu, turning pages to it (larger text shows fewer)."""
    k = walk.kiosk
    menu = k.wait_step(Step.MENU)
    label = k.tr(service)
    while label not in [plain(t).split("\n")[0] for t in k.visible_texts()]:
        page = k.session.state.view.get("page", 1)
        k.tap(menu.ids.more)
        k.wait(lambda: k.session.state.view.get("page") == page + 1, f"menu page {page + 1}")
        k.pump(2)
    k.tap(label)


def _started(walk: Walk, service: str, shot: str) -> Any:
    """Attract, Start, menu, then the service: its identify screen, shot as `shot`."""
    walk.shot("attract", Step.ATTRACT)
    walk.kiosk.tap_msg("Start")
    walk.shot("menu", Step.MENU)
    _choose_service(walk, service)
    return walk.shot(shot, Step.IDENTIFY)


def _signed_in(walk: Walk, service: str, profile: str = DEBIT) -> None:
    """Attract, card, PIN, menu, then the service: the shots a returning customer skips."""
    k = walk.kiosk
    walk.shot("attract", Step.ATTRACT)
    k.sign_in(profile)
    walk.shot("menu", Step.MENU)
    _choose_service(walk, service)


def _finish(walk: Walk, *, card: bool = True, items: bool = True) -> None:
    """Take what the kiosk hands back (the card, a slip), rate, goodbye."""
    k = walk.kiosk
    if items:
        take = walk.shot("take-items", Step.TAKE_ITEMS)
        if card:
            _card_out(walk)
            k.wait(lambda: "card" not in k.session.state.view.get("items", ()), "card taken")
        if k.session.state.step == Step.TAKE_ITEMS:
            k.tap(take.ids.done)
    k.wait(lambda: k.session.state.step in (Step.RATING, Step.GOODBYE), "the end")
    if k.session.state.step == Step.RATING:       # asked only after a service was used
        rating = walk.shot("rating", Step.RATING)
        k.tap(rating.ids.scores.children[0])
    walk.shot("goodbye", Step.GOODBYE)


def _refused_card(profile: str, message: str) -> Callable[[Walk], None]:
    def script(walk: Walk) -> None:
        walk.shot("attract", Step.ATTRACT)
        _card_in(walk, profile)
        walk.shot(message.replace("_", "-"), Step.ERROR, message=message)
        _card_out(walk)
        walk.kiosk.tap_msg("way_end")
        walk.shot("goodbye", Step.GOODBYE)
    return script


def _to_amount(walk: Walk, payee: str, name: list[tuple[str, str]]) -> Any:
    from screens.widgets import pinyin_input
    pinyin_input.table()
    k = walk.kiosk
    _signed_in(walk, "service_transfer")
    entry = walk.shot("payee-entry-empty", Step.PAYEE_ENTRY)
    k.type_digits(entry.ids.keypad, payee)
    k.tap(entry.ids.name_field)
    k.type_name(entry, name)
    walk.shot("payee-entry", Step.PAYEE_ENTRY)
    k.tap(entry.ids.submit)
    check = walk.shot("payee-check", Step.PAYEE_CHECK)
    k.tap(check.ids.confirm)
    return walk.shot("amount", Step.AMOUNT)


def _through_warning(walk: Walk) -> Any:
    k = walk.kiosk
    warning = walk.shot("fraud-warning", Step.FRAUD_WARNING)
    k.advance(warning.state.view["min_read_s"] + 0.5)
    k.wait(lambda: not warning.ids.acknowledge.disabled, "acknowledge enabled")
    k.tap(warning.ids.acknowledge)
    return walk.shot("confirm", Step.TRANSFER_CONFIRM)


def _sent(walk: Walk, amount: Any, digits: str, outcome: str) -> Any:
    """`digits` as the amount, through the warning, confirmed: the result screen, shot as
    `outcome`."""
    k = walk.kiosk
    k.type_digits(amount.ids.keypad, digits)
    k.tap(amount.ids.submit)
    confirm = _through_warning(walk)
    k.tap(confirm.ids.confirm)
    return walk.shot(outcome, Step.TRANSFER_RESULT, timeout=20)


# -- the journeys ----------------------------------------------------------------------------------
def balance_and_slip(walk: Walk) -> None:
    k = walk.kiosk
    _started(walk, "service_balance", "insert-card")
    _card_in(walk)
    k.type_pin("123")
    walk.shot("pin", Step.PIN, when=lambda: k.session.state.view.get("entered") == 3)
    pin = k.type_pin("456")
    k.tap(pin.ids.ok)
    accounts = walk.shot("accounts", Step.ACCOUNTS)
    k.tap_msg("Transactions")
    walk.shot("transactions", Step.TRANSACTIONS)
    k.tap_msg("Back")
    accounts = walk.shot("accounts-again", Step.ACCOUNTS)
    k.tap(accounts.ids.print)
    _finish(walk)


def statement_paper_out(walk: Walk) -> None:
    k = walk.kiosk
    _signed_in(walk, "service_statement")
    walk.shot("period", Step.STATEMENT_PERIOD)
    k.tap_msg("period_last_3_months")
    preview = walk.shot("preview", Step.STATEMENT_PREVIEW)
    k.tap(preview.ids.print)
    walk.shot("printing", Step.PRINTING)
    walk.shot("paper-out", Step.ERROR, message="statement_paper_out", timeout=30)
    k.emulator("printer").load_paper(2000)                    # staff put in a full roll
    k.wait(lambda: k.core.devices.statuses()["printer"].get("paper") in ("full", "low"),
           "paper in")
    k.tap_msg("way_retry")
    _finish(walk)


def transfer_new_payee(walk: Walk) -> None:
    k = walk.kiosk
    amount = _to_amount(walk, SAME_BANK_PAYEE, [("ce", "测"), ("shi", "试"), ("bing", "丙")])
    k.type_digits(amount.ids.keypad, "60000")                 # more than the ¥52,340 there
    k.tap(amount.ids.submit)
    walk.shot("amount-over-balance", Step.AMOUNT,
              when=lambda: k.session.state.view.get("problem") == "amount_over_balance")
    for _ in "60000":
        k.tap(k.tr("Delete"))
    result = _sent(walk, amount, "200", "approved")
    k.tap(result.ids.receipt)
    _finish(walk)


def transfer_held(walk: Walk) -> None:
    k = walk.kiosk
    amount = _to_amount(walk, OTHER_BANK_PAYEE, [("zhang", "张"), ("ce", "测"), ("shi", "试")])
    result = _sent(walk, amount, "51000", "held")             # above the threshold: staff
    k.tap(result.ids.done)
    _finish(walk)


def wrong_pin(walk: Walk) -> None:
    k = walk.kiosk
    walk.shot("attract", Step.ATTRACT)
    _card_in(walk)
    k.enter_pin("000000")
    walk.shot("pin-wrong", Step.PIN, message="pin_wrong")
    k.enter_pin("000000")
    walk.shot("pin-last-try", Step.PIN, message="pin_wrong_last_try")
    k.enter_pin("123456")
    walk.shot("menu", Step.MENU)
    k.tap_msg("Finish")
    _finish(walk)


def _call_help(walk: Walk) -> None:
    """The header's help button, touched once (held, it turns the accessible mode on)."""
    k = walk.kiosk
    button = k.app.root.ids.header.ids.help
    for _ in range(3):   # a touch while the screen is still laid out can miss the button
        k.wait(lambda: not button.disabled and button.opacity == 1, "the help button")
        k.pump(2)
        k.tap(button)
        try:
            k.wait(lambda: k.session.state.step == Step.HELP_CALLED, "help called", 3)
            return
        except AssertionError:
            continue


def help_called(walk: Walk) -> None:
    k = walk.kiosk
    _signed_in(walk, "service_balance")
    walk.shot("accounts", Step.ACCOUNTS)
    _call_help(walk)
    screen = walk.shot("help-called", Step.HELP_CALLED)
    k.tap(screen.ids.done)
    walk.shot("back-to-accounts", Step.ACCOUNTS)


def more_time(walk: Walk) -> None:
    k = walk.kiosk
    _signed_in(walk, "service_statement")
    walk.shot("period", Step.STATEMENT_PERIOD)
    k.advance(k.session.idle_timeout_s + 0.5)
    screen = walk.shot("more-time", Step.MORE_TIME)
    k.tap(screen.ids.more_time)
    walk.shot("period-again", Step.STATEMENT_PERIOD)


def two_applications(walk: Walk) -> None:
    k = walk.kiosk
    walk.shot("attract", Step.ATTRACT)
    _card_in(walk, "two_apps")
    screen = walk.shot("choose-application", Step.CHOOSE_APPLICATION)
    k.tap(screen.ids.applications.children[-1])
    k.enter_pin("123456")
    walk.shot("menu", Step.MENU, timeout=15)


def pin_blocked(walk: Walk) -> None:
    walk.shot("attract", Step.ATTRACT)
    _card_in(walk, "pin_blocked")
    walk.kiosk.wait(lambda: walk.kiosk.session.state.step in (Step.PIN, Step.ERROR), "PIN")
    walk.shot(walk.kiosk.session.state.step.value, walk.kiosk.session.state.step)


def lost_card_then_declined(walk: Walk) -> None:
    """The ID card read (paced at the reader's speed), the card reported lost, and the same
    card inserted afterwards: the bank declines it."""
    k = walk.kiosk
    _started(walk, "service_lost_card", "place-id-card")
    k.emulator("idcard").perform("place_card", "ceshi_jia")
    walk.shot("reading-id-card", Step.WORKING, message="reading_idcard")
    number = walk.shot("card-number", Step.LOST_CARD_NUMBER, timeout=30)
    k.type_digits(number.ids.keypad, "6222020000000000018")
    k.tap(number.ids.submit)
    confirm = walk.shot("confirm", Step.LOST_CARD_CONFIRM)
    k.tap(confirm.ids.confirm)
    result = walk.shot("reported", Step.LOST_CARD_RESULT)
    k.emulator("idcard").perform("remove_card")
    k.tap(result.ids.done)
    _finish(walk, items=False)
    k.advance(10)
    k.wait(lambda: k.session.state.step == Step.ATTRACT, "the next customer", timeout=15)
    _card_in(walk)
    walk.shot("card-declined", Step.ERROR, timeout=15)


def appointment_qr(walk: Walk) -> None:
    k = walk.kiosk
    screen = _started(walk, "service_ticket", "show-code")
    preview = screen.ids.qr_method.ids.preview
    k.wait(lambda: preview.running and preview.frames_shown >= 3, "the camera on screen")
    walk.shot("camera", Step.IDENTIFY)
    k.emulator("camera").perform("present_code", "appointment")
    k.wait(lambda: k.session.state.step != Step.IDENTIFY, "the code read", timeout=15)
    walk.shot(k.session.state.step.value.replace("_", "-"), k.session.state.step)


def printer_fault(walk: Walk) -> None:
    k = walk.kiosk
    _signed_in(walk, "service_balance")
    accounts = walk.shot("accounts", Step.ACCOUNTS)
    k.emulator("printer").perform("cover_open")
    k.wait(lambda: k.core.devices.statuses()["printer"].get("cover") == "open", "cover open")
    k.tap(accounts.ids.print)
    walk.shot("print-failed", Step.ERROR, timeout=20)
    k.tap_msg("way_end")
    _finish(walk)


def technician(walk: Walk) -> None:
    k = walk.kiosk
    walk.shot("attract", Step.ATTRACT)
    k.long_press(k.hidden_corner(), 3.5)
    screen = walk.shot("pin", Step.TECHNICIAN)
    for digit in TECHNICIAN_PIN:
        k.tap(screen.ids.keypad.key_widget(digit))
    k.wait(lambda: screen.entered == len(TECHNICIAN_PIN), "PIN digits")
    k.tap(screen.ids.pin_enter)
    walk.shot("panels", Step.TECHNICIAN, when=lambda: k.session.state.view.get("phase") == "open")
    k.tap("Devices 设备")
    k.pump(2)
    k.tap(screen.ids.test_printer)
    walk.shot("printer-test", Step.TECHNICIAN,
              when=lambda: any(passed in k.session.state.view.get("result", "")
                               for passed in ("passed —", "通过 —")), timeout=20)
    k.tap(screen.ids.exit_button)
    walk.shot("goodbye", Step.GOODBYE)


def accessible(walk: Walk) -> None:
    """Turned on by the keypad's star; then every choice by its number on the numbered buttons
    at the stage's left edge, the PIN on the fixed pad."""
    from kivy.core.window import Window
    from kiosk.voice.choices import choices
    k = walk.kiosk

    def press(key: int, char: str) -> None:
        Window.dispatch("on_key_down", key, 0, char, [])
        k.pump(2)

    walk.shot("attract", Step.ATTRACT)
    press(268, "*")                                     # the keypad's star
    walk.shot("accessible-on", Step.ATTRACT,
              when=lambda: k.session.state.accessible and k.app.root.choice_pad_shown)
    k.choose("Start")
    walk.shot("menu", Step.MENU)
    while "service_balance" not in [c.label for c in choices(k.session.state)]:
        page = k.session.state.view.get("page", 1)
        k.choose("More services")                       # larger text shows fewer a page
        k.wait(lambda: k.session.state.view.get("page") == page + 1, f"menu page {page + 1}")
    k.choose("service_balance")
    walk.shot("insert-card", Step.IDENTIFY)
    _card_in(walk)
    k.type_pin("12")
    walk.shot("pin-fixed-pad", Step.PIN)
    pin = k.type_pin("3456")
    k.tap(pin.ids.ok)
    walk.shot("accounts", Step.ACCOUNTS, timeout=20)
    k.choose("Statement")
    walk.shot("statement-period", Step.STATEMENT_PERIOD)
    k.choose("period_last_month")
    walk.shot("statement-preview", Step.STATEMENT_PREVIEW, timeout=20)
    k.choose("Print statement")
    walk.shot("take-items", Step.TAKE_ITEMS, timeout=30)
    _card_out(walk)
    k.wait(lambda: "card" not in k.session.state.view.get("items", ()), "card taken")
    if k.session.state.step == Step.TAKE_ITEMS:
        k.choose("Done")
    k.wait(lambda: k.session.state.step in (Step.RATING, Step.GOODBYE), "the end")
    if k.session.state.step == Step.RATING:
        walk.shot("rating", Step.RATING)
        k.choose("Good")
    walk.shot("goodbye", Step.GOODBYE)


def privacy_shield(walk: Walk) -> None:
    k = walk.kiosk
    camera = k.emulator("camera")
    camera.perform("show_people", "customer")
    walk.shot("attract", Step.ATTRACT)
    _card_in(walk)
    k.type_pin("12")
    walk.shot("pin", Step.PIN)
    camera.perform("show_people", "onlooker")
    walk.shot("shield", Step.PIN, when=lambda: k.session.state.shielded
              and k.app.root._curtain.parent is not None)
    k.tap_msg("I am alone, show it again")
    walk.shot("shield-waived", Step.PIN, when=lambda: k.app.root._curtain.parent is None)
    pin = k.type_pin("3456")
    k.tap(pin.ids.ok)
    walk.shot("menu", Step.MENU, timeout=15)


JOURNEYS: tuple[Journey, ...] = (
    Journey("balance-and-slip", balance_and_slip),
    Journey("statement-paper-out", statement_paper_out, kiosk={"paper_lines": 40, "printer_pace": True}),
    Journey("transfer-new-payee", transfer_new_payee),
    Journey("transfer-held", transfer_held),
    Journey("wrong-pin", wrong_pin),
    Journey("expired-card", _refused_card("expired", "card_expired")),
    Journey("blocked-card", _refused_card("blocked_card", "card_blocked")),
    Journey("blocked-application", _refused_card("blocked_app", "card_blocked")),
    Journey("unreadable-chip", _refused_card("truncated_tlv", "card_unreadable")),
    Journey("two-applications", two_applications),
    Journey("pin-blocked", pin_blocked),
    Journey("lost-card-then-declined", lost_card_then_declined, kiosk={"idcard_pace": True}),
    Journey("appointment-qr", appointment_qr, chipcard=False, camera=True),
    Journey("printer-fault", printer_fault),
    Journey("help-called", help_called),
    Journey("more-time", more_time),
    Journey("technician", technician, chipcard=False),
    Journey("accessible", accessible),
    Journey("privacy-shield", privacy_shield, camera=True),
)


def journey(name: str) -> Journey:
    for j in JOURNEYS:
        if j.name == name:
            return j
    raise KeyError(f"no journey {name!r}: {', '.join(j.name for j in JOURNEYS)}")

