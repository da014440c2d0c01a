"""The electronic journal: masking, append-only, hash chain that shows where it was changed."""
from __future__ import annotations

import sqlite3

import pytest

from kiosk.cli import main
from kiosk.journal import Journal


def test_numbers_masked_and_secrets_refused(journal):
    journal.record("customer.card_inserted", pan="6222020000000000018",
                   id_number="110101199003071030", note="card 6222020000000000034 read")
    row = next(journal.entries())
    assert row.fields == {"pan": "622202*********0018", "id_number": "110101********1030",
                          "note": "card 622202*********0034 read"}
    with pytest.raises(ValueError):
        journal.record("customer.pin_entered", pin="123456")
    assert journal.count() == 1


def test_rows_cannot_be_changed_or_deleted_through_sqlite(journal):
    journal.record("device.fault", device="printer", fault="paper_out")
    conn = sqlite3.connect(journal.path)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE journal SET body = '{}' WHERE id = 1")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM journal")
    conn.close()


def _tamper(path, sql):
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER journal_no_update")
    conn.execute("DROP TRIGGER journal_no_delete")
    conn.execute(sql)
    conn.commit()
    conn.close()


@pytest.mark.parametrize("sql, broken_at", [
    ("UPDATE journal SET body = '{\"amount_fen\":1}' WHERE id = 3", 3),
    ("DELETE FROM journal WHERE id = 2", 3),
    ("UPDATE journal SET kind = 'receipt.printed' WHERE id = 4", 4),
])
def test_verify_names_the_first_row_that_does_not_fit(tmp_path, sql, broken_at):
    path = tmp_path / "journal.db"
    with Journal(path) as journal:
        for i in range(5):
            journal.record("transfer.approved", ref=f"KSK:{i}", amount_fen=100 * i)
        assert journal.verify().ok and journal.verify().rows == 5
    _tamper(path, sql)
    with Journal(path) as journal:
        report = journal.verify()
    assert not report.ok and report.broken_at == broken_at


def test_journal_verify_command_exit_codes(tmp_path, capsys):
    toml = tmp_path / "kiosk.toml"
    toml.write_text(f'[kiosk]\ndata_dir = "{tmp_path}"\n')
    with Journal(tmp_path / "journal.db") as journal:
        journal.record("customer.session_started")
        journal.record("customer.session_ended")
    assert main(["journal", "verify", "--config", str(toml)]) == 0
    out = capsys.readouterr().out
    assert "intact: 2 rows" in out and "latest checkpoint: 2 rows" in out
    _tamper(tmp_path / "journal.db", "UPDATE journal SET ref = 'x' WHERE id = 2")
    assert main(["journal", "verify", "--config", str(toml)]) == 1
    assert "BROKEN at row 2" in capsys.readouterr().out


def test_device_events_journaled_without_personal_data(journal):
    from drivers.base import DeviceEvent, StatusChanged
    from kiosk.events import EventBus
    from kiosk.journal import attach_device_events
    bus = EventBus()
    detach = attach_device_events(journal, bus)
    bus.publish(StatusChanged("printer", "printer", "paper", "low", "out"))
    bus.publish(StatusChanged("printer", "printer", "paper", "out", "full"))
    bus.publish(DeviceEvent("idcard", "idcard", "MediaInsertedEvent",
                            {"name": "测试甲", "id_number": "110101199003071030"}))
    detach()
    bus.publish(StatusChanged("printer", "printer", "device", "online", "offline"))
    rows = list(journal.entries(kind_prefix="device."))
    assert [r.kind for r in rows] == ["device.fault", "device.status", "device.event"]
    assert rows[0].fields["device"] == "printer" and rows[0].fields["new"] == "out"
    assert rows[2].fields["data_keys"] == ["id_number", "name"]
    assert "测试甲" not in str(rows[2].fields) and "1101011990" not in str(rows[2].fields)


def test_journal_show_command_prints_masked_rows(tmp_path, capsys):
    toml = tmp_path / "kiosk.toml"
    toml.write_text(f'[kiosk]\ndata_dir = "{tmp_path}"\n')
    with Journal(tmp_path / "journal.db") as journal:
        journal.record("customer.card_inserted", pan="6222020000000000018")
        journal.record("receipt.printed", document="balance")
    assert main(["journal", "show", "--config", str(toml), "--json", "--kind", "customer."]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and '"622202*********0018"' in lines[0]
