"""Camera and scanner configuration: shipped files load, bad values are refused with the key."""
import pytest

from drivers.barcode.camera import CameraReader
from drivers.barcode.serial_scanner import SerialScanner
from kiosk.config import ConfigError, load_config
from kiosk.resources import DEFAULTS_DIR

from .helpers import only_device_config


@pytest.mark.parametrize("name", ["kiosk.toml", "production.example.toml"])
def test_shipped_configs_build_both_drivers(name):
    config = load_config(DEFAULTS_DIR / name, resolve=False)
    camera = CameraReader.from_config("camera", config.devices.camera, config)
    scanner = SerialScanner.from_config("scanner", config.devices.scanner, config)
    assert camera.status() == {"device": "starting", "camera": "unknown", "format": ""}
    assert scanner.framing == "cr" and scanner.poll_interval > 0


def test_relative_sources_resolve_against_the_config_file(tmp_path):
    config = only_device_config(tmp_path, "camera",
                                '[devices.camera]\nsource = "clips/lobby.avi"\n'
                                'roi = [0.25, 0.25, 0.5, 0.5]\n')
    camera = CameraReader.from_config("camera", config.devices.camera, config)
    assert camera.source == str(tmp_path / "clips" / "lobby.avi")
    assert camera._step[2].w == 0.5


@pytest.mark.parametrize("line,key", [
    ("roi = [0.5, 0.5]", "devices.camera.roi"),
    ("roi = [0, 0, 1.5, 1]", "devices.camera.roi"),
    ("decode_width = -1", "devices.camera.decode_width"),
])
def test_bad_camera_values_name_the_key(tmp_path, line, key):
    with pytest.raises(ConfigError) as info:
        only_device_config(tmp_path, "camera", f"[devices.camera]\n{line}\n")
    assert info.value.key == key
