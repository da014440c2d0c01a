"""The electronic journal: append-only, hash-chained, card and ID numbers masked.

Every customer action, host exchange and device event is one row. Each row's hash covers the
previous row's hash and the canonical JSON of the row, so changing, inserting or deleting a row
breaks the chain from that row on; `verify()` names the first row that does not fit.

Other modules call `Journal.record(kind, **fields)`. Kinds are dotted, e.g. `transfer.pending`,
`customer.card_inserted`, `device.fault`, `receipt.printed`. `ref` groups rows about one thing
(a transfer's terminal id + STAN) and is indexed.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from kiosk.privacy import mask_number, scrub

log = logging.getLogger(__name__)

GENESIS = "0" * 64

# Fields whose values are card, account or ID numbers: always masked, whatever their format.
NUMBER_FIELDS = frozenset({"pan", "card", "card_number", "account_number", "to_account_number",
                           "from_account_number", "id_number", "payee_number"})
# Fields that must never reach the journal at all.
FORBIDDEN_FIELDS = frozenset({"pin", "pin_block", "new_pin", "password", "cvv", "track2"})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS journal (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    day TEXT NOT NULL,
    kind TEXT NOT NULL,
    ref TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS journal_kind_ref ON journal (kind, ref);
CREATE INDEX IF NOT EXISTS journal_day_kind ON journal (day, kind);
CREATE INDEX IF NOT EXISTS journal_ref ON journal (ref);
CREATE INDEX IF NOT EXISTS journal_card_key ON journal (json_extract(body, '$.card_key'), kind);
CREATE TRIGGER IF NOT EXISTS journal_no_update BEFORE UPDATE ON journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
CREATE TRIGGER IF NOT EXISTS journal_no_delete BEFORE DELETE ON journal
BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
"""


@dataclass(frozen=True)
class JournalEntry:
    id: int
    at: str
    day: str
    kind: str
    ref: str
    fields: dict[str, Any]


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    rows: int
    broken_at: int | None = None  # id of the first row that does not fit the chain
    problem: str = ""


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def row_hash(prev_hash: str, row_id: int, at: str, kind: str, ref: str, body: str) -> str:
    payload = canonical_json({"id": row_id, "at": at, "kind": kind, "ref": ref,
                              "fields": json.loads(body)})
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


def masked_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """What a row may hold: numbers masked, free text scrubbed, secrets refused."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if key.lower() in FORBIDDEN_FIELDS:
            raise ValueError(f"journal field {key!r} must never be recorded")
        if key.lower() in NUMBER_FIELDS and isinstance(value, str):
            out[key] = mask_number(value)
        elif isinstance(value, str):
            out[key] = scrub(value)
        elif isinstance(value, dict):
            out[key] = masked_fields(value)
        elif isinstance(value, (list, tuple)):
            out[key] = [scrub(v) if isinstance(v, str) else v for v in value]
        else:
            out[key] = value
    return out


def connect(path: str | Path, timeout_s: float = 10.0) -> sqlite3.Connection:
    """A SQLite connection for money data: WAL, synchronous=FULL, autocommit (explicit BEGIN)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=timeout_s, isolation_level=None,
                           check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    return conn


def _now() -> dt.datetime:
    return dt.datetime.now().astimezone()


