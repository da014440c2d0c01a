"""The electronic journal: append-only, keyed hash chain, checkpoints elsewhere, numbers masked.

Every customer action, host exchange and device event is one row. Each row carries an HMAC
(under the journal key, held apart from the journal: see kiosk/keys.py) over every column of
the row (id, time, day, kind, ref, body, the previous row's MAC, the key's id) and the journal's
id, so changing, inserting or deleting a row, or rebuilding the chain without the key, breaks
it from that row on. Checkpoints (kiosk/journal_checkpoints.py) catch rows cut from the end and
a chain rebuilt with a stolen key. `verify()` names the first row that does not fit.

Journals written before the chain was keyed keep their rows: those rows (key id '') are checked
with the old unkeyed hash and reported as legacy rows; the first keyed row links to the last
legacy row, so from then on the legacy rows cannot change unseen either (and their `day` must
match their time). A legacy row after a keyed row is a break.

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
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from kiosk.datafiles import connect
from kiosk.journal_checkpoints import Checkpoint, CheckpointStore, CheckpointWriter
from kiosk.keys import KeyRing, SecretKey
from drivers.privacy import mask_number, scrub

log = logging.getLogger(__name__)

GENESIS = "0" * 64
TRIGGERS = ("journal_no_update", "journal_no_delete")

# Fields whose values are card, account or ID numbers: always masked, whatever their format.
NUMBER_FIELDS = frozenset({"pan", "card", "card_number", "account_number", "to_account_number",
                           "from_account_number", "id_number", "payee_number"})
# Fields that must never reach the journal at all.
FORBIDDEN_FIELDS = frozenset({"pin", "pin_block", "new_pin", "password", "cvv", "track2"})

_TABLES = (
    """CREATE TABLE IF NOT EXISTS journal (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    day TEXT NOT NULL,
    kind TEXT NOT NULL,
    ref TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    key_id TEXT NOT NULL DEFAULT ''
)""",
    "CREATE TABLE IF NOT EXISTS journal_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS journal_kind_ref ON journal (kind, ref)",
    "CREATE INDEX IF NOT EXISTS journal_day_kind ON journal (day, kind)",
    "CREATE INDEX IF NOT EXISTS journal_ref ON journal (ref)",
    "CREATE INDEX IF NOT EXISTS journal_card_key ON journal (json_extract(body, '$.card_key'), kind)",
)
_TRIGGERS = {
    "journal_no_update": "CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal "
                         "BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END",
    "journal_no_delete": "CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal "
                         "BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END",
    "journal_meta_no_update": "CREATE TRIGGER journal_meta_no_update BEFORE UPDATE ON "
                              "journal_meta BEGIN SELECT RAISE(ABORT, 'the journal is "
                              "append-only'); END",
    "journal_meta_no_delete": "CREATE TRIGGER journal_meta_no_delete BEFORE DELETE ON "
                              "journal_meta BEGIN SELECT RAISE(ABORT, 'the journal is "
                              "append-only'); END",
}


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
    legacy_rows: int = 0          # rows from before the chain was keyed (checked unkeyed)
    key_id: str = ""              # the journal key the keyed rows need
    checkpoint: Checkpoint | None = None  # the latest checkpoint the journal was held against


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def row_hash(prev_hash: str, row_id: int, at: str, kind: str, ref: str, body: str) -> str:
    """The unkeyed hash of legacy rows (it covered neither the day nor a key)."""
    payload = canonical_json({"id": row_id, "at": at, "kind": kind, "ref": ref,
                              "fields": json.loads(body)})
    return hashlib.sha256((prev_hash + payload).encode()).hexdigest()


def row_mac(key: SecretKey, journal_id: str, row_id: int, at: str, day: str, kind: str,
            ref: str, body: str, prev: str) -> str:
    """The keyed MAC of a row: every column as stored, byte for byte, and the journal's id."""
    head = canonical_json([journal_id, row_id, at, day, kind, ref, key.id, prev])
    return key.mac(head.encode() + b"\n" + body.encode())


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


def _now() -> dt.datetime:
    return dt.datetime.now().astimezone()


