"""The printer's configuration sections refuse values a printer cannot work with."""
from __future__ import annotations

import pytest

from kiosk.config import ConfigError, load_config


@pytest.mark.parametrize("table, expected", [
    ("[devices.printer]\nstatus_timeout_ms = 0\n", "devices.printer.status_timeout_ms"),
    ("[devices.printer]\nbaud = 12345\n", "devices.printer.baud"),
    ("[devices.printer]\npaper_width_dots = 570\n", "devices.printer.paper_width_dots"),
    ("[devices.printer.emulator]\nnear_end_lines = -1\n",
     "devices.printer.emulator.near_end_lines"),
    ("[devices.printer.emulator]\npaper_lines = 0\n", "devices.printer.emulator.paper_lines"),
])
def test_bad_printer_config_is_refused_naming_the_key(tmp_path, table, expected):
    toml = tmp_path / "kiosk.toml"
    toml.write_text(table, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(toml)
    assert info.value.key == expected
