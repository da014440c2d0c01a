"""A statement through the whole stack: queue, driver, pty, emulator, PNG, QR decoded by zbar;
and a paper-out in the middle that loses no page."""
from __future__ import annotations

import re

from PIL import Image
from pyzbar import pyzbar

from kiosk.documents.statement import account_statement
from kiosk.print_queue import JobState, PrintJobEvent, PrintQueue

from .printer_data import CTX, statement

REFERENCE = "STM261128000077"


def page_numbers(receipts):
    found = []
    for r in receipts:
        m = re.search(r"第 (\d+)/(\d+) 页", r.text)
        found.append(int(m.group(1)))
    return found


def test_statement_png_holds_a_decodable_qr_with_the_reference(printer, emulator, tmp_path):
    queue = PrintQueue(tmp_path / "print_queue.db", lambda: printer)
    job_id = queue.submit(account_statement(statement(30), REFERENCE, CTX))
    assert queue.status(job_id).state is JobState.DONE
    assert emulator.wait_rendered(30)
    receipts = emulator.receipts()
    assert [r.complete for r in receipts] == [True, True, True]
    assert page_numbers(receipts) == [1, 2, 3]
    png = emulator.last_receipt_png()
    assert png == receipts[-1].path and png.suffix == ".png"
    decoded = pyzbar.decode(Image.open(png), symbols=[pyzbar.ZBarSymbol.QRCODE])
    assert [d.data.decode() for d in decoded] == [REFERENCE]
    assert "期末余额 Closing balance" in receipts[-1].text


def test_paper_out_mid_statement_loses_no_page(printer, emulator, tmp_path):
    events = []
    queue = PrintQueue(tmp_path / "print_queue.db", lambda: printer, notify=events.append)
    emulator.load_paper(100)  # runs out on page 2
    job_id = queue.submit(account_statement(statement(30), REFERENCE, CTX))

    job = queue.status(job_id)
    assert job.state is JobState.INTERRUPTED and job.fault == "paperOut"
    assert job.pages_done == 1 and job.pages_total == 3
    assert job.message_id == "printer_out_of_paper"  # in the catalogs
    assert [e.job.state for e in events] == [JobState.INTERRUPTED]
    assert [j.job_id for j in queue.pending()] == [job_id]

    # The kiosk restarts before the paper is changed: the job is still there.
    queue = PrintQueue(tmp_path / "print_queue.db", lambda: printer, notify=events.append)
    assert queue.status(job_id).pages_done == 1

    emulator.perform("paper_replaced")
    printer.poll()
    resumed = queue.resume_pending()
    assert [j.state for j in resumed] == [JobState.DONE] and resumed[0].pages_done == 3
    assert events[-1].job.state is JobState.DONE and queue.pending() == []

    assert emulator.wait_rendered(30)
    whole = [r for r in emulator.receipts() if r.complete]
    cut_short = [r for r in emulator.receipts() if not r.complete]
    assert page_numbers(whole) == [1, 2, 3]          # every page, once, in order
    assert page_numbers(cut_short) == [2]            # the slip the roll ran out on
    assert "承前页 Brought forward" in whole[1].text


def test_queue_keeps_jobs_when_no_printer_is_there(tmp_path):
    queue = PrintQueue(tmp_path / "q.db", lambda: None)
    job_id = queue.submit(account_statement(statement(3), "STM1", CTX))
    job = queue.status(job_id)
    assert job.state is JobState.INTERRUPTED and job.fault == "noDevice" and job.pages_done == 0
    assert queue.cancel(job_id).state is JobState.CANCELLED
    assert queue.pending() == []


def test_reprint_is_a_new_job_with_the_whole_document(printer, emulator, tmp_path):
    queue = PrintQueue(tmp_path / "q.db", lambda: printer)
    first = queue.submit(account_statement(statement(3), "STM2", CTX))
    copy = queue.reprint(first)
    assert copy != first and queue.status(copy).copy_of == first
    assert queue.status(copy).state is JobState.DONE
    assert queue.document(copy) == queue.document(first)
    assert emulator.wait_rendered(30) and len(emulator.receipts()) == 2


def test_job_printing_at_a_crash_is_resumable_after_restart(tmp_path):
    path = tmp_path / "q.db"
    queue = PrintQueue(path, lambda: None)
    job_id = queue.submit(account_statement(statement(30), "STM3", CTX), print_now=False)
    queue._update(job_id, state=JobState.PRINTING, pages_done=2)  # as left by a power cut
    again = PrintQueue(path, lambda: None)
    job = again.status(job_id)
    assert job.state is JobState.INTERRUPTED and job.fault == "restarted" and job.pages_done == 2
    assert isinstance(PrintJobEvent(job).job.job_id, int)
