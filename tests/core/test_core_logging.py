import json
import logging
import os
import subprocess
import sys
import zipfile

from kiosk.logging_setup import configure_logging


def test_log_file_never_holds_a_full_card_or_id_number(tmp_path):
    path = configure_logging(tmp_path, "INFO", console=False)
    log = logging.getLogger("kiosk.test")
    try:
        log.info("card %s read", "6222020000000000018")
        try:
            raise ValueError("bad id 110101199003071030")
        except ValueError:
            log.exception("failed")
    finally:
        for handler in logging.getLogger().handlers:
            handler.flush()
        logging.getLogger().handlers.clear()
    text = path.read_text(encoding="utf-8")
    assert "622202*********0018" in text and "110101********1030" in text
    assert "6222020000000000018" not in text and "110101199003071030" not in text


def test_the_file_log_rotates_by_size_and_the_bundle_holds_every_file(tmp_path):
    from kiosk.config import load_config
    from kiosk.technician import export_bundle
    (tmp_path / "kiosk.toml").write_text('[kiosk]\ndata_dir = "data"\n')
    config = load_config(tmp_path / "kiosk.toml")
    path = configure_logging(config.data_dir / "log", "INFO", console=False, max_bytes=4000,
                             backups=3)
    log = logging.getLogger("kiosk.test")
    try:
        for n in range(200):
            log.info("line %03d card %s", n, "6222020000000000018")
    finally:
        logging.getLogger().handlers.clear()
    files = sorted(path.parent.glob("kiosk.log*"))
    assert [f.name for f in files] == ["kiosk.log", "kiosk.log.1", "kiosk.log.2", "kiosk.log.3"]
    assert all(f.stat().st_size <= 4000 and f.stat().st_mode & 0o777 == 0o600 for f in files)
    assert "line 199" in path.read_text()
    bundle = export_bundle(config, tmp_path / "out")
    with zipfile.ZipFile(bundle) as zf:
        logs = {n: zf.read(n).decode() for n in zf.namelist() if n.startswith("logs/")}
    assert set(logs) == {f"logs/{f.name}" for f in files}
    assert all("622202*********0018" in text and "6222020000000000018" not in text
               for text in logs.values())


JOURNAL_CHILD = """
import logging, sys
from pathlib import Path
from kiosk.logging_setup import configure_logging
configure_logging(Path(sys.argv[1]), "INFO")
log = logging.getLogger("kiosk.child")
log.info("card %s read", "6222020000000000018")
try:
    raise ValueError("bad id 110101199003071030")
except ValueError:
    log.exception("failed for 测试甲")
"""


def _child(tmp_path, journal: bool):
    read, write = os.pipe()
    st = os.fstat(write)
    env = {**os.environ, "JOURNAL_STREAM": f"{st.st_dev}:{st.st_ino}" if journal else ""}
    child = subprocess.run([sys.executable, "-c", JOURNAL_CHILD, str(tmp_path / "log")],
                           stdout=write, stderr=subprocess.PIPE, env=env, timeout=60)
    os.close(write)
    with os.fdopen(read) as fh:
        return fh.read(), child.stderr.decode()


def test_under_systemd_the_console_log_is_scrubbed_json_lines_on_stdout(tmp_path):
    out, err = _child(tmp_path, journal=True)
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["message"] for r in records] == ["card 622202*********0018 read", "failed for 测试甲"]
    assert records[0]["level"] == "INFO" and records[0]["logger"] == "kiosk.child"
    assert records[0]["time"].endswith("+00:00")
    assert "110101********1030" in records[1]["exception"]
    assert "6222020000000000018" not in out + err and "110101199003071030" not in out + err
    assert err == ""


def test_outside_systemd_the_console_log_stays_text_on_stderr(tmp_path):
    out, err = _child(tmp_path, journal=False)
    assert out == "" and "INFO kiosk.child: card 622202*********0018 read" in err
