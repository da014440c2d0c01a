"""The console's side of the fleet: follows every kiosk of a branch (or region) on the broker.

Retained status messages give each kiosk's state, devices and open alerts (so a console started
late sees everything at once); QoS 1 events, de-duplicated by `event_id`, keep it live and fill
the history. Every message is checked by `schema` first: a bad one is logged, counted and
dropped (paho acknowledges it once this callback returns), never fatal.

Staff actions go back to the kiosk as QoS 1 commands; the kiosk's AlertCenter decides. Until
the kiosk confirms (its event shows the alert acknowledged or resolved) the alert carries
`pending`; a command unconfirmed after `command_timeout_s` is marked `failed`.
Remote actions (out of service, self-test, bundle) follow the same way with the kiosk's
answers on `.../result` (remote_requests.py).
A kiosk that goes offline gets an alert of its own (`kiosk.offline`), closed when it returns.
"""
from __future__ import annotations

import collections
import heapq
import json
import logging
import threading
import time
from typing import Any, Callable

import paho.mqtt.client as mqtt

from drivers.subscribers import Subscribers

from ..console.feed import ChangeFeed
from ..console.views import needs_attention
from . import schema
from .broker import BrokerAddress, BrokerLink, Topics, make_client
from .remote_requests import RemoteRequests, command_payload

log = logging.getLogger(__name__)

SEEN_EVENTS_MAX = 100_000
COMMAND_TIMEOUT_S = 120.0
_CONFIRMS = {"ack": ("acknowledged", "resolved"), "resolve": ("resolved",),
             "approve": ("resolved",), "reject": ("resolved",)}

# listener(kiosk, event payload, monotonic time received): benchmarks measure latency with it
EventListener = Callable[[str, dict[str, Any], float], None]


