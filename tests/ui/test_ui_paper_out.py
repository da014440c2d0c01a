"""Paper running out during a statement, as the customer reads it: what became of the statement,
that it goes on from where it stopped, and what else the customer can do."""
from __future__ import annotations

import pytest

from kiosk.session.states import Step

pytestmark = [pytest.mark.pcscd, pytest.mark.ui]


def test_a_statement_cut_short_by_paper_out_says_it_is_kept_and_resumes(card_ui):
    ui = card_ui
    printer = ui.emulator("printer")
    printer.load_paper(12)                          # runs out part way through the first page
    ui.sign_in_for("service_statement")
    ui.wait_step(Step.STATEMENT_PERIOD)
    ui.tap_msg("period_this_year")
    preview = ui.wait_step(Step.STATEMENT_PREVIEW)
    ui.tap(preview.ids.print)
    error = ui.wait_step(Step.ERROR, timeout=20)
    texts = ui.visible_texts()
    assert ui.tr("statement_paper_out") in texts        # what happened to the statement
    assert ui.tr("statement_resumes") in texts          # it is kept and goes on
    assert ui.tr("printer_out_of_paper") not in texts
    first = [b for b in error.ids.ways.children if b.style == "primary"]
    assert [b.text for b in first] == [ui.tr("way_retry")]
    labels = [w for w in error.walk() if getattr(w, "text", "") in
              (ui.tr("statement_paper_out"), ui.tr("statement_resumes"))]
    ui.pump(2)
    for label in labels:                                # the whole text is in its box
        assert label.texture_size[1] <= label.height + 2, label.text
    printer.perform("paper_replaced")
    ui.tap_msg("way_retry")
    take = ui.wait_step(Step.TAKE_ITEMS, timeout=20)
    assert take.state.view["items"] == ["receipt", "card"]
