"""The kiosk's side of the fleet link: retained status with a Last Will, alert events drained
from the SQLite outbox at QoS 1, and staff commands from the console (acknowledge, resolve,
decide a held transfer; remote actions, answered on the result topic: remote_actions.py).

A row leaves the outbox only when the broker has acknowledged it (PUBACK), so a broker outage
or a kiosk restart loses nothing; consumers de-duplicate by `event_id`.

The kiosk counts as connected, and says `online`, only once the broker granted its command
subscription (SUBACK, BrokerLink's gate): staff who see it online can act and nothing they send
is lost, even on a broker that grants subscriptions late (a cluster) or a kiosk's first visit.
"""
from __future__ import annotations

import json
import logging
import queue
import threading
import time
from typing import Any, Callable

import paho.mqtt.client as mqtt

from drivers.base import StatusChanged

from ..alerts import AlertCenter, AlertChange
from ..events import EventBus
from ..config_digest import config_digest
from ..device_conditions import services_offered
from ..version import kiosk_version
from .broker import BrokerAddress, BrokerLink, DropMessage, Topics, make_client

log = logging.getLogger(__name__)

STALE_INFLIGHT_S = 30.0   # an unacknowledged publish older than this is sent again
OFFLINE_WAIT_S = 2.0


class FleetPublisher(BrokerLink):
    def __init__(self, center: AlertCenter, address: BrokerAddress, *, prefix: str = "bank",
                 tls_ca: str = "", keepalive_s: int = 30, inflight_max: int = 100,
                 statuses: Callable[[], dict[str, dict[str, str]]] | None = None,
                 config_digest: str = ""):
        self.center = center
        self.config_digest = config_digest   # kiosk.config_digest: the settings it runs
        self.address = address
        self.topics = Topics(prefix, center.branch, center.kiosk_id)
        self.keepalive_s = keepalive_s
        self.inflight_max = inflight_max
        # the device statuses live in one place (the DeviceManager): read, never copied
        self._statuses = statuses or (lambda: {})
        self._service = "inService"   # "outOfService" while a technician works
        # A persistent session: commands sent while the kiosk is away wait for it at the broker.
        # With one credential per kiosk the broker binds the client id to the user name.
        self._client = make_client(address.username or f"kiosk-{center.branch}-{center.kiosk_id}",
                                   address, tls_ca=tls_ca, persistent=True)
        self._client.max_inflight_messages_set(inflight_max)
        self._client.will_set(self.topics.status, self._status_payload("offline", "lost"),
                              qos=1, retain=True)
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_subscribe = self._on_subscribe   # BrokerLink: live once granted
        self._client.on_publish = self._on_publish
        self._client.on_message = self._on_message
        self._connected = threading.Event()   # connected *and* subscribed (BrokerLink)
        self.rejected = 0
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._acks: queue.Queue[int] = queue.Queue()
        self._inflight: dict[int, tuple[int, float]] = {}  # mid -> (outbox seq, sent at)
        self._unsubscribe: list[Callable[[], None]] = []
        self._drainer: threading.Thread | None = None
        self.decisions: Any | None = None  # kiosk.console.held.HeldDecisions, where transfers run
        self.remote: Any | None = None  # kiosk.fleet.remote_actions.RemoteActions (set_remote)
        self._version, self._started_at = kiosk_version(), time.time()

    @classmethod
    def from_config(cls, center: AlertCenter, config: Any,
                    statuses: Callable[[], dict[str, dict[str, str]]] | None = None
                    ) -> "FleetPublisher":
        f = config.fleet
        return cls(center, BrokerAddress.from_config(config),
                   prefix=f.topic_prefix, tls_ca=str(config.path(f.tls_ca)) if f.tls_ca else "",
                   keepalive_s=f.keepalive_s, inflight_max=f.inflight_max, statuses=statuses,
                   config_digest=config_digest(config))

    def set_remote(self, remote: Any) -> None:
        """Carry out staff's remote actions with `remote` and answer on the result topic."""
        self.remote = remote
        remote.reply = self._reply

    def _reply(self, body: dict[str, Any]) -> None:
        # QoS 1 on a persistent session: paho keeps it while the link is down
        self._client.publish(self.topics.result, json.dumps(body, ensure_ascii=False), qos=1)

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> None:
        """Connect in the background (a missing broker never delays the kiosk) and drain."""
        self._unsubscribe.append(self.center.subscribe(self._on_alert))
        self._client.connect_async(self.address.host, self.address.port, self.keepalive_s)
        self._client.loop_start()
        self._drainer = threading.Thread(target=self._drain, name="fleet-outbox", daemon=True)
        self._drainer.start()
        log.info("fleet publisher for %s started towards %s", self.topics.base, self.address)

    def attach(self, bus: EventBus) -> None:
        """Follow device status changes and technician mode so the retained status shows them."""
        from ..technician_mode import ServiceModeChanged
        self._unsubscribe.append(bus.subscribe(self._on_device_status, StatusChanged))
        self._unsubscribe.append(bus.subscribe(self._on_service_mode, ServiceModeChanged))

    def stop(self) -> None:
        """Clean shutdown: say `offline` ourselves (the Will only fires on a lost link)."""
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._stop.set()
        self._wake.set()
        if self._drainer:
            self._drainer.join(5)
        if self._connected.is_set():
            info = self._client.publish(self.topics.status,
                                        self._status_payload("offline", "shutdown"),
                                        qos=1, retain=True)
            try:
                info.wait_for_publish(OFFLINE_WAIT_S)
            except (RuntimeError, ValueError):
                log.warning("fleet: could not say offline to %s", self.address)
        self._client.disconnect()
        self._client.loop_stop()
        self._process_acks()

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def wait_drained(self, timeout: float) -> bool:
        """Wait until every outbox row is acknowledged by the broker (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.center.outbox.unsent_count() == 0:
                return True
            time.sleep(0.02)
        return self.center.outbox.unsent_count() == 0

    # -- status ----------------------------------------------------------------------------
    def _status_payload(self, state: str, reason: str = "") -> str:
        body: dict[str, Any] = {"kiosk": self.center.kiosk_id, "branch": self.center.branch,
                                "state": state, "at": time.time()}
        if reason:
            body["reason"] = reason
        if state == "online":
            body["version"], body["started_at"] = self._version, self._started_at
            if self.config_digest:
                body["config_digest"] = self.config_digest
            body["service"] = self._service
            body["devices"] = self._statuses()
            # the whole kiosk: what it still offers (kiosk.device_conditions SERVICES), none
            # while staff have it out of service
            body["offered"] = services_offered(body["devices"]) \
                if self._service == "inService" else []
            body["alerts"] = [a.to_dict() for a in self.center.active()]
        return json.dumps(body, ensure_ascii=False)

    def publish_status(self) -> None:
        if self._connected.is_set():
            self._client.publish(self.topics.status, self._status_payload("online"), qos=1,
                                 retain=True)

    def _on_device_status(self, event: StatusChanged) -> None:
        self.publish_status()

    def _on_service_mode(self, event: Any) -> None:
        self._service = "inService" if event.serving else "outOfService"
        self.publish_status()

    def _on_alert(self, change: AlertChange) -> None:
        self._wake.set()
        self.publish_status()

    # -- paho callbacks (paho's thread) -------------------------------------------------------
    def _subscriptions(self) -> list[tuple[str, int]]:
        # online (status, outbox) only once the subscription is granted: BrokerLink._on_subscribe
        return [(self.topics.command("+"), 1)]

    def _on_live(self) -> None:
        self.publish_status()
        self._wake.set()
        log.info("fleet: connected to %s, listening for staff commands", self.address)

    def _on_disconnect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any,
                       properties: Any) -> None:
        self._connected.clear()
        if not self._stop.is_set():
            log.warning("fleet: lost %s (%s); alerts wait in the outbox", self.address, reason)

    def _on_publish(self, client: mqtt.Client, userdata: Any, mid: int, reason: Any,
                    properties: Any) -> None:
        self._acks.put(mid)  # no locks here: paho holds its own while calling us
        self._wake.set()

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        # BrokerLink's guard, as the console's: a command whose handling raises (a database
        # error while acknowledging, a bad payload) is logged and counted, never kills paho's
        # thread, after which the kiosk would hear no command again
        self._guarded(self._handle, message)

    def _handle(self, message: mqtt.MQTTMessage) -> None:
        verb = message.topic.rsplit("/", 1)[-1]
        if verb == "remote":
            if self.remote is not None:
                self.remote.handle(message.payload)
            else:
                log.warning("fleet: no remote actions on this kiosk: command ignored")
            return
        try:
            body = json.loads(message.payload)
            alert_id, by = str(body["alert_id"]), str(body.get("by") or "console")
            reason = str(body.get("reason") or "")
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise DropMessage(f"malformed {verb} command") from exc
        if verb == "ack":
            self.center.acknowledge(alert_id, by)
        elif verb == "resolve":
            self.center.resolve(alert_id, by)
        elif verb in ("approve", "reject") and self.decisions is not None:
            # the release goes to the bank's host: never on paho's thread
            threading.Thread(target=self.decisions.decide, name="held-decision", daemon=True,
                             args=(alert_id, verb == "approve", by, reason)).start()
        else:
            log.warning("fleet: ignored unknown command %s", verb)

    # -- outbox drain ------------------------------------------------------------------------
    def _drain(self) -> None:
        while not self._stop.is_set():
            self._wake.wait(1.0)
            self._wake.clear()
            try:
                self._process_acks()
                if self._connected.is_set():
                    self._requeue_stale()
                    self._publish_unsent()
            except Exception:  # the drain must survive a bad row or a closed database
                log.exception("fleet: outbox drain failed; retrying")
                self._stop.wait(1.0)

    def _process_acks(self) -> None:
        done = []
        while True:
            try:
                mid = self._acks.get_nowait()
            except queue.Empty:
                break
            entry = self._inflight.pop(mid, None)
            if entry is not None:
                done.append(entry[0])
        self.center.outbox.mark_sent(done)

    def _requeue_stale(self) -> None:
        now = time.monotonic()
        for mid, (_, sent) in list(self._inflight.items()):
            if now - sent > STALE_INFLIGHT_S:
                del self._inflight[mid]

    def _publish_unsent(self) -> None:
        room = self.inflight_max - len(self._inflight)
        if room <= 0:
            return
        busy = {seq for seq, _ in self._inflight.values()}
        for row in self.center.outbox.unsent(room + len(busy)):
            if row.seq in busy:
                continue
            info = self._client.publish(self.topics.event(row.device), row.payload, qos=1)
            if info.rc == mqtt.MQTT_ERR_QUEUE_SIZE:
                break
            self._inflight[info.mid] = (row.seq, time.monotonic())
            if info.rc != mqtt.MQTT_ERR_SUCCESS:  # link dropped: paho re-sends on reconnect
                break
