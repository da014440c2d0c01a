"""The console's side of the fleet: follows every kiosk of a branch (or region) on the broker.

Retained status messages give each kiosk's state, devices and open alerts (so a console started
late sees everything at once); QoS 1 events, de-duplicated by `event_id`, keep it live and fill
the history. Staff actions go back to the kiosk as commands; the kiosk's AlertCenter decides.
"""
from __future__ import annotations

import collections
import json
import logging
import threading
import time
from typing import Any, Callable

import paho.mqtt.client as mqtt

from ..console.feed import ChangeFeed
from .broker import BrokerAddress, Topics, make_client, split_topic

log = logging.getLogger(__name__)

SEEN_EVENTS_MAX = 100_000

# listener(kiosk, event payload, monotonic time received): benchmarks measure latency with it
EventListener = Callable[[str, dict[str, Any], float], None]


class FleetMonitor:
    def __init__(self, address: BrokerAddress, *, prefix: str = "bank", branch: str = "+",
                 tls_ca: str = "", history_limit: int = 200, client_id: str = ""):
        self.address = address
        self.prefix = prefix
        self.branch = branch
        self.feed = ChangeFeed()
        self._lock = threading.Lock()
        self._kiosks: dict[str, dict[str, Any]] = {}
        self._history: collections.deque[dict[str, Any]] = collections.deque(
            maxlen=history_limit)
        self._seen: collections.OrderedDict[str, None] = collections.OrderedDict()
        self._listeners: list[EventListener] = []
        self._connected = threading.Event()
        self.duplicates = 0
        # A named console keeps its session, so events sent while it reconnects wait for it.
        self._client = make_client(client_id or f"console-{id(self):x}", address, tls_ca=tls_ca,
                                   persistent=bool(client_id))
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = lambda *a: self._connected.clear()
        self._client.on_message = self._on_message

    def start(self) -> None:
        self._client.connect_async(self.address.host, self.address.port, 30)
        self._client.loop_start()

    def stop(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()

    def wait_connected(self, timeout: float) -> bool:
        return self._connected.wait(timeout)

    def on_event(self, listener: EventListener) -> None:
        self._listeners.append(listener)

    # -- ConsoleSource -------------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            kiosks = [{**k, "devices": {d: dict(s) for d, s in k["devices"].items()},
                       "alerts": sorted(k["alerts"].values(), key=lambda a: a["raised_at"])}
                      for k in self._kiosks.values()]
            history = list(self._history)
        kiosks.sort(key=lambda k: (k["branch"], k["kiosk"]))
        return {"kiosks": kiosks, "history": history}

    def acknowledge(self, kiosk: str, alert_id: str, by: str) -> bool:
        return self._command(kiosk, alert_id, "ack", by)

    def resolve(self, kiosk: str, alert_id: str, by: str) -> bool:
        return self._command(kiosk, alert_id, "resolve", by)

    def _command(self, kiosk: str, alert_id: str, verb: str, by: str) -> bool:
        with self._lock:
            entry = self._kiosks.get(kiosk)
            if entry is None or alert_id not in entry["alerts"]:
                return False
            topics = Topics(self.prefix, entry["branch"], kiosk)
        self._client.publish(topics.command(verb),
                             json.dumps({"alert_id": alert_id, "by": by}, ensure_ascii=False),
                             qos=1)
        return True

    # -- paho callbacks ----------------------------------------------------------------------
    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any,
                    properties: Any) -> None:
        if reason.is_failure:
            log.warning("console: broker %s refused the connection: %s", self.address, reason)
            return
        base = f"{self.prefix}/{self.branch}/+"
        client.subscribe([(f"{base}/status", 1), (f"{base}/event/+", 1)])
        self._connected.set()

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        received = time.monotonic()
        parts = split_topic(message.topic)
        try:
            body = json.loads(message.payload)
        except ValueError:
            log.warning("console: ignored a malformed message on %s", message.topic)
            return
        if parts is None or not isinstance(body, dict):
            return
        _, branch, kiosk, rest = parts
        if rest == ["status"]:
            self._apply_status(branch, kiosk, body)
        elif rest[0] == "event":
            if not self._apply_event(branch, kiosk, body):
                return
            for listener in list(self._listeners):
                listener(kiosk, body, received)
        self.feed.bump()

    def _entry(self, branch: str, kiosk: str) -> dict[str, Any]:
        return self._kiosks.setdefault(kiosk, {"kiosk": kiosk, "branch": branch,
                                               "state": "unknown", "at": 0.0, "devices": {},
                                               "alerts": {}})

    def _apply_status(self, branch: str, kiosk: str, body: dict[str, Any]) -> None:
        with self._lock:
            entry = self._entry(branch, kiosk)
            entry["state"] = str(body.get("state", "unknown"))
            entry["at"] = float(body.get("at", 0.0))
            if "devices" in body:
                entry["devices"] = body["devices"]
            if "alerts" in body:
                fresh = {a["alert_id"]: a for a in body["alerts"]}
                for alert_id, alert in list(entry["alerts"].items()):
                    if alert_id not in fresh and alert["updated_at"] <= entry["at"]:
                        del entry["alerts"][alert_id]  # closed before this status was sent
                for alert_id, alert in fresh.items():
                    known = entry["alerts"].get(alert_id)
                    if known is None or known["updated_at"] <= alert["updated_at"]:
                        entry["alerts"][alert_id] = alert

    def _apply_event(self, branch: str, kiosk: str, body: dict[str, Any]) -> bool:
        """Apply one alert event; False when it was already seen (QoS 1 re-delivery)."""
        event_id, alert = body.get("event_id"), body.get("alert")
        if not event_id or not isinstance(alert, dict):
            return False
        with self._lock:
            if event_id in self._seen:
                self.duplicates += 1
                return False
            self._seen[event_id] = None
            if len(self._seen) > SEEN_EVENTS_MAX:
                self._seen.popitem(last=False)
            entry = self._entry(branch, kiosk)
            known = entry["alerts"].get(alert["alert_id"])
            if alert["state"] == "resolved":
                entry["alerts"].pop(alert["alert_id"], None)
                self._history.appendleft({**alert, "kiosk": kiosk})
            elif known is None or known["updated_at"] <= alert["updated_at"]:
                entry["alerts"][alert["alert_id"]] = alert
        return True