class Journal:
    """One journal file; safe for several threads and processes (writes serialise on SQLite)."""

    def __init__(self, path: str | Path, *, clock: Callable[[], dt.datetime] = _now,
                 timeout_s: float = 10.0):
        self.path = Path(path)
        self._clock = clock
        self._conn = connect(self.path, timeout_s)
        self._conn.executescript(_SCHEMA)
        self._lock = threading.Lock()   # one connection shared by the session, alerts, devices

    @classmethod
    def from_config(cls, config) -> "Journal":
        return cls(config.path(config.journal.path))

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> "Journal":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def record(self, kind: str, /, ref: str = "", **fields: Any) -> int:
        """Append one row; returns its id. Numbers are masked; a PIN field is refused."""
        body = canonical_json(masked_fields(fields))
        at = self._clock().isoformat(timespec="milliseconds")
        day = at[:10]
        conn = self._conn
        with self._lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                last = conn.execute("SELECT id, hash FROM journal ORDER BY id DESC LIMIT 1").fetchone()
                row_id, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
                digest = row_hash(prev, row_id, at, kind, ref, body)
                conn.execute("INSERT INTO journal (id, at, day, kind, ref, body, prev_hash, hash) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             (row_id, at, day, kind, ref, body, prev, digest))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        log.debug("journal %d %s %s", row_id, kind, ref)
        return row_id

    def entries(self, *, kind: str | None = None, ref: str | None = None,
                day: str | None = None, kind_prefix: str | None = None) -> Iterator[JournalEntry]:
        """Rows in order, filtered by exact kind, ref, local day (YYYY-MM-DD) or kind prefix."""
        where, args = [], []
        for column, value in (("kind", kind), ("ref", ref), ("day", day)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        if kind_prefix is not None:
            where.append("kind >= ? AND kind < ?")
            args += [kind_prefix, kind_prefix + "\uffff"]
        sql = "SELECT id, at, day, kind, ref, body FROM journal"
        if where:
            sql += " WHERE " + " AND ".join(where)
        with self._lock:
            rows = self._conn.execute(sql + " ORDER BY id", args).fetchall()
        for row in rows:
            yield JournalEntry(row[0], row[1], row[2], row[3], row[4], json.loads(row[5]))

    @staticmethod
    def _where(kinds: tuple[str, ...], ref: str | None, since: dt.datetime | None,
               equals: dict[str, Any]) -> tuple[str, list[Any]]:
        where = [f"kind IN ({','.join('?' * len(kinds))})"]
        args: list[Any] = list(kinds)
        if ref is not None:
            where.append("ref = ?")
            args.append(ref)
        if since is not None:
            where.append("at >= ?")
            args.append(since.isoformat(timespec="milliseconds"))
        for name, value in equals.items():
            if not name.isidentifier():
                raise ValueError(f"bad field name {name!r}")
            where.append(f"json_extract(body, '$.{name}') = ?")
            args.append(value)
        return " AND ".join(where), args

    def find(self, kinds: tuple[str, ...], *, ref: str | None = None,
             since: dt.datetime | None = None, limit: int | None = None,
             **equals: Any) -> list[dict[str, Any]]:
        """Fields of rows of `kinds` (newest first) with this `ref`, recorded at or after
        `since`, whose fields equal `equals`."""
        where, args = self._where(kinds, ref, since, equals)
        sql = f"SELECT body FROM journal WHERE {where} ORDER BY id DESC"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        with self._lock:
            rows = self._conn.execute(sql, args).fetchall()
        return [json.loads(r[0]) for r in rows]

    def total(self, kinds: tuple[str, ...], field_name: str, *,
              since: dt.datetime | None = None, **equals: Any) -> int:
        """Sum of a numeric field over the rows `find` would return."""
        if not field_name.isidentifier():
            raise ValueError(f"bad field name {field_name!r}")
        where, args = self._where(kinds, None, since, equals)
        with self._lock:
            row = self._conn.execute(f"SELECT COALESCE(SUM(json_extract(body, '$.{field_name}')),"
                                     f" 0) FROM journal WHERE {where}", args).fetchone()
        return int(row[0])

    def open_refs(self, opened: str, closing: tuple[str, ...]) -> list[str]:
        """Refs that have an `opened` row and no row of any `closing` kind (e.g. PENDING transfers)."""
        marks = ",".join("?" * len(closing))
        sql = (f"SELECT ref FROM journal o WHERE o.kind = ? AND NOT EXISTS "
               f"(SELECT 1 FROM journal c WHERE c.ref = o.ref AND c.kind IN ({marks})) ORDER BY o.id")
        with self._lock:
            return [r[0] for r in self._conn.execute(sql, (opened, *closing)).fetchall()]

    def count(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT COUNT(*) FROM journal").fetchone()[0]

    def verify(self) -> ChainReport:
        """Walk the chain; report the first row whose hash or link does not fit."""
        reader = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)  # own snapshot, no lock
        try:
            return self._walk(reader)
        finally:
            reader.close()

    @staticmethod
    def _walk(reader: sqlite3.Connection) -> ChainReport:
        prev, expected_id, rows = GENESIS, 1, 0
        reader.execute("BEGIN")
        cursor = reader.execute(
            "SELECT id, at, kind, ref, body, prev_hash, hash FROM journal ORDER BY id")
        for row_id, at, kind, ref, body, prev_hash, digest in cursor:
            rows += 1
            if row_id != expected_id:
                return ChainReport(False, rows, row_id, f"row {expected_id} is missing")
            if prev_hash != prev:
                return ChainReport(False, rows, row_id, "link to the previous row does not match")
            try:
                actual = row_hash(prev, row_id, at, kind, ref, body)
            except ValueError:
                return ChainReport(False, rows, row_id, "row body is not valid JSON")
            if actual != digest:
                return ChainReport(False, rows, row_id, "row content does not match its hash")
            prev, expected_id = digest, row_id + 1
        return ChainReport(True, rows)


# Status values that mean a device cannot serve (they count as faults at end of day).
FAULT_VALUES = frozenset({"offline", "powerOff", "noDevice", "hardwareError", "userError",
                          "fraudAttempt", "potentialFraud", "jammed", "out", "inoperative",
                          "inoperable", "manipulated", "missing"})


def attach_device_events(journal: Journal, bus) -> Callable[[], None]:
    """Journal device status changes (`device.status`, and `device.fault` when a device stops
    serving) and other device events (`device.event`: the event name and which data came, never
    its values, since a card or ID read carries personal data). Returns the unsubscribe."""
    from drivers.base import DeviceEvent, StatusChanged

    def on_event(event) -> None:
        try:
            if isinstance(event, StatusChanged):
                kind = "device.fault" if event.new in FAULT_VALUES else "device.status"
                journal.record(kind, device=event.device, field=event.field, old=event.old,
                               new=event.new)
            else:
                journal.record("device.event", device=event.device, name=event.name,
                               data_keys=sorted(event.data))
        except Exception:
            log.exception("journal write for a %s event failed", event.device)

    return bus.subscribe(on_event, (StatusChanged, DeviceEvent))


def attach_print_jobs(journal: Journal, bus) -> Callable[[], None]:
    """Journal every finished or stopped print job (`receipt.printed` / `receipt.interrupted`),
    so end of day can count receipts. Returns the unsubscribe."""
    from kiosk.print_queue import JobState, PrintJobEvent

    def on_job(event: PrintJobEvent) -> None:
        job = event.job
        kind = "receipt.printed" if job.state is JobState.DONE else f"receipt.{job.state.value}"
        try:
            journal.record(kind, ref=job.reference, document=job.kind, job_id=job.job_id,
                           pages=job.pages_done, pages_total=job.pages_total, fault=job.fault)
        except Exception:
            log.exception("journal write for print job %s failed", job.job_id)

    return bus.subscribe(on_job, PrintJobEvent)
