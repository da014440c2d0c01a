"""Configuration: typed, validated, refuses bad files with file/key/found/expected."""
from pathlib import Path

import pytest

from kiosk.config import DEFAULT_CONFIG, PRODUCTION_EXAMPLE, ConfigError, load_config



def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "kiosk.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_default_config_is_emulated_sandbox_chinese():
    config = load_config()
    assert config.source == DEFAULT_CONFIG.resolve()
    assert config.ui.language == "zh_CN"
    assert config.host.backend == "sandbox"
    assert config.emulated
    for name in ("chipcard", "idcard", "printer", "camera", "scanner"):
        assert getattr(config.devices, name).backend == "emulator", name


def test_production_example_loads_with_real_devices_and_kiosk_window():
    config = load_config(PRODUCTION_EXAMPLE, resolve=False)
    assert not config.emulated
    assert config.devices.printer.port.startswith("/dev/kiosk/")  # udev names (deploy/udev)
    assert config.ui.fullscreen and not config.ui.show_cursor
    assert not config.ui.multitouch_emulation
    assert config.host.backend == "iso8583"


def test_relative_paths_resolve_against_the_file(tmp_path):
    config = load_config(write(tmp_path, '[kiosk]\ndata_dir = "data"\n'))
    assert config.data_dir == (tmp_path / "data").resolve()
    assert config.path("/abs/x.db") == Path("/abs/x.db")
    # a serial port: a pyserial URL as written, a device or pty path like every other path
    assert config.port("socket://127.0.0.1:9100") == "socket://127.0.0.1:9100"
    assert config.port("/dev/kiosk/printer") == "/dev/kiosk/printer"
    assert config.port("{data_dir}/run/scanner.pty") == str(config.data_dir / "run" / "scanner.pty")


@pytest.mark.parametrize("text, key, expected", [
    ('[devices.printer]\nbaud = "fast"\n', "devices.printer.baud", "an integer"),
    ('[devices.printer]\nbackend = "usb"\n', "devices.printer.backend", "one of 'emulator', 'serial'"),
    ('[ui]\nwidth = 10\n', "ui.width", "between 320 and 7680"),
    ('[ui]\nfullscreen = "yes"\n', "ui.fullscreen", "true or false"),
    ('[devices.idcard]\nbaud = "quick"\n', "devices.idcard.baud", "an integer or one of 'auto'"),
    ('[devices.camera]\nsymbologies = "QRCODE"\n', "devices.camera.symbologies", "an array of a string"),
    ('[host]\nbackend = "sandbox"\nmystery = 1\n', "host.mystery", "no such key"),
    ('[nonsense]\n', "nonsense", "no such key"),
    ('[host]\nbackend = "iso8583"\n', "host.tls_cert", "mutual TLS"),
    # every serial device section shares the line checks (the scanner had none of its own)
    ('[devices.scanner]\ntimeout_s = 0\n', "devices.scanner.timeout_s", "a positive number"),
    ('[devices.printer]\npoll_interval_s = -1\n', "devices.printer.poll_interval_s", "a positive"),
    ('[devices.idcard]\ntimeout_s = 0\n', "devices.idcard.timeout_s", "a positive number"),
    ('[devices.idcard]\npoll_interval_s = 0\n', "devices.idcard.poll_interval_s", "between 0.05"),
    # a console role mistyped would have counted as ops (every branch); half a TLS pair
    ('[console.roles]\nwang = "auditer"\n', "console.roles.wang", "ops, auditor or branch:CODE"),
    ('[console.roles]\nli = "branch:"\n', "console.roles.li", "ops, auditor or branch:CODE"),
    ('[console]\ntls_cert = "c.pem"\n', "console.tls_cert", "both tls_cert and tls_key"),
    ('[console]\nlisten = "nowhere"\n', "console.listen", "HOST:PORT"),
])
def test_bad_values_are_refused_naming_file_key_found_and_expected(tmp_path, text, key, expected):
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_config(path)
    message = str(err.value)
    assert str(path) in message
    assert f"[{key}]" in message
    assert expected in message
    assert err.value.key == key


def test_syntax_error_and_missing_file_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="valid TOML"):
        load_config(write(tmp_path, "[ui\nwidth=1"))
    with pytest.raises(ConfigError, match="an existing TOML file"):
        load_config(tmp_path / "nope.toml")


def test_booleans_are_not_integers(tmp_path):
    with pytest.raises(ConfigError, match="found True"):
        load_config(write(tmp_path, "[devices.printer]\nbaud = true\n"))


def test_with_device_changes_one_section_only():
    config = load_config()
    changed = config.with_device("printer", port="/tmp/p")
    assert changed.devices.printer.port == "/tmp/p"
    assert config.devices.printer.port != "/tmp/p"
    assert changed.devices.idcard == config.devices.idcard
