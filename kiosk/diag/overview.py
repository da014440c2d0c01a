"""`kiosk diag` with no device named: open every configured device and report, for use over
SSH. Emulated devices get their emulators, exactly as the kiosk would start them.

The check never takes a device from a running kiosk: a serial port another program holds (the
kiosk's drivers lock their ports) is not opened and its emulator not started; an emulated
camera whose clip a running kiosk's emulator keeps is read, never rewritten and deleted.

JSON keys (a public contract): ok, devices.{name}.{enabled, backend, where, ok, status} (a
disabled device: enabled false, ok null, status {}),
alerts.{open, unsent_fleet_events} (null when there is no alert store yet), error (null, or
why devices could not be checked: ports in use; their status says deviceBusy).
Exit codes: 0 every enabled device is online, 2 at least one is not (or its port is in use).
"""
from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from drivers import registry
from drivers.serial_port import port_in_use
from drivers.status import DeviceState

from ..alerts.outbox import AlertOutbox
from ..config import ConfigError, KioskConfig, load_config
from ..device_manager import DeviceManager
from ..events import EventBus
from .busy_port import busy_port_message
from .output import EXIT_NO_DEVICE, EXIT_OK

log = logging.getLogger(__name__)

READY_MARGIN_S = 3.0
ATTACHED = "attached"  # not "emulator": the driver alone, on a running emulator's endpoint


def _where(section: Any) -> str:
    for attr in ("port", "reader", "source"):
        value = getattr(section, attr, "")
        if value:
            return str(value)
    return ""


def busy_ports(config: KioskConfig) -> dict[str, str]:
    """Enabled serial devices whose port another program holds: name -> message."""
    busy = {}
    for name in registry.DEVICE_NAMES:
        section = getattr(config.devices, name)
        port = getattr(section, "port", "")
        if section.enabled and port and "://" not in port:
            path = str(config.path(port))
            if port_in_use(path):
                busy[name] = busy_port_message(name, path)
    return busy


def running_emulator_files(config: KioskConfig) -> dict[str, dict[str, Any]]:
    """Emulated devices whose emulator serves a file that is already there (the camera clip
    of a running kiosk): name -> the emulator's endpoint. Reading the file disturbs nobody; a
    second emulator would rewrite it and delete it when diag ends."""
    found = {}
    for name in registry.DEVICE_NAMES:
        section = getattr(config.devices, name)
        if section.enabled and section.backend == "emulator" and not getattr(section, "port", ""):
            endpoint = registry.emulator_class(name).from_config(section, config).endpoint()
            if Path(endpoint.get("source", "")).is_file():
                found[name] = endpoint
    return found


def check_devices(config: KioskConfig, *, emulate: bool = True,
                  busy: dict[str, str] | None = None) -> dict[str, dict[str, Any]]:
    """Open every enabled device once (through the DeviceManager) and collect its status;
    devices in `busy` (see busy_ports) are reported deviceBusy without being touched."""
    busy = busy or {}
    checked = config
    for name in busy:
        checked = checked.with_device(name, enabled=False)
    if emulate:
        for name, endpoint in running_emulator_files(config).items():
            checked = checked.with_device(name, backend=ATTACHED, **endpoint)
    manager = DeviceManager(checked, EventBus(), emulate=emulate)
    manager.start()
    try:
        for name in manager.enabled_names():
            section = getattr(config.devices, name)
            timeout = getattr(section, "timeout_s", 5.0) + READY_MARGIN_S
            if not manager.wait_ready(name, timeout):
                log.warning("%s did not finish opening within %.0f s", name, timeout)
        statuses = manager.statuses()
    finally:
        manager.stop()
    report = {}
    for name in registry.DEVICE_NAMES:
        section = getattr(config.devices, name)
        status = {"device": DeviceState.DEVICE_BUSY.value} if name in busy \
            else statuses.get(name, {})
        # a disabled device is neither ok nor failed: "ok" is null and its status empty
        report[name] = {"enabled": section.enabled, "backend": section.backend,
                        "where": _where(section), "status": status if section.enabled else {},
                        "ok": status.get("device") == "online" if section.enabled else None}
    return report


def alert_summary(config: KioskConfig) -> dict[str, Any] | None:
    path = config.path(config.alerts.outbox)
    if not path.exists():
        return None
    outbox = AlertOutbox(path)
    try:
        active = outbox.active()
        return {"open": len(active), "unsent_fleet_events": outbox.unsent_count(),
                "worst": max((a.severity for a in active), key=lambda s: s.rank,
                             default=None)}
    finally:
        outbox.close()


def print_table(result: dict[str, Any], out: TextIO) -> None:
    rows = [("DEVICE", "BACKEND", "STATE", "WHERE", "DETAILS")]
    for name, dev in result["devices"].items():
        status = dict(dev["status"])
        state = status.pop("device", "-") if dev["enabled"] else "disabled"
        details = " ".join(f"{k}={v}" for k, v in status.items()) or "-"
        rows.append((name, dev["backend"], state, dev["where"] or "-", details))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        out.write("  ".join(c.ljust(w) for c, w in zip(row, widths)) + "  " + row[4] + "\n")
    alerts = result["alerts"]
    if alerts is None:
        out.write("alerts: no alert store yet\n")
    else:
        out.write(f"alerts: {alerts['open']} open (worst: {alerts['worst'] or '-'}), "
                  f"{alerts['unsent_fleet_events']} fleet events not yet sent\n")
    if result["error"]:
        out.write(f"error: {result['error']}\n")
    out.write(("all devices online" if result["ok"] else "SOME DEVICES ARE NOT ONLINE") + "\n")
    out.flush()


def run(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    try:
        config = load_config(getattr(args, "config", None), resolve=False)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 64
    started = time.monotonic()
    busy = busy_ports(config)
    devices = check_devices(config, busy=busy)
    result = {"ok": all(d["ok"] for d in devices.values() if d["enabled"]), "devices": devices,
              "alerts": alert_summary(config),
              "checked_in_s": round(time.monotonic() - started, 2),
              "error": "; ".join(busy.values()) or None}
    if getattr(args, "json", False):
        out.write(json.dumps(result, ensure_ascii=False, default=str) + "\n")
        out.flush()
    else:
        print_table(result, out)
    return EXIT_OK if result["ok"] else EXIT_NO_DEVICE
