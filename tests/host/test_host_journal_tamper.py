"""Tampering with the journal from a shell on the data folder: every case must fail `verify`.

The attacker can run any SQL on journal.db (triggers dropped first) but holds neither the journal
key nor the checkpoint key, which live outside the data folder; one case gives them the journal
key too, to show what the checkpoints add.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3

import pytest

from kiosk.cli import main
from kiosk.journal import GENESIS, Journal, canonical_json, row_hash, row_mac, verify_chain
from kiosk.journal_checkpoints import CheckpointStore
from kiosk.keys import KeyRing, SecretKey

ROWS = 10


@pytest.fixture
def written(tmp_path):
    """A journal of ten transfer rows, checkpointed, closed."""
    path = tmp_path / "data" / "journal.db"
    with Journal(path) as journal:
        for i in range(1, ROWS + 1):
            journal.record("transfer.approved", ref=f"KSK00001:20260302:{i:06d}",
                           amount_fen=100 * i, card_key=f"k{i}")
        journal.checkpoint()
        assert journal.verify().ok
    return path


def _sql(path, *statements):
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER IF EXISTS journal_no_update")
    conn.execute("DROP TRIGGER IF EXISTS journal_no_delete")
    conn.execute("DROP TRIGGER IF EXISTS journal_meta_no_update")
    conn.execute("DROP TRIGGER IF EXISTS journal_meta_no_delete")
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


def _rebuild(path, sign, *, renumber=False):
    """Recompute every link and digest from row 1 with `sign(prev, row) -> (digest, key_id)`,
    as an attacker would after editing rows."""
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT id, at, day, kind, ref, body FROM journal ORDER BY id").fetchall()
    conn.close()
    statements, prev = ["DELETE FROM journal"], GENESIS
    for new_id, (row_id, at, day, kind, ref, body) in enumerate(rows, start=1):
        row_id = new_id if renumber else row_id
        digest, key_id = sign(prev, (row_id, at, day, kind, ref, body))
        statements.append(
            "INSERT INTO journal (id, at, day, kind, ref, body, prev_hash, hash, key_id) VALUES "
            f"({row_id}, '{at}', '{day}', '{kind}', '{ref}', '{body}', '{prev}', '{digest}', "
            f"'{key_id}')")
        prev = digest
    _sql(path, *statements)


def _unkeyed(prev, row):
    row_id, at, _day, kind, ref, body = row
    return row_hash(prev, row_id, at, kind, ref, body), ""


def _guessed_key(prev, row):
    key = SecretKey("journal.key", hashlib.sha256(b"payee-key:").digest())
    return row_mac(key, "", *row, prev), key.id


def _verify(path):
    """What `kiosk journal verify` says: reads only."""
    keys = KeyRing.beside(path.parent)
    store_path = path.parent.with_name("data-audit") / "journal_checkpoints.db"
    store = CheckpointStore(store_path, keys.checkpoint) if store_path.exists() else None
    try:
        return verify_chain(path, keys.journal, store)
    finally:
        if store is not None:
            store.close()


def test_truncating_the_last_row_is_caught(written):
    _sql(written, f"DELETE FROM journal WHERE id = {ROWS}")
    report = _verify(written)
    assert not report.ok and report.broken_at == ROWS
    assert "removed from the end" in report.problem


def test_truncation_stays_visible_after_the_kiosk_starts_again_and_writes_rows(written):
    _sql(written, f"DELETE FROM journal WHERE id > {ROWS - 2}")
    with Journal(written) as journal:
        for _ in range(5):
            journal.record("customer.session_started")
        journal.checkpoint()
        report = journal.verify()
    assert not report.ok and report.broken_at == ROWS and "rebuilt" in report.problem


def test_truncating_the_last_five_rows_is_caught(written):
    _sql(written, f"DELETE FROM journal WHERE id > {ROWS - 5}")
    report = _verify(written)
    assert not report.ok and report.broken_at == ROWS - 4


@pytest.mark.parametrize("sign", [_unkeyed, _guessed_key])
def test_rewriting_the_whole_chain_from_row_one_is_caught(written, sign):
    _sql(written, "UPDATE journal SET body = replace(body, '\"amount_fen\":100,', "
                  "'\"amount_fen\":1,') WHERE id = 1")
    _rebuild(written, sign)
    report = _verify(written)
    assert not report.ok and report.broken_at in (1, None)


def test_a_chain_rewritten_as_an_unkeyed_legacy_journal_is_caught(written):
    """The downgrade: every row rebuilt with the old unkeyed hash and the journal's id removed,
    so the chain walks as a legacy journal; the checkpoints remember what was here."""
    _rebuild(written, _unkeyed)
    _sql(written, "DROP TABLE journal_meta")
    with sqlite3.connect(f"file:{written}?mode=ro", uri=True) as conn:
        assert conn.execute("SELECT COUNT(*) FROM journal WHERE key_id != ''").fetchone()[0] == 0
    assert not _verify(written).ok


def test_deleting_a_row_and_rebuilding_the_chain_is_caught(written):
    _sql(written, "DELETE FROM journal WHERE id = 3")
    _rebuild(written, _unkeyed, renumber=True)
    report = _verify(written)
    assert not report.ok


def test_deleting_a_row_and_rebuilding_with_a_stolen_journal_key_is_caught_by_checkpoints(written):
    key = KeyRing.beside(written.parent).journal
    with sqlite3.connect(written) as conn:
        journal_id = conn.execute("SELECT value FROM journal_meta").fetchone()[0]
    _sql(written, "DELETE FROM journal WHERE id = 3")
    _rebuild(written, lambda prev, row: (row_mac(key, journal_id, *row, prev), key.id),
             renumber=True)
    report = _verify(written)
    assert not report.ok and "removed from the end" in report.problem


def test_re_dating_a_row_is_caught(written):
    """`eod` selects by `day`: a transfer moved to another day would vanish from the totals."""
    _sql(written, "UPDATE journal SET day = '2020-01-01' WHERE id = 4")
    report = _verify(written)
    assert not report.ok and report.broken_at == 4
    _sql(written, "UPDATE journal SET day = '2020-01-01', at = '2020-01-01' || substr(at, 11) "
                  "WHERE id = 4")
    report = _verify(written)
    assert not report.ok and report.broken_at == 4


def test_dropping_the_triggers_is_caught_and_journaled(written):
    _sql(written)   # drops them, changes nothing else
    report = _verify(written)
    assert not report.ok and "triggers were dropped" in report.problem
    with Journal(written) as journal:   # the kiosk's next start restores them and says so
        restored = list(journal.entries(kind="journal.triggers_restored"))
        assert restored[0].fields["triggers"] == ["journal_no_update", "journal_no_delete"]
        assert journal.verify().ok


@pytest.mark.parametrize("column, value", [
    ("body", json.dumps({"amount_fen": 999999, "card_key": "k5"}, separators=(",", ":"))),
    ("kind", "transfer.declined"),
    ("ref", "KSK00001:20260302:000099"),
    ("at", "2026-03-02T23:59:59.000+08:00"),
    ("prev_hash", GENESIS),
    ("hash", "f" * 64),
    ("key_id", ""),
])
def test_any_field_edited_after_dropping_the_triggers_is_caught(written, column, value):
    _sql(written, f"UPDATE journal SET {column} = '{value}' WHERE id = 5")
    report = _verify(written)
    assert not report.ok and report.broken_at in (5, 6)


def test_removed_checkpoint_store_or_forged_checkpoint_is_caught(written, tmp_path):
    store = tmp_path / "data-audit" / "journal_checkpoints.db"
    conn = sqlite3.connect(store)
    conn.execute("DROP TRIGGER checkpoint_no_update")
    conn.execute(f"UPDATE checkpoint SET rows = {ROWS - 3}")
    conn.commit()
    conn.close()
    _sql(written, f"DELETE FROM journal WHERE id > {ROWS - 3}")
    assert "not signed" in _verify(written).problem
    store.unlink()
    assert "no checkpoint" in _verify(written).problem


def test_verify_command_reports_truncation(written, capsys):
    toml = written.parent.parent / "kiosk.toml"
    toml.write_text(f'[kiosk]\ndata_dir = "{written.parent}"\n')
    assert main(["journal", "verify", "--config", str(toml)]) == 0
    _sql(written, f"DELETE FROM journal WHERE id = {ROWS}")
    assert main(["journal", "verify", "--config", str(toml), "--json"]) == 1
    out = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert out["ok"] is False and out["broken_at"] == ROWS and out["rows"] == ROWS - 1


# -- journals from before the chain was keyed ------------------------------------------------
def _legacy_journal(path, rows):
    """The old format: no key_id column, no journal id, the unkeyed sha256 chain."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE journal (id INTEGER PRIMARY KEY, at TEXT NOT NULL, day TEXT NOT "
                 "NULL, kind TEXT NOT NULL, ref TEXT NOT NULL DEFAULT '', body TEXT NOT NULL, "
                 "prev_hash TEXT NOT NULL, hash TEXT NOT NULL)")
    conn.execute("CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal "
                 "BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END")
    conn.execute("CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal "
                 "BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END")
    prev = GENESIS
    for i in range(1, rows + 1):
        at = f"2026-03-01T10:00:0{i}.000+08:00"
        body = canonical_json({"amount_fen": i})
        digest = row_hash(prev, i, at, "transfer.approved", f"OLD:{i}", body)
        conn.execute("INSERT INTO journal VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                     (i, at, at[:10], "transfer.approved", f"OLD:{i}", body, prev, digest))
        prev = digest
    conn.commit()
    conn.close()


def test_a_legacy_journal_goes_on_as_a_keyed_segment(tmp_path):
    path = tmp_path / "data" / "journal.db"
    _legacy_journal(path, 4)
    with Journal(path) as journal:
        journal.record("customer.session_started")
        journal.checkpoint()
        report = journal.verify()
    assert report.ok and report.rows == 5 and report.legacy_rows == 4
    # the keyed row after them holds the legacy rows: their day is checked, their hash linked
    _sql(path, "UPDATE journal SET day = '2026-02-28' WHERE id = 2")
    assert _verify(path).broken_at == 2
    _sql(path, "UPDATE journal SET day = '2026-03-01' WHERE id = 2",
         "UPDATE journal SET body = '{\"amount_fen\":7}' WHERE id = 2")
    _rebuild(path, _unkeyed)   # rebuilt legacy rows no longer meet the keyed row 5
    assert not _verify(path).ok
