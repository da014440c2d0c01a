"""How the customer in front of the kiosk is served: larger text, the accessible mode (voice,
numbered choices, fixed PIN pad, doubled timeouts) and the privacy shield (an onlooker seen
while a PIN pad or a balance is on screen). All of it ends with the customer's session."""
from __future__ import annotations

from typing import Any, Callable

from ..config import UiSection

ACCESSIBLE_TIMEOUT_FACTOR = 2.0  # every timeout doubled in the accessible mode
MODE_ACTIONS = ("accessible", "onlooker", "shield_ok")


class CustomerModes:
    def __init__(self, ui: UiSection, journal: Callable[..., None]):
        self._ui = ui
        self._journal = journal
        self.reset()

    def reset(self) -> None:
        self.elderly = False
        self.accessible = False
        self.onlooker = False        # the camera sees someone close behind the customer
        self.shield_waived = False   # the customer said they are alone

    @property
    def shielded(self) -> bool:
        return self.onlooker and not self.shield_waived

    @property
    def timeout_factor(self) -> float:
        factor = self._ui.elderly_timeout_factor if self.elderly else 1.0
        return max(factor, ACCESSIBLE_TIMEOUT_FACTOR) if self.accessible else factor

    def common(self) -> dict[str, Any]:
        return {"elderly": self.elderly, "accessible": self.accessible,
                "shielded": self.shielded}

    def handle(self, action: str, args: dict[str, Any]) -> bool:
        """A mode action; True when something changed (the state is shown again)."""
        if action == "accessible":
            on = bool(args.get("on", True))
            if on == self.accessible:
                return False
            self.accessible = on
            self._journal("session.accessible", on=on)
            return True
        if action == "onlooker":     # from the privacy shield, never from a screen
            present = bool(args.get("present"))
            if present == self.onlooker:
                return False
            self.onlooker = present
            self.shield_waived = self.shield_waived and present
            self._journal("privacy.onlooker", present=present, faces=int(args.get("faces", 0)))
            return True
        if action == "shield_ok" and self.shielded:
            self.shield_waived = True
            self._journal("privacy.shield_waived")
            return True
        return False
