"""Files the kiosk ships inside its packages (catalogs, font, default configuration, ISO 8583
spec, card profiles, people, .kv files), found with importlib.resources so an installed wheel
runs outside any checkout exactly as the checkout does.

pip installs wheels unpacked, so each resource is a real file; Kivy, SQLite and fonts need a
filesystem path, not a stream.
"""
from __future__ import annotations

from drivers.resources import shipped

FONT = shipped("kiosk", "assets", "fonts", "wqy-microhei.ttc")
LOCALE_DIR = shipped("kiosk", "locale")
DEFAULTS_DIR = shipped("kiosk", "defaults")
