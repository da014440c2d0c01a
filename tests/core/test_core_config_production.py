"""The production profile refuses to start, naming the key, on every case of issue 19; secrets
come from credential files or the environment, never from the file."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.config import PRODUCTION_EXAMPLE, TEST_TERMINAL_KEY, ConfigError, load_config
from kiosk.console.passwords import hash_password

HASH = hash_password("not-the-real-one")
KEY = "A1B2C3D4E5F60718293A4B5C6D7E8F90"
EXAMPLE_SECRETS = {"terminal-key": KEY, "fleet-password": "fleet-pw-7731",
                   "console-duty-manager": HASH, "wecom-webhook":
                   "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k-123",
                   "dingtalk-webhook": "https://oapi.dingtalk.com/robot/send?access_token=t-456",
                   "dingtalk-secret": "SEC0123456789", "technician-pin-hash": HASH,
                   "technician-card-key": "5e" * 32}


def to_toml(tables: dict) -> str:
    lines = []

    def table(name: str, body: dict) -> None:
        lines.append(f"[{name}]")
        subs = {k: v for k, v in body.items() if isinstance(v, dict)}
        for k, v in body.items():
            if not isinstance(v, dict):
                lines.append(f"{json.dumps(k)} = {json.dumps(v, ensure_ascii=False)}")
        for k, v in subs.items():
            table(f"{name}.{k}", v)

    for name, body in tables.items():
        table(name, body)
    return "\n".join(lines) + "\n"


@pytest.fixture
def site(tmp_path, monkeypatch):
    """A production configuration that starts, with its credentials folder."""
    creds = tmp_path / "credentials"
    creds.mkdir()
    for name, value in {"terminal-key": KEY, "fleet-password": "fleet-pw-7731",
                        "wecom-webhook": EXAMPLE_SECRETS["wecom-webhook"]}.items():
        (creds / name).write_text(value + "\n")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    for name in ("ca.pem", "KSK00107.pem", "KSK00107.key"):
        (tmp_path / name).write_text("-----BEGIN CERTIFICATE-----\n")
    data = tmp_path / "data"
    data.mkdir(mode=0o700)
    tables = {
        "kiosk": {"profile": "production", "id": "KSK-0107", "bank_name": "浦江银行",
                  "bank_name_en": "Pujiang Bank", "data_dir": str(data)},
        "host": {"backend": "iso8583", "address": "10.20.30.40:8583",
                 "terminal_key_hex": "credential:terminal-key", "tls_ca": str(tmp_path / "ca.pem"),
                 "tls_cert": str(tmp_path / "KSK00107.pem"),
                 "tls_key": str(tmp_path / "KSK00107.key")},
        "fleet": {"enabled": True, "mqtt_url": "mqtts://mqtt.branch.example:8883",
                  "password": "credential:fleet-password", "tls_ca": str(tmp_path / "ca.pem")},
        "console": {"enabled": True, "listen": "192.168.10.20:8080",
                    "staff": {"duty-manager": HASH}},
        "notify": {"enabled": True, "wecom_webhook": "credential:wecom-webhook"},
        "technician": {"pin_hash": HASH},
    }
    return tmp_path, tables, creds


def load(tmp_path: Path, tables: dict):
    path = tmp_path / "kiosk.toml"
    path.write_text(to_toml(tables), encoding="utf-8")
    return load_config(path)


def test_the_site_configuration_starts(site):
    tmp_path, tables, _ = site
    config = load(tmp_path, tables)
    assert config.host.terminal_key_hex == KEY                 # read from the credential file
    assert config.fleet.password == "fleet-pw-7731"            # trailing newline dropped
    assert config.notify.wecom_webhook.endswith("key=k-123")


def _set(tables, dotted, value):
    *path, last = dotted.split(".")
    node = tables
    for part in path:
        node = node.setdefault(part, {})
    if value is None:
        node.pop(last, None)
    else:
        node[last] = value


CASES = [  # (case, key to set, value, or a credential to write; the key the refusal names)
    ("built-in test key", "cred:terminal-key", TEST_TERMINAL_KEY, "host.terminal_key_hex"),
    ("example placeholder key", "cred:terminal-key", "00112233445566778899AABBCCDDEEFF",
     "host.terminal_key_hex"),
    ("terminal key written in the file", "host.terminal_key_hex", KEY, "host.terminal_key_hex"),
    ("plain-text staff password", "console.staff.duty-manager", "hunter2-secret",
     "console.staff.duty-manager"),
    ("unknown hash format", "console.staff.duty-manager", "$2b$12$abcdefghijklmnopqrstuv",
     "console.staff.duty-manager"),
    ("console enabled with no staff", "console.staff", {}, "console.staff"),
    ("host address not HOST:PORT", "host.address", "not-an-address", "host.address"),
    ("console listen not HOST:PORT", "console.listen", "8080", "console.listen"),
    ("broker URL not a URL", "fleet.mqtt_url", "mqtts//mqtt.branch.example", "fleet.mqtt_url"),
    ("broker URL with no host", "fleet.mqtt_url", "mqtt://:1883", "fleet.mqtt_url"),
    ("missing CA file", "fleet.tls_ca", "/etc/kiosk/no-such-ca.pem", "fleet.tls_ca"),
    ("bank host over plain TCP", "host.plaintext_demo", True, "host.plaintext_demo"),
    ("missing terminal certificate", "host.tls_cert", "/etc/kiosk/no-such.pem", "host.tls_cert"),
    ("kiosk id outside [A-Za-z0-9-]", "kiosk.id", "KSK/00+1", "kiosk.id"),
    ("data folder not writable", "kiosk.data_dir", "/proc/nope", "kiosk.data_dir"),
    ("data folder world-readable", "chmod:data", 0o755, "kiosk.data_dir"),
    ("notifications with no webhook", "notify.wecom_webhook", None, "notify.wecom_webhook"),
    ("notifications with a malformed webhook", "cred:wecom-webhook",
     "http//qyapi.weixin.qq.com/send", "notify.wecom_webhook"),
    ("webhook over plain http", "cred:wecom-webhook",
     "http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "notify.wecom_webhook"),
    ("technician PIN in clear", "technician.pin_hash", "1234", "technician.pin_hash"),
    ("broker password written in the file", "fleet.password", "fleet-pw-7731",
     "fleet.password"),
    ("secret missing", "cred:fleet-password", None, "fleet.password"),
    ("placeholder bank name", "kiosk.bank_name", "示例银行", "kiosk.bank_name"),
]


@pytest.mark.parametrize("case, key, value, refused", CASES, ids=[c[0] for c in CASES])
def test_production_profile_refuses(site, case, key, value, refused):
    tmp_path, tables, creds = site
    if key.startswith("cred:"):
        name = key[5:]
        if value is None:
            (creds / name).unlink()
        else:
            (creds / name).write_text(value)
    elif key.startswith("chmod:"):
        (tmp_path / key[6:]).chmod(value)
    else:
        _set(tables, key, value)
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, tables)
    message = str(caught.value)
    assert f"[{refused}]" in message, message
    for secret in ("hunter2-secret", "fleet-pw-7731", "1234", TEST_TERMINAL_KEY, KEY):
        assert secret not in message     # a refusal never echoes a secret


@pytest.mark.parametrize("key, value", [("console.listen", "8080"),
                                        ("host.address", "not-an-address"),
                                        ("kiosk.id", "KSK/00+1"),
                                        ("technician.pin_hash", "1234")])
def test_every_profile_refuses_malformed_values(tmp_path, key, value):
    tables = {"kiosk": {"data_dir": "var"}}
    _set(tables, key, value)
    with pytest.raises(ConfigError, match=rf"\[{key}\]"):
        load(tmp_path, tables)


def _example_copy(tmp_path: Path) -> Path:
    """The shipped example with only the site's paths moved into tmp_path."""
    data = tmp_path / "data"
    (tmp_path / "fleet-ca.pem").write_text("-----BEGIN CERTIFICATE-----\n")
    (tmp_path / "tls").mkdir()
    for name in ("bank-ca.pem", "KSK00107.pem", "KSK00107.key"):
        (tmp_path / "tls" / name).write_text("-----BEGIN CERTIFICATE-----\n")
    text = PRODUCTION_EXAMPLE.read_text(encoding="utf-8")
    text = text.replace("/var/lib/kiosk", str(data)).replace("/etc/kiosk/fleet-ca.pem",
                                                             str(tmp_path / "fleet-ca.pem"))
    text = text.replace("/etc/kiosk/tls", str(tmp_path / "tls"))
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_without_secrets_names_each_missing_one(tmp_path, monkeypatch):
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    path = _example_copy(tmp_path)
    env = {k: v for k, v in os.environ.items() if k != "CREDENTIALS_DIRECTORY"}
    started = subprocess.run([sys.executable, "-m", "screens", "run", "--config", str(path)],
                             capture_output=True, text=True, timeout=60, env=env)
    assert started.returncode == 2
    for key in ("host.terminal_key_hex", "fleet.password", "console.staff.duty-manager",
                "notify.wecom_webhook", "notify.dingtalk_webhook", "notify.dingtalk_secret",
                "technician.pin_hash"):
        assert f"[{key}]" in started.stderr, key


