"""A document is printing: which one and how far it is."""
from __future__ import annotations

from kiosk.i18n import N_
from kiosk.session.states import Step

from .base import KioskScreen

DOCUMENT_TEXT = {"statement": N_("Statement"), "receipt": N_("Receipt"), "ticket": N_("Queue ticket")}


class PrintingScreen(KioskScreen):
    step = Step.PRINTING
