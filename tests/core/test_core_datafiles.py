"""Files at rest: 0600 files in 0700 folders, no folder others can write, no symlink followed,
and a clear message (not a traceback) for a file that is not a database."""
from __future__ import annotations

import os
import stat

import pytest

from kiosk.cli import main


@pytest.fixture
def toml(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_text(f'[kiosk]\ndata_dir = "{tmp_path / "data"}"\n')
    return path


def _mode(path):
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_seeded_bank_files_are_private(toml, tmp_path):
    os.umask(0o022)   # a machine's usual umask: the kiosk must not rely on it
    assert main(["host", "seed", "--config", str(toml)]) == 0
    data = tmp_path / "data"
    assert _mode(data) == 0o700
    files = sorted(data.iterdir())
    assert any(f.name == "sandbox.db" for f in files)
    assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}


def test_a_data_folder_others_can_write_is_refused(toml, tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(0o777)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (data / "sandbox.db").symlink_to(victim)
    assert main(["host", "seed", "--config", str(toml)]) == 2
    err = capsys.readouterr().err
    assert "can be written by other users" in err and "chmod 700" in err
    assert "Traceback" not in err
    assert victim.read_text() == "precious"


@pytest.mark.parametrize("planted", ["sandbox.db", "sandbox.db-wal", "sandbox.db-shm"])
def test_a_planted_symlink_is_never_followed(toml, tmp_path, capsys, planted):
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (data / planted).symlink_to(victim)
    assert main(["host", "seed", "--config", str(toml)]) == 2
    err = capsys.readouterr().err
    assert "symbolic link" in err and planted in err and "Traceback" not in err
    assert victim.read_text() == "precious" and _mode(victim) != 0o600


def test_a_file_that_is_not_a_database_gives_a_clear_error(toml, tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    (data / "sandbox.db").write_text("this is a shopping list, not a bank\n" * 100)
    assert main(["host", "seed", "--config", str(toml)]) == 2
    err = capsys.readouterr().err
    assert "is not a SQLite database" in err and "sandbox.db" in err
    assert "Traceback" not in err


def test_an_old_world_readable_database_is_made_private(toml, tmp_path):
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    assert main(["host", "seed", "--config", str(toml)]) == 0
    (data / "sandbox.db").chmod(0o644)
    assert main(["host", "show", "--config", str(toml)]) == 0
    assert _mode(data / "sandbox.db") == 0o600
