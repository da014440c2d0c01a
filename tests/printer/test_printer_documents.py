"""Documents: bilingual, masked, statements over pages that add up, and their ESC/POS layout."""
from __future__ import annotations

import dataclasses
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drivers.printer.base import PrinterCapabilities
from drivers.printer.escpos_parser import EscPosParser, PrintedLine
from drivers.printer.receipt_layout import layout_page, wrap
from kiosk.documents.balance import balance_slip
from drivers.printer.document import Document, Pair, Qr, display_width
from kiosk.documents.receipt import transfer_receipt
from kiosk.documents.report import DayTotal, end_of_day_report
from kiosk.documents.statement import account_statement
from kiosk.documents.ticket import queue_ticket
from kiosk.host.models import TransferInstruction, TransferKind, TransferOutcome, TransferResult
from drivers.privacy import mask_number

from .printer_data import CARD, CTX, PAYEE_CARD, account, statement

PAYEE_NAME = "张测试"


def transfer() -> Document:
    instruction = TransferInstruction("ACC-0001", PAYEE_CARD, PAYEE_NAME, 250_000,
                                      TransferKind.INTERBANK, memo=f"房租 card {PAYEE_CARD}")
    result = TransferResult(TransferOutcome.APPROVED, "261128000042", fee_fen=200)
    return transfer_receipt(instruction, result, account(), CTX)


def all_documents() -> list[Document]:
    return [
        transfer(),
        balance_slip(account(), "BAL261128000043", CTX),
        account_statement(statement(30), "STM261128000044", CTX),
        queue_ticket("A023", "个人业务", "Personal banking", waiting_ahead=4,
                     estimated_wait_min=12, reference="TKT-A023-261128", ctx=CTX),
        end_of_day_report(CTX.printed_at.date(),
                          [DayTotal("转账", "Transfers", 12, 3_450_000),
                           DayTotal("余额查询", "Balance enquiries", 40)], CTX,
                          faults=1, receipts_printed=50, receipts_pending=1),
    ]


def printed_lines(doc: Document, caps: PrinterCapabilities) -> list[str]:
    class Sink:
        lines: list[str] = []
        def printed(self, item):
            if isinstance(item, PrintedLine):
                self.lines.append(item.text)
        def cut(self): pass
        def status_request(self, n): pass
        def paper_sensor_request(self): pass
    sink = Sink()
    sink.lines = []
    parser = EscPosParser(sink)
    for page in doc.pages:
        parser.feed(b"".join(layout_page(page, caps)))
    return sink.lines


@pytest.mark.parametrize("doc", all_documents(), ids=lambda d: d.kind)
def test_no_full_card_number_or_name_anywhere(doc):
    stored = json.dumps(doc.to_dict(), ensure_ascii=False)
    for secret in (CARD, PAYEE_CARD, PAYEE_NAME):
        assert secret not in stored
    printed = "\n".join(printed_lines(doc, PrinterCapabilities()))
    assert CARD not in printed and PAYEE_CARD not in printed
    assert not re.search(r"\d{13,19}", printed)


@pytest.mark.parametrize("doc", all_documents(), ids=lambda d: d.kind)
def test_labels_are_bilingual_and_qr_carries_only_the_reference(doc):
    for page in doc.pages:
        qrs = [b.data for b in page.blocks if isinstance(b, Qr)]
        assert qrs == [doc.reference]
        for pair in (b for b in page.blocks if isinstance(b, Pair) and b.label.strip()):
            assert re.search(r"[\u4e00-\u9fff]", pair.label) or pair.label.startswith("  "), pair
            assert re.search(r"[A-Za-z]", pair.label), pair


@pytest.mark.parametrize("width", [48, 32])
@pytest.mark.parametrize("doc", all_documents(), ids=lambda d: d.kind)
def test_layout_fits_the_paper(doc, width):
    caps = PrinterCapabilities(paper_width_chars=width)
    lines = printed_lines(doc, caps)
    assert lines and all(display_width(t) <= width for t in lines), \
        max(lines, key=display_width)


def test_transfer_receipt_content():
    text = transfer().text()
    assert mask_number(PAYEE_CARD) in text and "张*试" in text
    assert "2,500.00" in text and "2.00" in text and "交易成功 Approved" in text


