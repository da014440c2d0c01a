"""The durable store-and-forward queue of reversals.

A reversal is queued before it is first sent, counted as attempted before every send (so after
a crash the next send is a repeat, 0421) and removed from the due list only when the host has
answered (0430). It survives restarts: `drain` at start-up sends whatever is still due.
"""
from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from kiosk.datafiles import connect

from .link import HostError, HostLink
from .models import ReversalAdvice

log = logging.getLogger(__name__)


class ReversalQueue:
    def __init__(self, path: str | Path, timeout_s: float = 10.0):
        self._conn = connect(path, timeout_s)
        self._conn.execute(
            "CREATE TABLE IF NOT EXISTS reversals (terminal_id TEXT NOT NULL, stan INTEGER NOT "
            "NULL, amount_fen INTEGER NOT NULL, from_account_id TEXT NOT NULL, transmitted_at "
            "TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, done INTEGER NOT NULL DEFAULT 0, "
            "host_reversed INTEGER, queued_at TEXT NOT NULL, "
            "PRIMARY KEY (terminal_id, stan, transmitted_at))")

    def close(self) -> None:
        self._conn.close()

    def add(self, advice: ReversalAdvice) -> None:
        """Queue a reversal; queuing the same STAN again changes nothing."""
        self._conn.execute("INSERT OR IGNORE INTO reversals (terminal_id, stan, amount_fen, "
                           "from_account_id, transmitted_at, queued_at) VALUES (?, ?, ?, ?, ?, ?)",
                           (advice.terminal_id, advice.stan, advice.amount_fen,
                            advice.from_account_id, advice.transmitted_at,
                            dt.datetime.now().astimezone().isoformat(timespec="seconds")))

    def due(self) -> list[tuple[ReversalAdvice, int]]:
        rows = self._conn.execute("SELECT terminal_id, stan, amount_fen, from_account_id, "
                                  "transmitted_at, attempts FROM reversals WHERE done = 0 "
                                  "ORDER BY rowid").fetchall()
        return [(ReversalAdvice(*r[:5]), r[5]) for r in rows]

    def backlog(self) -> tuple[int, dt.datetime | None]:
        """How many reversals are still due, and when the oldest of them was queued."""
        count, oldest = self._conn.execute("SELECT COUNT(*), MIN(queued_at) FROM reversals "
                                           "WHERE done = 0").fetchone()
        return count, dt.datetime.fromisoformat(oldest) if oldest else None

    def outcome(self, terminal_id: str, stan: int, transmitted_at: str) -> bool | None:
        """None while the reversal is due (or was never queued); else whether money moved back."""
        row = self._conn.execute("SELECT done, host_reversed FROM reversals WHERE terminal_id = ? "
                                 "AND stan = ? AND transmitted_at = ?",
                                 (terminal_id, stan, transmitted_at)).fetchone()
        return bool(row[1]) if row and row[0] else None

    def drain(self, host: HostLink) -> list[tuple[ReversalAdvice, bool]]:
        """Send every due reversal (0420 first, 0421 after); stop at the first host failure.

        Returns the reversals the host answered, with whether money moved back."""
        answered = []
        for advice, attempts in self.due():
            key = (advice.terminal_id, advice.stan, advice.transmitted_at)
            self._conn.execute("UPDATE reversals SET attempts = attempts + 1 WHERE terminal_id = ? "
                               "AND stan = ? AND transmitted_at = ?", key)
            try:
                moved = host.reverse(advice, repeat=attempts > 0)
            except HostError as exc:
                log.warning("reversal of STAN %06d not answered (%s): kept queued",
                            advice.stan, exc.reason)
                break
            self._conn.execute("UPDATE reversals SET done = 1, host_reversed = ? WHERE "
                               "terminal_id = ? AND stan = ? AND transmitted_at = ?",
                               (int(moved), *key))
            answered.append((advice, moved))
        return answered
