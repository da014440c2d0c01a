"""Checkpoints of the journal, kept in a second place under their own key.

A keyed chain shows a changed, inserted or deleted row, but not rows cut from the end, nor a
chain rebuilt by someone who stole the journal key. So the kiosk writes checkpoints (journal id,
row count, the last row's MAC, time), each MACed under the checkpoint key, to a store outside
the data folder; `verify` checks every checkpoint against the journal. Writes happen on a
background thread at most once per interval (a transfer never waits for one), and one is written
at once before the first keyed row, so a keyed journal without any checkpoint means the store
was removed or the journal replaced.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

from .datafiles import connect
from .keys import SecretKey

log = logging.getLogger(__name__)

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS checkpoint (seq INTEGER PRIMARY KEY, journal_id TEXT NOT NULL, "
    "journal_path TEXT NOT NULL, rows INTEGER NOT NULL, last_mac TEXT NOT NULL, "
    "at TEXT NOT NULL, key_id TEXT NOT NULL, mac TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS checkpoint_journal ON checkpoint (journal_id, seq)",
    "CREATE INDEX IF NOT EXISTS checkpoint_path ON checkpoint (journal_path, seq)",
    "CREATE TRIGGER IF NOT EXISTS checkpoint_no_update BEFORE UPDATE ON checkpoint "
    "BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS checkpoint_no_delete BEFORE DELETE ON checkpoint "
    "BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END",
)


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    journal_id: str
    journal_path: str    # where that journal was: a different journal there later was swapped in
    rows: int
    last_mac: str
    at: str
    key_id: str
    mac: str

    def payload(self) -> bytes:
        return "\x1f".join((str(self.seq), self.journal_id, self.journal_path, str(self.rows),
                            self.last_mac, self.at, self.key_id)).encode()


class CheckpointStore:
    def __init__(self, path: str | Path, key: SecretKey, *, timeout_s: float = 10.0):
        self.path = Path(path)
        self._key = key
        self._lock = threading.Lock()
        self._conn = connect(self.path, timeout_s)
        for statement in _SCHEMA:
            self._conn.execute(statement)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def add(self, journal_id: str, journal_path: str, rows: int, last_mac: str,
            at: str) -> Checkpoint:
        with self._lock:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                seq = conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM checkpoint").fetchone()[0]
                mark = Checkpoint(seq, journal_id, journal_path, rows, last_mac, at,
                                  self._key.id, "")
                mark = replace(mark, mac=self._key.mac(mark.payload()))
                conn.execute("INSERT INTO checkpoint VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             (mark.seq, journal_id, journal_path, rows, last_mac, at,
                              mark.key_id, mark.mac))
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        return mark

    def of(self, journal_id: str) -> list[Checkpoint]:
        """Every checkpoint of one journal, oldest first (MACs not yet checked: see `forged`)."""
        return self._select("journal_id = ?", journal_id)

    def last_at(self, journal_path: str) -> Checkpoint | None:
        """The latest checkpoint of whatever journal was at this path."""
        found = self._select("journal_path = ?", journal_path, latest=True)
        return found[0] if found else None

    def _select(self, where: str, value: str, latest: bool = False) -> list[Checkpoint]:
        order = "DESC LIMIT 1" if latest else ""
        with self._lock:
            rows = self._conn.execute(
                "SELECT seq, journal_id, journal_path, rows, last_mac, at, key_id, mac FROM "
                f"checkpoint WHERE {where} ORDER BY seq {order}", (value,)).fetchall()
        return [Checkpoint(*row) for row in rows]

    def forged(self, mark: Checkpoint) -> bool:
        return mark.key_id != self._key.id or self._key.mac(mark.payload()) != mark.mac


class CheckpointWriter:
    """Writes a checkpoint of `last_row()` (rows, MAC) soon after `poke()`, at most once per
    `interval_s`, on its own thread; `close()` writes the last one."""

    def __init__(self, store: CheckpointStore, journal_id: str, journal_path: str,
                 last_row: Callable[[], tuple[int, str]], clock: Callable[[], str],
                 interval_s: float, written: int):
        self.store = store
        self._journal_id = journal_id
        self._journal_path = journal_path
        self._last_row = last_row
        self._clock = clock
        self._interval_s = interval_s
        self._written = written
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._write_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def poke(self) -> None:
        self._wake.set()
        if self._thread is None:
            with self._start_lock:
                if self._thread is None and not self._stop.is_set():
                    self._thread = threading.Thread(target=self._run, name="journal-checkpoints",
                                                    daemon=True)
                    self._thread.start()

    def write(self) -> None:
        with self._write_lock:
            rows, last_mac = self._last_row()
            if rows > self._written:
                self.store.add(self._journal_id, self._journal_path, rows, last_mac,
                               self._clock())
                self._written = rows

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait()
            self._wake.clear()
            if self._stop.is_set():
                return
            try:
                self.write()
            except Exception:
                log.exception("journal checkpoint could not be written; trying again")
            self._stop.wait(self._interval_s)

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(5.0)
        try:
            self.write()
        except Exception:
            log.exception("last journal checkpoint could not be written")
