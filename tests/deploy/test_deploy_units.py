"""The systemd units pass `systemd-analyze verify`, carry the supervision and hardening the
issue asks for, and hand the app every credential the production example names; the udev
rules give each configured device its stable name."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from kiosk.config import PRODUCTION_EXAMPLE, REPO_ROOT

DEPLOY = REPO_ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
INSTALLED_VENV = "/opt/kiosk/venv"


def unit(name: str) -> dict[str, list[str]]:
    """key -> every value given in [Service] (keys repeat)."""
    values: dict[str, list[str]] = {}
    section = ""
    for line in (DEPLOY / "systemd" / name).read_text().splitlines():
        if line.startswith("["):
            section = line.strip("[]")
        elif "=" in line and not line.startswith("#") and section == "Service":
            key, _, value = line.partition("=")
            values.setdefault(key, []).append(value)
    return values


def _systemd_analyze() -> str:
    path = shutil.which("systemd-analyze")
    if path is None:
        pytest.skip("systemd-analyze is not installed (apt package systemd)")
    probe = subprocess.run([path, "--version"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"systemd-analyze cannot run in this container: {probe.stderr.strip()}")
    return path


@pytest.mark.slow
def test_units_pass_systemd_analyze_verify(installed, tmp_path):
    """Verified as installed, with ExecStart= pointing at a venv that holds the built wheel."""
    analyze = _systemd_analyze()
    copies = []
    for source in UNITS:
        copy = tmp_path / source.name
        copy.write_text(source.read_text().replace(INSTALLED_VENV, str(installed.parent)))
        copies.append(str(copy))
    done = subprocess.run([analyze, "verify", *copies], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and done.stdout + done.stderr == "", done.stdout + done.stderr


def test_verify_would_catch_a_broken_unit(tmp_path):
    analyze = _systemd_analyze()
    broken = tmp_path / "kiosk-app.service"
    broken.write_text((DEPLOY / "systemd" / "kiosk-app.service").read_text()
                      .replace("WatchdogSec=", "WatchdogSecs="))
    done = subprocess.run([analyze, "verify", str(broken)], capture_output=True, text=True,
                          timeout=120)
    assert "WatchdogSecs" in done.stdout + done.stderr


def test_app_unit_is_supervised_and_hardened():
    app = unit("kiosk-app.service")
    assert app["Type"] == ["notify"] and app["Restart"] == ["always"]
    assert app["WatchdogSec"] and app["NotifyAccess"] == ["main"]
    assert app["ExecStart"] == [f"{INSTALLED_VENV}/bin/kiosk run --config /etc/kiosk/kiosk.toml"]
    assert set(app["SupplementaryGroups"][0].split()) >= {"dialout", "plugdev", "video"}
    for name in ("kiosk-app.service", "kiosk-host.service", "kiosk-console.service"):
        service = unit(name)
        assert service["ProtectSystem"] == ["strict"], name
        audit = ["/var/lib/kiosk-audit"] if name == "kiosk-app.service" else []
        assert service["ReadWritePaths"] == ["/var/lib/kiosk", *audit], name
        assert service["NoNewPrivileges"] == ["yes"] and service["PrivateTmp"] == ["yes"], name
        assert service["User"] == ["kiosk"], name


def test_app_unit_loads_every_credential_the_production_example_names():
    named = set(re.findall(r'"credential:([^"]+)"', PRODUCTION_EXAMPLE.read_text()))
    loaded = {line.split(":", 1)[0] for line in unit("kiosk-app.service")["LoadCredential"]}
    assert named and named <= loaded
    assert {"journal.key", "checkpoint.key", "card.key"} <= loaded       # kiosk/keys.py


def test_udev_rules_name_each_configured_device(tmp_path):
    conf = tmp_path / "devices.conf"
    conf.write_text("IDCARD_VENDOR=067b\nIDCARD_PRODUCT=2303\nIDCARD_SERIAL=AB12-3\n"
                    "PRINTER_VENDOR=1a86  # CH340\nPRINTER_PRODUCT=7523\n"
                    "SCANNER_VENDOR=\nCAMERA_VENDOR=046d\nCAMERA_PRODUCT=0825\n")
    done = subprocess.run([DEPLOY / "udev" / "render-rules.sh", conf], capture_output=True,
                          text=True, check=True)
    rules = [r for r in done.stdout.splitlines() if not r.startswith("#")]
    assert rules == [
        'SUBSYSTEM=="tty", ATTRS{idVendor}=="067b", ATTRS{idProduct}=="2303", '
        'ATTRS{serial}=="AB12-3", SYMLINK+="kiosk/idcard", GROUP="dialout", MODE="0660"',
        'SUBSYSTEM=="tty", ATTRS{idVendor}=="1a86", ATTRS{idProduct}=="7523", '
        'SYMLINK+="kiosk/printer", GROUP="dialout", MODE="0660"',
        'SUBSYSTEM=="video4linux", ATTRS{idVendor}=="046d", ATTRS{idProduct}=="0825", '
        'ATTR{index}=="0", SYMLINK+="kiosk/camera", GROUP="video", MODE="0660"']
    example = PRODUCTION_EXAMPLE.read_text()
    for name in ("idcard", "printer", "scanner", "camera"):
        assert f'"/dev/kiosk/{name}"' in example      # the names the production config uses


def test_udev_rules_refuse_a_malformed_identity(tmp_path):
    conf = tmp_path / "devices.conf"
    conf.write_text('PRINTER_VENDOR=1a86\nPRINTER_PRODUCT=75"3\n')
    done = subprocess.run([DEPLOY / "udev" / "render-rules.sh", conf], capture_output=True,
                          text=True)
    assert done.returncode == 65 and "PRINTER" in done.stderr


def test_install_script_is_valid_bash():
    for script in ("install.sh", "check-fresh-install.sh"):
        subprocess.run(["bash", "-n", DEPLOY / script], check=True)
