"""What a kiosk may send on the broker: every status and event is checked here before the
console or the fleet service looks at it. A message that fails raises `BadMessage`; callers
log it, count it and drop it (a kiosk bug or a stolen kiosk credential must not blind a region).

Checked values come back as fresh dicts holding only the known keys with the right types, so
code downstream can index them without guarding every field.
"""
from __future__ import annotations

import json
import math
from typing import Any

from ..alerts.model import AlertState, Severity
from .broker import DropMessage, split_topic

MAX_TEXT = 2000
MAX_DEVICES = 64
MAX_ALERTS = 256
_SEVERITIES = {s.value for s in Severity}
_STATES = {s.value for s in AlertState}
_KIOSK_STATES = {"online", "offline"}


class BadMessage(DropMessage):
    """A status or event that does not match the schema; the text says which field."""


def _text(body: dict[str, Any], key: str, *, required: bool = True, default: str = "") -> str:
    value = body.get(key, None)
    if value is None:
        if required:
            raise BadMessage(f"{key} missing")
        return default
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        raise BadMessage(f"{key} is not a short text")
    return value


def _time(body: dict[str, Any], key: str, *, required: bool = True) -> float | None:
    value = body.get(key, None)
    if value is None:
        if required:
            raise BadMessage(f"{key} missing")
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not math.isfinite(value) or value < 0:
        raise BadMessage(f"{key} is not a time")
    return float(value)


def alert(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadMessage("alert is not an object")
    out: dict[str, Any] = {k: _text(body, k) for k in ("alert_id", "code", "message")}
    if not out["alert_id"]:
        raise BadMessage("alert_id empty")
    for key in ("key", "kind", "device", "acknowledged_by"):
        out[key] = _text(body, key, required=False)
    out["severity"] = _text(body, "severity")
    out["state"] = _text(body, "state")
    if out["severity"] not in _SEVERITIES or out["state"] not in _STATES:
        raise BadMessage("unknown severity or state")
    out["raised_at"] = _time(body, "raised_at")
    out["updated_at"] = _time(body, "updated_at", required=False) or out["raised_at"]
    out["acknowledged_at"] = _time(body, "acknowledged_at", required=False)
    out["resolved_at"] = _time(body, "resolved_at", required=False)
    count = body.get("count", 1)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise BadMessage("count is not a positive integer")
    out["count"] = count
    data = body.get("data", {})
    if not isinstance(data, dict):
        raise BadMessage("data is not an object")
    out["data"] = data
    return out


def status(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadMessage("status is not an object")
    out: dict[str, Any] = {"state": _text(body, "state"), "at": _time(body, "at"),
                           "reason": _text(body, "reason", required=False)}
    if out["state"] not in _KIOSK_STATES:
        raise BadMessage("state is neither online nor offline")
    for key in ("version", "screen", "service", "config_digest"):
        if key in body:
            out[key] = _text(body, key)
    if "started_at" in body:
        out["started_at"] = _time(body, "started_at")
    if "offered" in body:
        offered = body["offered"]
        if not isinstance(offered, list) or len(offered) > MAX_DEVICES or \
                not all(isinstance(o, str) and 0 < len(o) <= 40 for o in offered):
            raise BadMessage("offered is not a list of services")
        out["offered"] = list(offered)
    if "devices" in body:
        devices = body["devices"]
        if not isinstance(devices, dict) or len(devices) > MAX_DEVICES:
            raise BadMessage("devices is not an object of devices")
        out["devices"] = {}
        for name, fields in devices.items():
            if not isinstance(fields, dict) or len(fields) > MAX_DEVICES:
                raise BadMessage(f"device {name[:40]} is not an object")
            out["devices"][name] = {str(k): _text(fields, k) for k in fields}
    if "alerts" in body:
        alerts = body["alerts"]
        if not isinstance(alerts, list) or len(alerts) > MAX_ALERTS:
            raise BadMessage("alerts is not a list")
        out["alerts"] = [alert(a) for a in alerts]
    return out


def read(topic: str, payload: bytes) -> tuple[str, str, str, dict[str, Any]] | None:
    """(branch, kiosk, "status", "event" or "result", checked body) of one message from a
    kiosk; None for a retained status an operator cleared."""
    parts = split_topic(topic)
    if parts is None or not (parts[3] in (["status"], ["result"]) or (
            len(parts[3]) == 2 and parts[3][0] == "event")):
        raise BadMessage("unknown topic")
    _, branch, kiosk, rest = parts
    kind = rest[0]
    if not payload:
        if kind == "status":
            return None
        raise BadMessage("empty event")
    try:
        body = json.loads(payload)
    except ValueError:
        raise BadMessage("not JSON") from None
    check = {"status": status, "event": event, "result": result}[kind]
    return branch, kiosk, kind, check(body)


def event(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise BadMessage("event is not an object")
    event_id = _text(body, "event_id")
    if not event_id:
        raise BadMessage("event_id empty")
    out = {"event_id": event_id, "alert": alert(body.get("alert")),
           "action": _text(body, "action", required=False)}
    out["at"] = _time(body, "at", required=False) or out["alert"]["updated_at"]
    return out


REMOTE_ACTIONS = ("out_of_service", "in_service", "self_test", "bundle")
RESULT_STATES = ("accepted", "done", "failed")
MAX_RESULT_DATA = 16


def result(body: Any) -> dict[str, Any]:
    """A kiosk's answer to a remote action (kiosk.fleet.remote_actions)."""
    if not isinstance(body, dict):
        raise BadMessage("result is not an object")
    out: dict[str, Any] = {k: _text(body, k) for k in ("action_id", "action", "state")}
    if not out["action_id"] or out["action"] not in REMOTE_ACTIONS or \
            out["state"] not in RESULT_STATES:
        raise BadMessage("unknown action or state")
    out["result"] = _text(body, "result", required=False)[:500]
    out["at"] = _time(body, "at")
    data = body.get("data", {})
    if not isinstance(data, dict) or len(data) > MAX_RESULT_DATA or not all(
            isinstance(v, (str, int, float, bool)) and (not isinstance(v, str) or len(v) < 200)
            for v in data.values()):
        raise BadMessage("data is not a small object of plain values")
    out["data"] = {str(k)[:40]: v for k, v in data.items()}
    return out
