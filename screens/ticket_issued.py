"""Queue ticket issued: the number, the wait, and the pre-filled counter form's QR code."""
from __future__ import annotations

from kiosk.session.states import Step

from .base import KioskScreen


class TicketIssuedScreen(KioskScreen):
    step = Step.TICKET_ISSUED