def test_example_with_credential_files_starts(tmp_path, monkeypatch):
    creds = tmp_path / "credentials"
    creds.mkdir()
    for name, value in EXAMPLE_SECRETS.items():
        (creds / name).write_text(value + "\n")
        (creds / name).chmod(0o400)
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(creds))
    config = load_config(_example_copy(tmp_path))
    assert config.kiosk.profile == "production"
    assert config.host.terminal_key_hex == KEY
    assert config.console.staff == {"duty-manager": HASH}
    assert config.notify.dingtalk_secret == "SEC0123456789"
    assert (tmp_path / "data").stat().st_mode & 0o777 == 0o700   # made private


def test_secrets_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_FLEET_PASSWORD", "from-env-99")
    config = load(tmp_path, {"kiosk": {"data_dir": "var"},
                             "fleet": {"password": "env:KIOSK_FLEET_PASSWORD"}})
    assert config.fleet.password == "from-env-99"
    monkeypatch.delenv("KIOSK_FLEET_PASSWORD")
    with pytest.raises(ConfigError, match=r"\[fleet.password\].*KIOSK_FLEET_PASSWORD"):
        load(tmp_path, {"kiosk": {"data_dir": "var"},
                        "fleet": {"password": "env:KIOSK_FLEET_PASSWORD"}})


def test_diag_reads_the_example_without_secrets(tmp_path, monkeypatch):
    monkeypatch.delenv("CREDENTIALS_DIRECTORY", raising=False)
    config = load_config(_example_copy(tmp_path), resolve=False)
    assert config.devices.printer.port == "/dev/kiosk/printer"
