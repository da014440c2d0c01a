"""A held transfer approved or rejected from the staff page in real Chromium (desktop and
phone), with a reason; the customer's screen follows the decision and the audit trail has it."""
from __future__ import annotations

import os

import pytest

from kiosk.console.held import HeldDecisions
from kiosk.console.local import LocalSource
from kiosk.console.passwords import hash_password
from kiosk.console.server import ConsoleServer
from kiosk.session.states import Step

from tests.alerts.test_alerts_console import browser, log_in_page  # noqa: F401 (fixture)

from .test_session_transfer import TERMINAL, to_held

pytestmark = [pytest.mark.pcscd, pytest.mark.browser]
STAFF, PASSWORD = "staff-b", "correct horse 42"
SIZES = {"desktop": {"viewport": {"width": 1280, "height": 800}, "locale": "zh-CN"},
         "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True,
                   "has_touch": True, "locale": "en-US"}}


@pytest.mark.parametrize("verb,size", [("approve", "desktop"), ("reject", "phone")])
def test_held_transfer_decided_from_the_page_and_the_screen_follows(card_kiosk, browser,
                                                                    tmp_path, verb, size):
    kiosk, core = card_kiosk, card_kiosk.core
    source = LocalSource(core.alerts, bus=core.bus,
                         decisions=HeldDecisions(core.alerts, core.transfers, core.bus))
    server = ConsoleServer(source, {STAFF: hash_password(PASSWORD)}, listen="127.0.0.1:0")
    server.start()
    context = browser.new_context(**SIZES[size])
    page = context.new_page()
    try:
        to_held(kiosk)

        log_in_page(page, server.url, STAFF, PASSWORD)
        row = page.wait_for_selector(".alert[data-code='transfer.held']", timeout=5000)
        assert "¥51000.00" in row.inner_text()
        row.query_selector(f"button.{verb}").click()  # no reason: nothing happens
        page.wait_for_timeout(300)
        assert core.transfers.held(), "decided without a reason"
        row.query_selector("input.reason").fill("核实了客户身份" if size == "desktop"
                                                else "payee unknown to customer")
        shots = os.environ.get("CONSOLE_SHOTS", str(tmp_path))
        page.screenshot(path=f"{shots}/held-{size}.png")
        row.query_selector(f"button.{verb}").click()

        expected = "approved" if verb == "approve" else "declined"
        shown = kiosk.recorder.wait(lambda s: s.step == Step.TRANSFER_RESULT
                                    and s.view["outcome"] == expected)
        outcomes = core.host.inner.request_outcomes(TERMINAL)
        if verb == "approve":
            assert shown.message_id == "transfer_approved" and list(outcomes.values()) == \
                ["approved"]
            assert shown.view["reference"]
        else:
            assert shown.message_id == "transfer_declined" and outcomes == {}
        assert not core.transfers.held()
        page.wait_for_selector(".alert[data-code='transfer.held']", state="detached",
                               timeout=3000)
        (audit,) = [r for r in server.store.audit_rows() if r["action"] == verb]
        assert audit["user"] == STAFF and audit["outcome"] == "sent" and audit["detail"]
        (closed,) = [a for a in core.alerts.history() if a.kind == "heldTransfer"]
        assert closed.data["decision"] == ("approved" if verb == "approve" else "rejected")
        assert closed.data["resolved_by"] == STAFF and closed.data["reason"] == audit["detail"]
    finally:
        context.close()
        server.stop()
        source.close()