class Journal:
    """One journal file; safe for several threads and processes (writes serialise on SQLite).

    `keys` defaults to the demo layout (`<folder>-keys` beside the journal's folder, keys made
    on demand) and `checkpoints` to `<folder>-audit/journal_checkpoints.db`; the kiosk passes
    both from its configuration."""

    def __init__(self, path: str | Path, *, keys: KeyRing | None = None,
                 checkpoints: str | Path | None = None, checkpoint_interval_s: float = 1.0,
                 clock: Callable[[], dt.datetime] = _now, timeout_s: float = 10.0):
        self.path = Path(path)
        folder = self.path.parent
        keys = keys or KeyRing.beside(folder)
        self._key = keys.journal
        self._clock = clock
        self._lock = threading.Lock()   # one connection shared by the session, alerts, devices
        self._conn = connect(self.path, timeout_s)
        self.journal_id, dropped = self._prepare()
        self.checkpoints = CheckpointStore(
            checkpoints or folder.with_name(folder.name + "-audit") / "journal_checkpoints.db",
            keys.checkpoint, timeout_s=timeout_s)
        self._writer = self._checkpoint_writer(checkpoint_interval_s)
        if dropped:
            log.error("journal %s: append-only triggers %s had been dropped; restored",
                      self.path, ", ".join(dropped))
            self.record("journal.triggers_restored", triggers=dropped)

    @classmethod
    def from_config(cls, config) -> "Journal":
        section = config.journal
        return cls(config.path(section.path), keys=KeyRing.from_config(config),
                   checkpoints=config.path(section.checkpoints),
                   checkpoint_interval_s=section.checkpoint_interval_s)

    def _prepare(self) -> tuple[str, list[str]]:
        """Create or upgrade the tables, restore dropped triggers; return the journal's id and
        the triggers that had been dropped from a journal with rows."""
        conn = self._conn
        dropped: list[str] = []
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _TABLES:
                conn.execute(statement)
            columns = {r[1] for r in conn.execute("PRAGMA table_info(journal)")}
            if "key_id" not in columns:   # a journal from before the chain was keyed
                conn.execute("ALTER TABLE journal ADD COLUMN key_id TEXT NOT NULL DEFAULT ''")
            present = {r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
            has_rows = conn.execute("SELECT 1 FROM journal LIMIT 1").fetchone() is not None
            for name, statement in _TRIGGERS.items():
                if name not in present:
                    conn.execute(statement)
                    if has_rows and name in TRIGGERS:
                        dropped.append(name)
            row = conn.execute("SELECT value FROM journal_meta WHERE name = 'journal_id'").fetchone()
            if row is None:
                journal_id = uuid.uuid4().hex
                conn.execute("INSERT INTO journal_meta VALUES ('journal_id', ?)", (journal_id,))
            else:
                journal_id = row[0]
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return journal_id, dropped

    def _last_row(self) -> tuple[int, str]:
        with self._lock:
            last = self._conn.execute("SELECT id, hash FROM journal ORDER BY id DESC LIMIT 1"
                                      ).fetchone()
        return (last[0], last[1]) if last else (0, GENESIS)

    def _stamp(self) -> str:
        return self._clock().isoformat(timespec="milliseconds")

    def _checkpoint_writer(self, interval_s: float) -> CheckpointWriter | None:
        """A writer, unless the journal already contradicts its checkpoints: then nothing is
        written over that evidence (verify reports it)."""
        marks = self.checkpoints.of(self.journal_id)
        rows, last_mac = self._last_row()
        with self._lock:
            keyed = self._conn.execute("SELECT 1 FROM journal WHERE key_id != '' LIMIT 1"
                                       ).fetchone() is not None
        problem = _replaced(self.checkpoints, self.path, self.journal_id)
        if not problem and marks:
            problem = _against_checkpoints(marks[-1:], rows, self._mac_at)[1]
        elif not problem and keyed:
            problem = "keyed rows and no checkpoint"
        if problem:
            log.error("journal %s does not match its checkpoints (%s): no checkpoint is written "
                      "until staff have examined it (kiosk journal verify)", self.path, problem)
            return None
        written = marks[-1].rows if marks else -1
        writer = CheckpointWriter(self.checkpoints, self.journal_id, _where(self.path),
                                  self._last_row, self._stamp, interval_s, written)
        if not marks:
            writer.write()    # the baseline, before the first keyed row
        return writer

    def _mac_at(self, row_id: int) -> str | None:
        with self._lock:
            row = self._conn.execute("SELECT hash FROM journal WHERE id = ?", (row_id,)).fetchone()
        return row[0] if row else None

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
        self.checkpoints.close()
        self._conn.close()

    def checkpoint(self) -> None:
        """Write a checkpoint now (the writer does this by itself within its interval)."""
        if self._writer is not None:
            self._writer.write()

    def __enter__(self) -> "Journal":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def record(self, kind: str, /, ref: str = "", **fields: Any) -> int:
        """Append one row; returns its id. Numbers are masked; a PIN field is refused."""
        body = canonical_json(masked_fields(fields))
        at = self._stamp()
        day = at[:10]
        conn = self._conn
        with self._lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                last = conn.execute("SELECT id, hash FROM journal ORDER BY id DESC LIMIT 1").fetchone()
                row_id, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
                digest = row_mac(self._key, self.journal_id, row_id, at, day, kind, ref, body, prev)
                conn.execute("INSERT INTO journal (id, at, day, kind, ref, body, prev_hash, hash, "
                             "key_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             (row_id, at, day, kind, ref, body, prev, digest, self._key.id))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        if self._writer is not None:
            self._writer.poke()
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
        """Walk the chain and hold it against every checkpoint (see `verify_chain`)."""
        return verify_chain(self.path, self._key, self.checkpoints)


def _where(path: Path) -> str:
    return str(Path(path).resolve())


def _replaced(store: CheckpointStore, path: Path, journal_id: str) -> str:
    """Whether the store last saw another journal at this path (deleted, rebuilt, swapped)."""
    last = store.last_at(_where(path))
    if last is None or last.journal_id == journal_id:
        return ""
    return (f"the checkpoints last saw journal {last.journal_id} here ({last.rows} rows at "
            f"{last.at}); this is {journal_id or 'an unkeyed journal'}: the journal was replaced")


def _against_checkpoints(marks: list[Checkpoint], rows: int,
                         mac_at: Callable[[int], str | None]) -> tuple[int | None, str]:
    """The first row that contradicts the checkpoints, and how: rows cut from the end, or a
    row that is not the one a checkpoint saw."""
    for mark in marks:
        if mark.rows > rows:
            return rows + 1, (f"the journal has {rows} rows but checkpoint {mark.seq} "
                              f"({mark.at}) saw {mark.rows}: rows were removed from the end")
        if mark.rows and mac_at(mark.rows) != mark.last_mac:
            return mark.rows, (f"row {mark.rows} is not the row checkpoint {mark.seq} "
                               f"({mark.at}) saw: the journal was rebuilt")
    return None, ""


def verify_chain(path: str | Path, key: SecretKey, checkpoints: CheckpointStore | None
                 ) -> ChainReport:
    """Walk the chain (legacy rows unkeyed, then keyed rows under `key`), then hold the journal
    against every checkpoint in the store (None: the store is missing); report the first
    problem. Reads only."""
    reader = sqlite3.connect(f"file:{path}?mode=ro", uri=True)  # own snapshot, no lock
    try:
        journal_id = _journal_id(reader)
        # checkpoints first, then the snapshot: a checkpoint never runs ahead of what is read
        marks = checkpoints.of(journal_id) if checkpoints is not None and journal_id else []
        reader.execute("BEGIN")
        report, macs = _walk(reader, key, journal_id, {m.rows for m in marks})
        present = {r[0] for r in reader.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    except sqlite3.DatabaseError as exc:
        return ChainReport(False, 0, None, f"the journal cannot be read: {exc}")
    finally:
        reader.close()
    if not report.ok:
        return report
    replaced = _replaced(checkpoints, Path(path), journal_id) if checkpoints is not None else ""
    if replaced:
        return _broken(report, None, replaced)
    for mark in marks:
        if checkpoints.forged(mark):
            return _broken(report, None, f"checkpoint {mark.seq} is not signed with this kiosk's "
                                         "checkpoint key")
    if not marks and report.rows > report.legacy_rows:
        return _broken(report, None, "keyed rows but no checkpoint of this journal: the "
                                     "checkpoint store was removed or the journal replaced")
    row, problem = _against_checkpoints(marks, report.rows, macs.get)
    if problem:
        return _broken(report, row, problem)
    missing = [name for name in TRIGGERS if name not in present]
    if missing and report.rows:
        return _broken(report, None, "the append-only triggers were dropped: " + ", ".join(missing))
    return ChainReport(True, report.rows, None, "", report.legacy_rows, report.key_id,
                       marks[-1] if marks else None)


def _broken(report: ChainReport, at: int | None, problem: str) -> ChainReport:
    return ChainReport(False, report.rows, at, problem, report.legacy_rows, report.key_id)


def _journal_id(reader: sqlite3.Connection) -> str:
    if not reader.execute("SELECT 1 FROM sqlite_master WHERE name = 'journal_meta'").fetchone():
        return ""   # a legacy journal the kiosk has not opened since the chain was keyed
    row = reader.execute("SELECT value FROM journal_meta WHERE name = 'journal_id'").fetchone()
    return row[0] if row else ""


def _walk(reader: sqlite3.Connection, key: SecretKey, journal_id: str, wanted: set[int]
          ) -> tuple[ChainReport, dict[int, str]]:
    """The chain walk; also returns the MACs of the rows the checkpoints name (`wanted`)."""
    columns = {r[1] for r in reader.execute("PRAGMA table_info(journal)")}
    key_column = "key_id" if "key_id" in columns else "''"
    macs: dict[int, str] = {}
    prev, expected_id, rows, legacy = GENESIS, 1, 0, 0
    cursor = reader.execute(f"SELECT id, at, day, kind, ref, body, prev_hash, hash, {key_column} "
                            "FROM journal ORDER BY id")

    def broken(row_id: int, problem: str) -> tuple[ChainReport, dict[int, str]]:
        return ChainReport(False, rows, row_id, problem, legacy, key.id), macs

    for row_id, at, day, kind, ref, body, prev_hash, digest, key_id in cursor:
        rows += 1
        if row_id != expected_id:
            return broken(row_id, f"row {expected_id} is missing")
        if prev_hash != prev:
            return broken(row_id, "link to the previous row does not match")
        if day != at[:10]:
            return broken(row_id, "the row's day is not the day of its time")
        if not key_id:
            if rows != legacy + 1:
                return broken(row_id, "an unkeyed row after keyed rows")
            try:
                actual = row_hash(prev, row_id, at, kind, ref, body)
            except ValueError:
                return broken(row_id, "row body is not valid JSON")
            legacy += 1
        elif key_id != key.id:
            return broken(row_id, f"row is signed with key {key_id}, not with this kiosk's "
                                  f"journal key {key.id}")
        else:
            actual = row_mac(key, journal_id, row_id, at, day, kind, ref, body, prev)
        if actual != digest:
            return broken(row_id, "row content does not match its MAC")
        if row_id in wanted:
            macs[row_id] = digest
        prev, expected_id = digest, row_id + 1
    return ChainReport(True, rows, None, "", legacy, key.id), macs


def attach_device_events(journal: Journal, bus) -> Callable[[], None]:
    """Journal device conditions as kiosk.device_conditions says (one row per condition, of its
    journal kind: `device.fault` when the device stops serving), the other status changes
    (`device.status`: a condition ending, a device starting) and other device events
    (`device.event`: the event name and which data came, never its values, since a card or ID
    read carries personal data). A restatement of an open condition on another field, and an
    event that only restates a status field, write nothing. Returns the unsubscribe."""
    from drivers.base import DeviceEvent, StatusChanged

    from .device_conditions import COVERED, RAISED, STATUS_EVENTS, STATUS_ROW, ConditionTracker

    conditions = ConditionTracker()
    lock = threading.Lock()

    def on_event(event) -> None:
        try:
            if isinstance(event, StatusChanged):
                with lock:
                    outcomes = conditions.note(event)
                for outcome in outcomes:
                    if outcome.action == COVERED:
                        continue
                    kind = outcome.condition.journal_kind if outcome.action == RAISED \
                        else STATUS_ROW
                    journal.record(kind, device=event.device, field=event.field,
                                   old=event.old, new=event.new)
            elif event.name not in STATUS_EVENTS:
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