class FleetMonitor(BrokerLink):
    def __init__(self, address: BrokerAddress, *, prefix: str = "bank", branch: str = "+",
                 tls_ca: str = "", history_limit: int = 200, client_id: str = "",
                 command_timeout_s: float = COMMAND_TIMEOUT_S,
                 clock: Callable[[], float] = time.time, history_store: Any | None = None):
        """`history_store` (kiosk.console.store.ConsoleStore) keeps resolved alerts across
        restarts."""
        self.address = address
        self.prefix = prefix
        self.branch = branch
        self.command_timeout_s = command_timeout_s
        self.feed = ChangeFeed()
        self._clock = clock
        self._lock = threading.Lock()
        self._kiosks: dict[str, dict[str, Any]] = {}
        self._history: collections.deque[dict[str, Any]] = collections.deque(
            history_store.history(history_limit) if history_store else (), maxlen=history_limit)
        self._history_store = history_store
        self._seen: collections.OrderedDict[str, None] = collections.OrderedDict()
        self._pending: dict[tuple[str, str], dict[str, Any]] = {}
        self.remote_requests = RemoteRequests(clock, command_timeout_s)
        self._listeners: Subscribers[EventListener] = Subscribers()
        self._connected = threading.Event()
        self._lost_at: float | None = None
        self.duplicates = 0
        self.rejected = 0
        # A named console keeps its session, so events sent while it reconnects wait for it.
        self._client = make_client(client_id or f"console-{id(self):x}", address, tls_ca=tls_ca,
                                   persistent=bool(client_id))
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_subscribe = self._on_subscribe
        self._client.on_message = self._on_message

    def start(self) -> None:
        self._client.connect_async(self.address.host, self.address.port, 30)
        self._client.loop_start()

    def on_event(self, listener: EventListener) -> Callable[[], None]:
        """Call `listener` for every new kiosk event (on the MQTT thread); returns an undo."""
        return self._listeners.add(listener)

    # -- ConsoleSource -------------------------------------------------------------------------
    def snapshot(self, shows: Callable[[str], bool] | None = None,
                 limit: int | None = None) -> dict[str, Any]:
        """Every kiosk, or only those of the branches `shows` (a page's view) accepts: a
        branch's or region's page does not build the whole fleet's views first. With `limit`,
        only the kiosks needing attention and the first `limit` healthy ones (the page
        kiosk.console.views sends) are built; `total` counts them all."""
        order = lambda k: (k["branch"], k["kiosk"])  # noqa: E731
        with self._lock:
            entries = [k for k in self._kiosks.values() if shows is None or shows(k["branch"])]
            total = len(entries)
            if limit is not None:
                calm = heapq.nsmallest(limit, (k for k in entries if not needs_attention(k)),
                                       key=order)
                entries = [k for k in entries if needs_attention(k)] + calm
            kiosks = [self._view(k) for k in entries]
            history = [h for h in self._history if shows is None or shows(h.get("branch", ""))]
        kiosks.sort(key=order)
        return {"kiosks": kiosks, "total": total, "history": history,
                "broker": self.broker_state()}

    def kiosk(self, kiosk_id: str) -> dict[str, Any] | None:
        with self._lock:
            entry = self._kiosks.get(kiosk_id)
            return None if entry is None else self._view(entry)

    def history(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._history)

    def broker_state(self) -> dict[str, Any]:
        return {"connected": self._connected.is_set(), "lost_at": self._lost_at,
                "rejected": self.rejected}

    def acknowledge(self, kiosk: str, alert_id: str, by: str) -> bool:
        return self._command(kiosk, alert_id, "ack", by)

    def resolve(self, kiosk: str, alert_id: str, by: str) -> bool:
        return self._command(kiosk, alert_id, "resolve", by)

    def decide(self, kiosk: str, alert_id: str, approve: bool, by: str, reason: str) -> bool:
        """Approve or reject a held transfer (the kiosk sends or drops it)."""
        return self._command(kiosk, alert_id, "approve" if approve else "reject", by, reason)

    def remote(self, kiosk: str, action: str, by: str, device: str = "",
               reason: str = "") -> dict[str, Any] | None:
        """Send a remote action (kiosk.fleet.remote_actions) to the kiosk; the request, shown
        pending until the kiosk answers, or None for an unknown kiosk."""
        with self._lock:
            entry = self._kiosks.get(kiosk)
            if entry is None:
                return None
            topics = Topics(self.prefix, entry["branch"], kiosk)
        request = self.remote_requests.add(kiosk, entry["branch"], action, by, device, reason)
        self._client.publish(topics.command("remote"), command_payload(request), qos=1)
        self.feed.bump(kiosk)
        return request

    def expire_pending(self) -> None:
        """Mark commands the kiosk never confirmed as failed (the console calls this often)."""
        now = self._clock()
        changed = []
        with self._lock:
            for (kiosk, _), command in self._pending.items():
                if command["state"] == "pending" and now - command["sent_at"] > \
                        self.command_timeout_s:
                    command["state"] = "failed"
                    changed.append(kiosk)
        for kiosk in [*changed, *self.remote_requests.expire()]:
            self.feed.bump(kiosk)

    def _command(self, kiosk: str, alert_id: str, verb: str, by: str, reason: str = "") -> bool:
        with self._lock:
            entry = self._kiosks.get(kiosk)
            alert = entry["alerts"].get(alert_id) if entry else None
            if alert is None or (verb in ("approve", "reject")) != (alert["kind"] ==
                                                                    "heldTransfer"):
                return False
            if alert["kind"] == "offline":  # the console's own alert: nothing to send
                self._close_locally(entry, alert, verb, by)
                changed = True
            else:
                changed = False
                topics = Topics(self.prefix, entry["branch"], kiosk)
                self._pending[(kiosk, alert_id)] = {"verb": verb, "by": by, "state": "pending",
                                                    "sent_at": self._clock()}
        if not changed:
            self._client.publish(topics.command(verb),
                                 json.dumps({"alert_id": alert_id, "by": by, "reason": reason},
                                            ensure_ascii=False), qos=1)
        self.feed.bump(kiosk)
        return True

    # -- paho callbacks ----------------------------------------------------------------------
    def _subscriptions(self) -> list[tuple[str, int]]:
        base = f"{self.prefix}/{self.branch}/+"
        return [(f"{base}/status", 1), (f"{base}/event/+", 1), (f"{base}/result", 1)]

    def _on_live(self) -> None:
        self._lost_at = None
        self.feed.bump()

    def _on_disconnect(self, *args: Any) -> None:
        self._connected.clear()
        self._lost_at = self._clock()
        log.warning("console: lost the broker %s", self.address)
        self.feed.bump()

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        self._guarded(self._handle, message)  # paho acknowledges it once this returns

    def _handle(self, message: mqtt.MQTTMessage) -> None:
        received = time.monotonic()
        checked = schema.read(message.topic, message.payload)
        if checked is None:
            return
        branch, kiosk, kind, body = checked
        if kind == "status":
            self._apply_status(branch, kiosk, body)
        elif kind == "result":
            if self.remote_requests.answered(kiosk, body) is None:
                return
        else:
            if not self._apply_event(branch, kiosk, body):
                return
            for listener in self._listeners.snapshot():
                listener(kiosk, body, received)
        self.feed.bump(kiosk)

    # -- state -------------------------------------------------------------------------------
    def _entry(self, branch: str, kiosk: str) -> dict[str, Any]:
        return self._kiosks.setdefault(kiosk, {"kiosk": kiosk, "branch": branch,
                                               "state": "unknown", "at": 0.0, "since": None,
                                               "reason": "", "devices": {}, "alerts": {}})

    def _view(self, entry: dict[str, Any]) -> dict[str, Any]:
        alerts = []
        for alert in entry["alerts"].values():
            command = self._pending.get((entry["kiosk"], alert["alert_id"]))
            alerts.append({**alert, "pending": command["verb"] if command else "",
                           "command": command["state"] if command else ""})
        alerts.sort(key=lambda a: a["raised_at"])
        return {**entry, "devices": {d: dict(s) for d, s in entry["devices"].items()},
                "alerts": alerts, "actions": self.remote_requests.of(entry["kiosk"])}

    def _apply_status(self, branch: str, kiosk: str, body: dict[str, Any]) -> None:
        with self._lock:
            entry = self._entry(branch, kiosk)
            if body["state"] != entry["state"]:
                entry["since"] = body["at"]
            entry.update((k, body[k]) for k in ("state", "at", "reason", "version", "screen",
                                                "started_at", "service", "config_digest",
                                                "offered") if k in body)
            if "devices" in body:
                entry["devices"] = body["devices"]
            if "alerts" in body:
                fresh = {a["alert_id"]: a for a in body["alerts"]}
                for alert_id, alert in list(entry["alerts"].items()):
                    if alert_id not in fresh and alert["kind"] != "offline" and \
                            alert["updated_at"] <= entry["at"]:
                        del entry["alerts"][alert_id]  # closed before this status was sent
                for alert_id, alert in fresh.items():
                    self._update_alert(entry, alert)
            self._track_offline(entry)

    def _apply_event(self, branch: str, kiosk: str, event: dict[str, Any]) -> bool:
        """Apply one alert event; False when it was already seen (QoS 1 re-delivery)."""
        with self._lock:
            if event["event_id"] in self._seen:
                self.duplicates += 1
                return False
            self._seen[event["event_id"]] = None
            if len(self._seen) > SEEN_EVENTS_MAX:
                self._seen.popitem(last=False)
            alert = event["alert"]
            entry = self._entry(branch, kiosk)
            if alert["state"] == "resolved":
                if entry["alerts"].pop(alert["alert_id"], None) is not None or \
                        (kiosk, alert["alert_id"]) in self._pending:
                    self._confirm(kiosk, alert)
                self._resolved({**alert, "kiosk": kiosk, "branch": entry["branch"]})
            else:
                self._update_alert(entry, alert)
        return True

    def _update_alert(self, entry: dict[str, Any], alert: dict[str, Any]) -> None:
        known = entry["alerts"].get(alert["alert_id"])
        if known is None or known["updated_at"] <= alert["updated_at"]:
            entry["alerts"][alert["alert_id"]] = alert
            self._confirm(entry["kiosk"], alert)

    def _confirm(self, kiosk: str, alert: dict[str, Any]) -> None:
        command = self._pending.get((kiosk, alert["alert_id"]))
        if command and alert["state"] in _CONFIRMS[command["verb"]]:
            del self._pending[(kiosk, alert["alert_id"])]

    def _track_offline(self, entry: dict[str, Any]) -> None:
        """Raise the console's own alert while a kiosk is offline; close it when it returns."""
        alert = next((a for a in entry["alerts"].values() if a["kind"] == "offline"), None)
        if entry["state"] == "offline" and alert is None:
            lost = entry["reason"] != "shutdown"
            since = entry["since"] or entry["at"]
            alert_id = f"offline-{entry['kiosk']}-{since:.3f}"
            entry["alerts"][alert_id] = {
                "alert_id": alert_id, "key": "offline", "kind": "offline", "device": "",
                "code": "kiosk.offline.lost" if lost else "kiosk.offline.shutdown",
                "severity": "fault" if lost else "warning",
                "message": f"{entry['kiosk']} offline ({entry['reason'] or 'lost'})",
                "state": "raised", "raised_at": since, "updated_at": since, "count": 1,
                "acknowledged_by": "", "acknowledged_at": None, "resolved_at": None,
                "data": {"reason": entry["reason"] or "lost"}}
        elif entry["state"] == "online" and alert is not None:
            self._close_locally(entry, alert, "resolve", "kiosk")

    def _close_locally(self, entry: dict[str, Any], alert: dict[str, Any], verb: str,
                       by: str) -> None:
        now = self._clock()
        if verb == "ack":
            entry["alerts"][alert["alert_id"]] = {**alert, "state": "acknowledged",
                                                  "acknowledged_by": by, "acknowledged_at": now,
                                                  "updated_at": now}
            return
        del entry["alerts"][alert["alert_id"]]
        self._resolved({**alert, "state": "resolved", "resolved_at": now, "updated_at": now,
                        "kiosk": entry["kiosk"], "branch": entry["branch"],
                        "data": {**alert["data"], "resolved_by": by}})

    def _resolved(self, alert: dict[str, Any]) -> None:
        self._history.appendleft(alert)
        if self._history_store is not None:
            self._history_store.keep_history(alert)
