"""Large transfers waiting for staff, sealed at rest.

A held transfer must keep the full card number, payee account and memo until staff decide, so
it is stored as AES-256-GCM ciphertext under a subkey of the card key (kiosk/keys.py), which is
held apart from the data folder; the STAN is the associated data, so a sealed row cannot be
moved to another STAN. Nothing in host_state.db can be read back without that key. Rows written
in clear by older versions are sealed when the store is first opened (the freed pages are
overwritten: secure_delete, then VACUUM).
"""
from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from .datafiles import connect

NONCE_BYTES = 12
_LEGACY_COLUMNS = ("pan", "from_account_id", "to_account_number", "to_name", "amount_fen",
                   "kind", "memo")


class HeldTransferUnreadable(Exception):
    """A sealed held transfer does not open under this kiosk's card key."""


class HeldTransfers:
    def __init__(self, path: str | Path, key: bytes, *, timeout_s: float = 10.0):
        self._aead = AESGCM(key)
        self._conn = connect(path, timeout_s)
        self._conn.execute("PRAGMA secure_delete=ON")
        self._upgrade()
        self._conn.execute("CREATE TABLE IF NOT EXISTS held_transfer_sealed "
                           "(stan INTEGER PRIMARY KEY, sealed BLOB NOT NULL)")

    def close(self) -> None:
        self._conn.close()

    def _seal(self, stan: int, order: dict[str, Any]) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        plain = json.dumps(order, ensure_ascii=False, sort_keys=True).encode()
        return nonce + self._aead.encrypt(nonce, plain, f"held:{stan}".encode())

    def add(self, stan: int, order: dict[str, Any]) -> None:
        self._conn.execute("INSERT INTO held_transfer_sealed VALUES (?, ?)",
                           (stan, self._seal(stan, order)))

    def take(self, stan: int) -> dict[str, Any] | None:
        """The order held under `stan`, removed from the store; None if there is none."""
        row = self._conn.execute("SELECT sealed FROM held_transfer_sealed WHERE stan = ?",
                                 (stan,)).fetchone()
        if row is None:
            return None
        sealed = bytes(row[0])
        try:
            plain = self._aead.decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:],
                                       f"held:{stan}".encode())
        except InvalidTag:
            raise HeldTransferUnreadable(
                f"held transfer {stan:06d} does not open under this kiosk's card key") from None
        self._conn.execute("DELETE FROM held_transfer_sealed WHERE stan = ?", (stan,))
        return json.loads(plain)

    def stans(self) -> list[int]:
        return [r[0] for r in self._conn.execute(
            "SELECT stan FROM held_transfer_sealed ORDER BY stan")]

    def _upgrade(self) -> None:
        """Seal the clear rows of the old `held_transfers` table, then drop it and wipe."""
        conn = self._conn
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'held_transfers'").fetchone():
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("CREATE TABLE IF NOT EXISTS held_transfer_sealed "
                         "(stan INTEGER PRIMARY KEY, sealed BLOB NOT NULL)")
            rows = conn.execute(f"SELECT stan, {', '.join(_LEGACY_COLUMNS)} FROM held_transfers"
                                ).fetchall()
            for stan, *values in rows:
                conn.execute("INSERT OR REPLACE INTO held_transfer_sealed VALUES (?, ?)",
                             (stan, self._seal(stan, dict(zip(_LEGACY_COLUMNS, values)))))
            conn.execute("DROP TABLE held_transfers")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        try:
            conn.execute("VACUUM")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.OperationalError:   # busy: secure_delete already zeroed the pages
            pass
