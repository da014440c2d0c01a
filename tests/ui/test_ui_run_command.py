"""`kiosk run` refuses a bad configuration before any window opens (exit 2, a clear message)."""
from __future__ import annotations

import subprocess
import sys

from kiosk.config import REPO_ROOT


def run_kiosk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "screens", "run", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=60)


def test_bad_config_exits_2_naming_file_and_key(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[ui]\nwidth = "wide"\n', encoding="utf-8")
    done = run_kiosk("--config", str(bad))
    assert done.returncode == 2
    assert str(bad) in done.stderr and "ui.width" in done.stderr and "'wide'" in done.stderr
    assert "kivy" not in done.stderr.lower()          # refused before Kivy was even loaded


def test_missing_font_exits_2_before_any_window(tmp_path):
    config = tmp_path / "kiosk.toml"
    config.write_text('[ui]\nfont = "no-such-font.ttc"\n', encoding="utf-8")
    done = run_kiosk("--config", str(config))
    assert done.returncode == 2
    assert "[ui.font]" in done.stderr and "no-such-font.ttc" in done.stderr


def test_unsafe_data_folder_or_missing_key_exits_2_before_any_window(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    data.chmod(0o777)
    config = tmp_path / "kiosk.toml"
    config.write_text(f'[kiosk]\ndata_dir = "{data}"\n', encoding="utf-8")
    done = run_kiosk("--config", str(config))
    assert done.returncode == 2 and "can be written by other users" in done.stderr
    assert "Traceback" not in done.stderr
    data.chmod(0o700)
    config.write_text(f'[kiosk]\ndata_dir = "{data}"\n[keys]\nfolder = "{tmp_path / "keys"}"\n'
                      'generate = false\n', encoding="utf-8")
    done = run_kiosk("--config", str(config))
    assert done.returncode == 2 and "journal.key is missing" in done.stderr
    assert "kivy" not in done.stderr.lower()
