"""Print jobs that survive paper-outs and restarts (SQLite in the data folder).

A job records its document and how many pages came out whole. When the printer stops (paper
out, cover open, gone), the job stays `interrupted` with the fault, the caller is told (return
value and a PrintJobEvent), and `resume(job_id)` goes on from the first page that did not come
out whole once the paper is replaced, so a statement loses no page. Documents hold masked
numbers only, so nothing private is stored.
"""
from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, Callable, Iterator

from drivers.errors import DeviceError, TransportError
from drivers.printer.base import PrinterFault, ReceiptPrinter
from drivers.printer.document import Document

from .datafiles import private_db_file
from .device_conditions import print_fault_message

log = logging.getLogger(__name__)

DB_NAME = "print_queue.db"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS print_job (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    reference TEXT NOT NULL,
    document TEXT NOT NULL,
    pages_total INTEGER NOT NULL,
    pages_done INTEGER NOT NULL DEFAULT 0,
    state TEXT NOT NULL,
    fault TEXT NOT NULL DEFAULT '',
    copy_of INTEGER,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
)
"""


class JobState(str, Enum):
    QUEUED = "queued"            # waiting to print
    PRINTING = "printing"
    INTERRUPTED = "interrupted"  # stopped by a fault; resume once it is fixed
    DONE = "done"
    CANCELLED = "cancelled"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class PrintJob:
    job_id: int
    kind: str
    reference: str
    state: JobState
    pages_total: int
    pages_done: int
    fault: str
    copy_of: int | None
    created_at: float
    updated_at: float

    @property
    def message_id(self) -> str:
        """What to tell the customer about a stopped job (a catalog message id), else ""."""
        if self.state is JobState.INTERRUPTED:
            return print_fault_message(self.fault or "offline")
        return ""


@dataclass(frozen=True)
class PrintJobEvent:
    """Published when a job finishes or stops: the session tells the customer."""
    job: PrintJob


PrinterProvider = Callable[[], "ReceiptPrinter | None"]


class PrintQueue:
    def __init__(self, path: str | Path, printer: PrinterProvider,
                 notify: Callable[[Any], None] | None = None):
        self.path = Path(path)
        self._printer = printer
        self._notify = notify
        self._print_lock = threading.Lock()
        private_db_file(self.path)
        with self._db() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(_SCHEMA)
            # A job that was printing when the kiosk stopped goes on from its last whole page.
            db.execute("UPDATE print_job SET state = ?, fault = 'restarted' WHERE state = ?",
                       (JobState.INTERRUPTED.value, JobState.PRINTING.value))

    @classmethod
    def from_config(cls, config: Any, printer: PrinterProvider,
                    notify: Callable[[Any], None] | None = None) -> "PrintQueue":
        return cls(config.data_dir / DB_NAME, printer, notify)

    @contextlib.contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=5, isolation_level=None)
        db.row_factory = sqlite3.Row
        try:
            yield db
        finally:
            db.close()

    # -- public -------------------------------------------------------------------------------
    def submit(self, document: Document, *, print_now: bool = True) -> int:
        """Store a job and (by default) print it now; returns the job id. Blocks while printing,
        so call it off the UI thread; `status(job_id)` tells how it went."""
        job_id = self._insert(document, copy_of=None)
        log.info("print job %d: %s %s, %d page(s)", job_id, document.kind, document.reference,
                 len(document.pages))
        if print_now:
            self.run(job_id)
        return job_id

    def run(self, job_id: int) -> PrintJob:
        """Print a job from its first page not yet printed whole."""
        with self._print_lock:
            job = self.status(job_id)
            if job.state in (JobState.DONE, JobState.CANCELLED):
                return job
            printer = self._printer()
            if printer is None:
                return self._stopped(job_id, "noDevice")
            self._update(job_id, state=JobState.PRINTING, fault="")
            try:
                printer.print_document(self.document(job_id), start_page=job.pages_done,
                                       on_page=lambda n: self._update(job_id, pages_done=n))
            except PrinterFault as exc:
                return self._stopped(job_id, exc.fault)
            except TransportError as exc:
                log.warning("print job %d: %s", job_id, exc)
                return self._stopped(job_id, "noDevice")
            except DeviceError as exc:
                log.warning("print job %d: %s", job_id, exc)
                return self._stopped(job_id, "offline")
            job = self._update(job_id, state=JobState.DONE)
            log.info("print job %d: done (%d page(s))", job_id, job.pages_total)
            self._publish(job)
            return job

    resume = run

    def resume_pending(self) -> list[PrintJob]:
        """Resume every queued or interrupted job, oldest first (e.g. after a paper change)."""
        return [self.run(job.job_id) for job in self.pending()]

    def reprint(self, job_id: int) -> int:
        """A new job printing the whole document again (a copy asked for); returns its id."""
        document = self.document(job_id)
        new_id = self._insert(document, copy_of=job_id)
        self.run(new_id)
        return new_id

    def cancel(self, job_id: int) -> PrintJob:
        return self._update(job_id, state=JobState.CANCELLED)

    def status(self, job_id: int) -> PrintJob:
        with self._db() as db:
            row = db.execute("SELECT * FROM print_job WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise KeyError(f"no print job {job_id}")
        return _job(row)

    def pending(self) -> list[PrintJob]:
        """Jobs still to print, oldest first."""
        with self._db() as db:
            rows = db.execute("SELECT * FROM print_job WHERE state IN (?, ?, ?) ORDER BY id",
                              (JobState.QUEUED.value, JobState.INTERRUPTED.value,
                               JobState.PRINTING.value)).fetchall()
        return [_job(r) for r in rows]

    def document(self, job_id: int) -> Document:
        with self._db() as db:
            row = db.execute("SELECT document FROM print_job WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise KeyError(f"no print job {job_id}")
        return Document.from_dict(json.loads(row["document"]))

    # -- storage --------------------------------------------------------------------------------
    def _insert(self, document: Document, copy_of: int | None) -> int:
        now = time.time()
        with self._db() as db:
            cur = db.execute(
                "INSERT INTO print_job (kind, reference, document, pages_total, state, copy_of,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (document.kind, document.reference,
                 json.dumps(document.to_dict(), ensure_ascii=False), len(document.pages),
                 JobState.QUEUED.value, copy_of, now, now))
            return int(cur.lastrowid)

    def _update(self, job_id: int, **values: Any) -> PrintJob:
        values = {k: (v.value if isinstance(v, Enum) else v) for k, v in values.items()}
        values["updated_at"] = time.time()
        assignments = ", ".join(f"{k} = ?" for k in values)
        with self._db() as db:
            db.execute(f"UPDATE print_job SET {assignments} WHERE id = ?",
                       (*values.values(), job_id))
        return self.status(job_id)

    def _stopped(self, job_id: int, fault: str) -> PrintJob:
        job = self._update(job_id, state=JobState.INTERRUPTED, fault=fault)
        log.warning("print job %d (%s %s): stopped by %s after %d of %d page(s); kept to resume",
                    job_id, job.kind, job.reference, fault, job.pages_done, job.pages_total)
        self._publish(job)
        return job

    def _publish(self, job: PrintJob) -> None:
        if self._notify is not None:
            self._notify(PrintJobEvent(job))


def _job(row: sqlite3.Row) -> PrintJob:
    return PrintJob(row["id"], row["kind"], row["reference"], JobState(row["state"]),
                    row["pages_total"], row["pages_done"], row["fault"], row["copy_of"],
                    row["created_at"], row["updated_at"])
