"""The console's own SQLite file: staff sessions (so a restart logs nobody out) and the audit
trail of every login, acknowledgement, resolution, decision and remote action. The audit trail
is append-only: nothing here updates or deletes a row of it.

Session ids are kept only as SHA-256 digests: a copy of the file does not log anyone in.
"""
from __future__ import annotations

import hashlib
import json
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..datafiles import private_db_file
from .export import csv_text

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    digest TEXT PRIMARY KEY, user TEXT NOT NULL, role TEXT NOT NULL, csrf TEXT NOT NULL,
    expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, at REAL NOT NULL, user TEXT NOT NULL,
    action TEXT NOT NULL, kiosk TEXT NOT NULL DEFAULT '', branch TEXT NOT NULL DEFAULT '',
    alert_id TEXT NOT NULL DEFAULT '', outcome TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS audit_kiosk ON audit (kiosk, at);
CREATE TABLE IF NOT EXISTS history (
    alert_id TEXT PRIMARY KEY, at REAL NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS history_at ON history (at);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
    BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
"""
AUDIT_FIELDS = ("at", "user", "action", "kiosk", "branch", "alert_id", "outcome", "detail")


@dataclass(frozen=True)
class StaffSession:
    session_id: str
    user: str
    role: str     # "ops", "auditor" or "branch:CODE"
    csrf: str
    expires: float

    def sees(self, branch: str) -> bool:
        return not self.role.startswith("branch:") or self.role[7:] == branch

    def may_act(self, branch: str) -> bool:
        return self.role != "auditor" and self.sees(branch)


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class ConsoleStore:
    def __init__(self, path: str | Path = ":memory:", *,
                 clock: Callable[[], float] = time.time):
        if str(path) != ":memory:":
            private_db_file(path)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()
        self._clock = clock

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- sessions ----------------------------------------------------------------------------
    def create_session(self, user: str, role: str, ttl_s: float) -> StaffSession:
        session = StaffSession(secrets.token_urlsafe(32), user, role, secrets.token_urlsafe(32),
                               self._clock() + ttl_s)
        with self._lock:
            self._db.execute("DELETE FROM sessions WHERE expires <= ?", (self._clock(),))
            self._db.execute("INSERT INTO sessions VALUES (?,?,?,?,?)",
                             (_digest(session.session_id), user, role, session.csrf,
                              session.expires))
        return session

    def session(self, session_id: str | None) -> StaffSession | None:
        if not session_id or len(session_id) > 100:
            return None
        with self._lock:
            row = self._db.execute("SELECT user, role, csrf, expires FROM sessions "
                                   "WHERE digest = ?", (_digest(session_id),)).fetchone()
        if row is None or row[3] <= self._clock():
            return None
        return StaffSession(session_id, *row)

    def end_session(self, session_id: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM sessions WHERE digest = ?", (_digest(session_id),))

    # -- resolved alerts (the console's history panel) -----------------------------------------
    def keep_history(self, alert: dict[str, Any]) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO history VALUES (?,?,?)",
                             (alert["alert_id"], alert["updated_at"],
                              json.dumps(alert, ensure_ascii=False)))

    def history(self, limit: int) -> list[dict[str, Any]]:
        """Newest first."""
        with self._lock:
            rows = self._db.execute("SELECT body FROM history ORDER BY at DESC LIMIT ?",
                                    (limit,)).fetchall()
        return [json.loads(body) for (body,) in rows]

    # -- audit trail -------------------------------------------------------------------------
    def audit(self, user: str, action: str, *, kiosk: str = "", branch: str = "",
              alert_id: str = "", outcome: str = "", detail: str = "") -> None:
        with self._lock:
            self._db.execute("INSERT INTO audit (at, user, action, kiosk, branch, alert_id, "
                             "outcome, detail) VALUES (?,?,?,?,?,?,?,?)",
                             (self._clock(), user[:64], action, kiosk[:64], branch[:64],
                              alert_id[:64], outcome[:32], detail[:500]))

    def audit_rows(self, *, kiosk: str = "", branch: str = "", limit: int = 500
                   ) -> list[dict[str, Any]]:
        query, args = "SELECT " + ", ".join(AUDIT_FIELDS) + " FROM audit WHERE 1=1", []
        if kiosk:
            query, args = query + " AND kiosk = ?", [*args, kiosk]
        if branch:
            query, args = query + " AND branch = ?", [*args, branch]
        with self._lock:
            rows = self._db.execute(query + " ORDER BY seq DESC LIMIT ?",
                                    (*args, limit)).fetchall()
        return [dict(zip(AUDIT_FIELDS, row)) for row in rows]


def audit_csv(rows: list[dict[str, Any]]) -> str:
    def stamp(at: float) -> str:
        return time.strftime("%Y-%m-%dT%H:%M:%S%z", time.localtime(at))
    return csv_text(AUDIT_FIELDS, ([stamp(row["at"]) if field == "at" else row[field]
                                    for field in AUDIT_FIELDS] for row in rows))
