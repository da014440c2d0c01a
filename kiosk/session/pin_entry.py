"""The PIN, on a keypad whose digits are shuffled each time it is shown. The digits live in
`CustomerData.pin_digits` only until the SM4-encrypted PIN block is built; the host checks it."""
from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from drivers.privacy import mask_number

from .context import SessionContext
from .failures import COUNTER, Failure, describe
from .rules import PIN
from .services import host
from .states import Step

_random = secrets.SystemRandom()


def shuffled_keys(accessible: bool = False) -> list[int]:
    """A new order each time; the accessible mode's fixed telephone pad (5 in the middle)."""
    return [1, 2, 3, 4, 5, 6, 7, 8, 9, 0] if accessible else _random.sample(range(10), 10)


class PinEntry:
    """The PIN steps of an identification: `ask_pin()`, then `_done()` once the host says yes."""
    s: SessionContext

    if TYPE_CHECKING:  # from Identification
        def _back(self) -> None: ...

        def _done(self) -> None: ...

    # -- PIN ----------------------------------------------------------------------------------
    def ask_pin(self, message_id: str = "enter_pin") -> None:
        data = self.s.data
        data.clear_pin()
        keys = shuffled_keys(self.s.accessible)
        tries = data.pin_tries_left
        if tries is None:
            tries = self.s.config.host.pin_max_tries

        def view() -> dict[str, Any]:
            n = len(data.pin_digits)
            return {"entered": n, "masked": "" if self.s.accessible else "●" * n}

        def digit(key: int = -1) -> None:
            if 0 <= int(key) < 10 and len(data.pin_digits) < PIN.max:
                data.pin_digits.append(keys[int(key)])
                self.s.update(**view())

        def backspace() -> None:
            if data.pin_digits:
                data.pin_digits.backspace()
                self.s.update(**view())

        def clear() -> None:
            data.clear_pin()
            self.s.update(**view())

        def ok() -> None:
            if len(data.pin_digits) < PIN.min:
                self.s.update(problem="pin_too_short")
                return
            self.check_pin()

        # warned before the try that would lock the card
        self.s.show(Step.PIN, message_id=f"{message_id}_last_try" if tries == 1 else message_id,
                    on={"digit": digit, "backspace": backspace, "clear": clear, "ok": ok,
                        "back": self._back},
                    keys=keys, tries_left=tries, problem="", min_length=PIN.min, max_length=PIN.max,
                    **view())

    def check_pin(self) -> None:
        from ..pin_block import encrypt_pin_block
        data = self.s.data
        pan = data.pan
        try:
            block = encrypt_pin_block(data.pin_digits.view(), pan,
                                      self.s.config.host.terminal_key_hex)
        finally:
            data.clear_pin()
        self.s.work("checking_pin", lambda: host(self.s).verify_pin(pan, block), self._pin_checked,
                    failed=self._pin_failed, retry=self.ask_pin)

    def _pin_checked(self, result: Any) -> None:
        data = self.s.data
        known = data.pin_tries_left   # the chip's count (9F17), or the host's after a wrong PIN
        data.pin_tries_left = result.tries_left
        if not result.ok and known is not None:
            # the wrong try spends one of the chip's too: show the smaller count, so a card
            # warned "last try" locks on the next wrong PIN even when the host has more
            data.pin_tries_left = min(result.tries_left, known - 1)
        if result.ok:
            data.pin_verified, data.auth_ref = True, result.auth_ref   # the host's PIN proof
            self.s.journal("pin.verified", card=mask_number(data.pan))
            self._done()
        elif result.locked or data.pin_tries_left <= 0:
            self.s.journal("pin.locked", card=mask_number(data.pan))
            self.s.fail(Failure("pin_locked", COUNTER))
        else:
            self.s.journal("pin.wrong", card=mask_number(data.pan), tries_left=data.pin_tries_left)
            self.ask_pin("pin_wrong")

    def _pin_failed(self, exc: BaseException) -> None:
        reason = getattr(exc, "reason", "")
        if reason == "wrong_pin":
            self.ask_pin("pin_wrong")
        elif reason == "pin_locked":
            self.s.fail(Failure("pin_locked", COUNTER))
        else:
            self.s.fail(describe(exc), retry=self.ask_pin)
