"""The kiosk runs from a wheel installed outside any checkout: everything it reads at run time
ships inside the package."""
from __future__ import annotations

import json
import os
import subprocess
import zipfile

import pytest

from kiosk.config import REPO_ROOT
from kiosk.version import kiosk_version

pytestmark = pytest.mark.slow

SHIPPED = ("kiosk/locale/zh_CN/LC_MESSAGES/kiosk.po", "kiosk/locale/en/LC_MESSAGES/kiosk.po",
           "kiosk/assets/fonts/wqy-microhei.ttc", "kiosk/defaults/kiosk.toml",
           "kiosk/defaults/production.example.toml", "kiosk/host/iso8583_spec.json",
           "drivers/chipcard/profiles/blocked_card.toml", "drivers/idcard/people/ceshi_jia.json",
           "screens/root.kv", "screens/widgets/keypad.kv", "screens/technician.kv")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PYTHON", "VIRTUAL_ENV", "KIOSK_"))}
    return {**env, **extra}


def test_wheel_holds_every_runtime_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert not [n for n in SHIPPED if n not in names]


def test_wheel_holds_every_data_file_of_the_packages(wheel):
    """A data file someone adds under kiosk/, drivers/ or screens/ must reach the wheel
    (pyproject.toml's package-data), or an installed kiosk runs without it."""
    tracked = subprocess.run(["git", "ls-files", "kiosk", "drivers", "screens"], cwd=REPO_ROOT,
                             capture_output=True, text=True)
    if tracked.returncode != 0:
        pytest.skip("not a git checkout")
    data = {n for n in tracked.stdout.splitlines()
            if not n.endswith((".py", "README.md")) and "/tests/" not in n}
    assert data and not data - set(zipfile.ZipFile(wheel).namelist())


def test_installed_kiosk_runs_outside_the_checkout(installed, tmp_path):
    work = tmp_path / "elsewhere"
    work.mkdir()
    assert not str(work).startswith(str(REPO_ROOT))
    version = subprocess.run([installed / "kiosk", "--version"], cwd=work, env=clean_env(),
                             capture_output=True, text=True, timeout=60)
    assert version.returncode == 0 and version.stdout.strip() == f"kiosk {kiosk_version()}"

    probe = ("import kiosk, kiosk.i18n as i, kiosk.resources as r, kiosk.host.iso8583_wire as w;"
             "print(kiosk.__file__, i.translate('zh_CN', 'Welcome'), r.FONT.is_file(),"
             " len(w.load_dialect().fields) > 10)")
    shown = subprocess.run([installed / "python", "-c", probe], cwd=work, env=clean_env(),
                           capture_output=True, text=True, timeout=60, check=True)
    package_file, welcome, font_there, spec_read = shown.stdout.split()
    assert package_file.startswith(str(installed.parent)) and welcome == "欢迎光临"
    assert (font_there, spec_read) == ("True", "True")

    # the chip card needs the machine's pcscd: left out; every pty emulator opens from the wheel
    (work / "kiosk.toml").write_text('[kiosk]\ndata_dir = "data"\n[devices.chipcard]\n'
                                     'enabled = false\n[devices.camera]\nenabled = false\n')
    diag = subprocess.run([installed / "kiosk", "diag", "--json"], cwd=work,
                          env=clean_env(KIOSK_CONFIG="kiosk.toml"), capture_output=True,
                          text=True, timeout=120)
    assert diag.returncode == 0, diag.stderr
    report = json.loads(diag.stdout)
    assert report["devices"]["printer"]["status"]["device"] == "online"   # renders with the font
    assert report["devices"]["idcard"]["status"]["device"] == "online"    # people from the wheel
    assert (work / "data" / "run").is_dir()
