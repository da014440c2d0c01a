"""The checks a configuration passes before a service starts, beyond each key's own type and
range: secrets, password hashes, URLs, files that must exist, the data folder, and the
production profile's rules. Every problem names its key; secret values are never echoed.
"""
from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from .addresses import url_problem
from .config import TEST_TERMINAL_KEY, KioskConfig, KioskSection
from .config_schema import MUST_EXIST, SECRET, ConfigError, Hidden, marked
from .console.passwords import MIN_N, hash_problem

# keys whose shipped values are examples to replace, never a branch's real ones
TEST_KEYS = {TEST_TERMINAL_KEY, "00112233445566778899AABBCCDDEEFF"}
PLACEHOLDER_BANK = {KioskSection.bank_name, KioskSection.bank_name_en}
HIDDEN = Hidden("a value (not shown)")
WEBHOOKS = ("wecom_webhook", "dingtalk_webhook")


def check_config(config: KioskConfig, referenced: set[str], file: str) -> list[ConfigError]:
    """Every problem found (empty when the configuration may start a service)."""
    problems: list[tuple[str, object, str]] = []
    production = config.kiosk.profile == "production"
    problems += _accounts(config, production)
    problems += _urls(config, ("https",) if production else ("https", "http"))
    problems += _files(config)
    if production:
        problems += _production(config, referenced)
    return [ConfigError(file, key, found, expected) for key, found, expected in problems]


def _accounts(config: KioskConfig, production: bool) -> list[tuple[str, object, str]]:
    found = []
    console = config.console
    if production and console.enabled and not console.staff:
        found.append(("console.staff", console.staff, "at least one staff account when the "
                      "console is enabled (user = hash from `kiosk console --hash-password`)"))
    for user, stored in console.staff.items():
        problem = hash_problem(stored)
        if problem:
            found.append((f"console.staff.{user}", HIDDEN, problem))
    technician = config.technician
    if technician.pin_hash:   # six digits: only a costly hash keeps them from a brute force
        problem = hash_problem(technician.pin_hash, MIN_N)
        if problem:
            found.append(("technician.pin_hash", HIDDEN, problem))
    if technician.card_key and not re.fullmatch(r"(?:[0-9a-fA-F]{2}){32,}",
                                                technician.card_key):
        found.append(("technician.card_key", HIDDEN, "at least 64 hex digits (32 bytes)"))
    return found


def _urls(config: KioskConfig, web: tuple[str, ...]) -> list[tuple[str, object, str]]:
    found = []
    problem = url_problem(config.fleet.mqtt_url, ("mqtt", "mqtts"))
    if problem:
        found.append(("fleet.mqtt_url", config.fleet.mqtt_url, problem))
    notify = config.notify
    for name in WEBHOOKS:
        url = getattr(notify, name)
        if url and url_problem(url, web):
            found.append((f"notify.{name}", HIDDEN, url_problem(url, web)))
    if notify.enabled and not any(getattr(notify, name) for name in WEBHOOKS):
        found.append(("notify.wecom_webhook", notify.wecom_webhook,
                      "a WeCom or DingTalk webhook URL when notifications are enabled"))
    return found


def _files(config: KioskConfig) -> list[tuple[str, object, str]]:
    found = []
    for key, value in marked(config, MUST_EXIST):
        if value and not config.path(value).is_file():
            found.append((key, value, f"an existing file ({config.path(value)} is missing)"))
    return found


def _production(config: KioskConfig, referenced: set[str]) -> list[tuple[str, object, str]]:
    found = []
    for key, value in marked(config, SECRET):
        if value and key not in referenced:
            found.append((key, HIDDEN, "a reference, credential:NAME (a file in "
                          "$CREDENTIALS_DIRECTORY) or env:NAME, not the secret itself"))
    if config.host.plaintext_demo:
        found.append(("host.plaintext_demo", True, "false: mutual TLS to the bank host (plain "
                      "TCP only in the development profile)"))
    if config.host.terminal_key_hex.upper() in TEST_KEYS:
        found.append(("host.terminal_key_hex", HIDDEN,
                      "the branch's own terminal key, not the built-in test key"))
    for name in ("bank_name", "bank_name_en"):
        if getattr(config.kiosk, name) in PLACEHOLDER_BANK:
            found.append((f"kiosk.{name}", getattr(config.kiosk, name),
                          "the bank's own name, not the built-in placeholder"))
    problem = data_dir_problem(config.data_dir)
    if problem:
        found.append(("kiosk.data_dir", str(config.data_dir), problem))
    return found


def data_dir_problem(folder: Path) -> str | None:
    """Create the data folder (0700) if needed and prove it writable and private."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        probe = folder / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        return f"a folder the kiosk can create and write ({exc.strerror or exc})"
    if folder.stat().st_mode & stat.S_IRWXO:
        return "a folder other users cannot read (chmod o-rwx; the installer makes it 0700)"
    return None
