"""The terminal's system trace audit number (ISO 8583 field 11), persisted so it never repeats
after a restart. One counter per state file; 1..999999, then it wraps."""
from __future__ import annotations

import logging
from pathlib import Path

from kiosk.datafiles import connect

log = logging.getLogger(__name__)

STAN_MAX = 999_999


class StanCounter:
    def __init__(self, path: str | Path, timeout_s: float = 10.0):
        self._conn = connect(path, timeout_s)
        self._conn.execute("CREATE TABLE IF NOT EXISTS stan (id INTEGER PRIMARY KEY CHECK (id = 1), "
                           "value INTEGER NOT NULL)")

    def next(self) -> int:
        """The next STAN, durably taken (a crash after this never hands it out again)."""
        row = self._conn.execute(
            "INSERT INTO stan VALUES (1, 1) ON CONFLICT(id) DO UPDATE "
            f"SET value = value % {STAN_MAX} + 1 RETURNING value").fetchone()
        return row[0]

    def close(self) -> None:
        self._conn.close()
