"""Identify: insert a bank card, lay the ID card on the reader, or scan an appointment code."""
from __future__ import annotations

from kiosk.i18n import N_
from kiosk.session.states import Step

from .base import KioskScreen

METHOD_TEXT = {"card": (N_("Bank card"), N_("Insert your card into the slot below the screen, chip first.")),
               "idcard": (N_("ID card"), N_("Lay your resident ID card flat on the reader on the right.")),
               "qr": (N_("Appointment code"), N_("Hold the code in your mobile banking app up to the camera."))}


class IdentifyScreen(KioskScreen):
    step = Step.IDENTIFY
