"""Reminder to take the receipt, the card, the ticket or the ID card before leaving."""
from __future__ import annotations

from kiosk.i18n import N_
from kiosk.session.states import Step

from .base import KioskScreen

ITEM_TEXT = {"receipt": N_("Receipt"), "card": N_("Bank card"), "ticket": N_("Queue ticket"),
             "idcard": N_("ID card")}


class TakeItemsScreen(KioskScreen):
    step = Step.TAKE_ITEMS