def test_statement_pages_carry_balances_and_totals():
    stmt = statement(30)
    doc = account_statement(stmt, "STM261128000044", CTX, lines_per_page=12)
    assert len(doc.pages) == 3
    texts = [p for p in doc.text().split("[QR STM261128000044]")][:3]
    for n, text in enumerate(texts, start=1):
        assert f"第 {n}/3 页 Page {n} of 3" in text
    assert "期初余额 Opening balance" in texts[0] and "5,000.00" in texts[0]
    carried = re.search(r"转下页 Carried forward\s+([\d,.]+)", texts[0]).group(1)
    brought = re.search(r"承前页 Brought forward\s+([\d,.]+)", texts[1]).group(1)
    assert carried == brought
    credits = sum(t.amount_fen for t in stmt.lines if t.amount_fen > 0)
    assert f"{credits // 100:,}.{credits % 100:02d}" in texts[2]
    closing = stmt.closing_fen
    assert re.search(rf"期末余额 Closing balance\s+{closing // 100:,}.{closing % 100:02d}",
                     texts[2])


def test_statement_lines_are_described_in_the_customers_language():
    lines = [dataclasses.replace(t, description="工资", description_en="Salary")
             for t in statement(3).lines]
    stmt = dataclasses.replace(statement(3), lines=lines)
    english = account_statement(stmt, "STM4", CTX, language="en").text()
    chinese = account_statement(stmt, "STM4", CTX, language="zh_CN").text()
    assert re.search(r"\d\d:\d\d Salary", english) and "工资" not in english
    assert re.search(r"\d\d:\d\d 工资", chinese) and "Salary" not in chinese
    # a host that gave one language: that one, whatever the customer's
    one = dataclasses.replace(stmt, lines=[dataclasses.replace(t, description_en="")
                                           for t in lines])
    assert re.search(r"\d\d:\d\d 工资", account_statement(one, "STM5", CTX, language="en").text())


def test_statement_that_does_not_add_up_is_refused():
    stmt = dataclasses.replace(statement(5), closing_fen=statement(5).closing_fen + 1)
    with pytest.raises(ValueError, match="does not add up"):
        account_statement(stmt, "STM1", CTX)


def test_empty_statement_still_has_one_page_with_both_balances():
    stmt = dataclasses.replace(statement(0), closing_fen=500_000)
    doc = account_statement(stmt, "STM2", CTX)
    assert len(doc.pages) == 1
    assert "期初余额" in doc.text() and "期末余额" in doc.text()


def test_document_round_trips_through_json():
    doc = account_statement(statement(14), "STM3", CTX, lines_per_page=5)
    again = Document.from_dict(json.loads(json.dumps(doc.to_dict(), ensure_ascii=False)))
    assert again == doc


def test_balance_slip_is_under_2_kb_on_the_wire():
    doc = balance_slip(account(), "BAL261128000043", CTX)
    wire = b"".join(b"".join(layout_page(p, PrinterCapabilities())) for p in doc.pages)
    assert 500 < len(wire) < 2048


def test_wrap_counts_chinese_as_two_columns():
    assert wrap("中文中文中文", 5) == ["中文", "中文", "中文"]
    assert wrap("hello world again", 11) == ["hello world", "again"]



def test_every_page_resets_and_enters_chinese_mode_explicitly():
    doc = account_statement(statement(30), "STM4", CTX)
    for page in doc.pages:
        pieces = layout_page(page, PrinterCapabilities())
        assert pieces[0] == b"\x1b@\x1c&"
        assert pieces[-1] == b"\x1dV\x42\x60"  # feed and partial cut
    no_cutter = layout_page(doc.pages[0], PrinterCapabilities(cutter=False, qr=False))
    assert b"\x1dV" not in b"".join(no_cutter) and b"\x1d(k" not in b"".join(no_cutter)
    assert no_cutter[-1] == b"\x1bd\x06"


@given(text=st.text(alphabet=st.sampled_from(list("ab xyz0.,") + list("中文余额")),
                    max_size=120),
       columns=st.integers(min_value=2, max_value=48))
@settings(max_examples=200, deadline=None)
def test_wrap_never_overflows_and_loses_nothing_but_break_spaces(text, columns):
    lines = wrap(text, columns)
    assert all(display_width(line) <= columns for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
