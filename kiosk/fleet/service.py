"""The fleet service: consumes every kiosk's status and events from the broker into PostgreSQL.

Several processes share the load through one MQTT 5 shared subscription (`$share/fleet/...`);
each keeps a persistent session and acknowledges a message only once it is committed, so a
killed service loses nothing (the broker sends it again) and the store is idempotent by
`event_id` (at-least-once delivery never makes a duplicate row). Every message is checked by
`schema` first: a bad one is logged, counted, acknowledged and dropped, never fatal.

    kiosk fleet-service --mqtt mqtts://broker:8883 --dsn "host=/run/postgresql dbname=fleet"
"""
from __future__ import annotations

import json
import logging
import threading
from typing import Any

import paho.mqtt.client as mqtt
import psycopg
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from . import schema
from .broker import BrokerAddress, BrokerLink, make_client

log = logging.getLogger(__name__)

SHARE_GROUP = "fleet"
SESSION_EXPIRY_S = 7 * 24 * 3600

_SCHEMA = """
CREATE TABLE IF NOT EXISTS fleet_kiosks (
    kiosk TEXT PRIMARY KEY, branch TEXT NOT NULL, state TEXT NOT NULL, reason TEXT NOT NULL,
    since DOUBLE PRECISION, at DOUBLE PRECISION NOT NULL, devices JSONB NOT NULL DEFAULT '{}');
ALTER TABLE fleet_kiosks ADD COLUMN IF NOT EXISTS version TEXT NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS config_digest TEXT NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS offered JSONB;
CREATE TABLE IF NOT EXISTS fleet_status_log (
    kiosk TEXT NOT NULL, branch TEXT NOT NULL, state TEXT NOT NULL, reason TEXT NOT NULL,
    at DOUBLE PRECISION NOT NULL, PRIMARY KEY (kiosk, at, state));
CREATE TABLE IF NOT EXISTS fleet_events (
    event_id TEXT PRIMARY KEY, kiosk TEXT NOT NULL, branch TEXT NOT NULL, action TEXT NOT NULL,
    at DOUBLE PRECISION NOT NULL, alert_id TEXT NOT NULL, code TEXT NOT NULL,
    severity TEXT NOT NULL, state TEXT NOT NULL, acknowledged_by TEXT NOT NULL,
    alert JSONB NOT NULL, received TIMESTAMPTZ NOT NULL DEFAULT now());
CREATE INDEX IF NOT EXISTS fleet_events_kiosk ON fleet_events (kiosk, at);
CREATE INDEX IF NOT EXISTS fleet_events_alert ON fleet_events (alert_id);
CREATE TABLE IF NOT EXISTS fleet_notify (
    event_id TEXT PRIMARY KEY, branch TEXT NOT NULL, kiosk TEXT NOT NULL,
    severity TEXT NOT NULL, text TEXT NOT NULL, created DOUBLE PRECISION NOT NULL,
    sent_at DOUBLE PRECISION, level INTEGER NOT NULL DEFAULT 0);
ALTER TABLE fleet_notify ADD COLUMN IF NOT EXISTS code TEXT NOT NULL DEFAULT '',
    ADD COLUMN IF NOT EXISTS device TEXT NOT NULL DEFAULT '';
CREATE INDEX IF NOT EXISTS fleet_notify_unsent ON fleet_notify (created) WHERE sent_at IS NULL;
CREATE TABLE IF NOT EXISTS fleet_notify_posts (
    robot TEXT NOT NULL, at DOUBLE PRECISION NOT NULL);
CREATE INDEX IF NOT EXISTS fleet_notify_posts_robot ON fleet_notify_posts (robot, at);
"""
_RANK = {"info": 0, "warning": 1, "fault": 2, "critical": 3}


def _grouped(by: str) -> str:
    """The column a report groups by: kiosk or branch, nothing else (it is written into SQL)."""
    if by not in ("kiosk", "branch"):
        raise ValueError("by kiosk or branch")
    return by


class FleetStore:
    """PostgreSQL: the last status of every kiosk, its state changes, and every alert event."""

    def __init__(self, dsn: str, *, notify_min_severity: str = "fault"):
        self.notify_min_rank = _RANK[notify_min_severity]
        self._db = psycopg.connect(dsn, autocommit=True)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def record_status(self, branch: str, kiosk: str, status: dict[str, Any]) -> None:
        with self._lock, self._db.transaction():
            self._db.execute(
                "INSERT INTO fleet_status_log VALUES (%s,%s,%s,%s,%s) ON CONFLICT DO NOTHING",
                (kiosk, branch, status["state"], status["reason"], status["at"]))
            # an offline status says nothing of the release, settings or services: kept
            offered = status.get("offered")
            self._db.execute(
                "INSERT INTO fleet_kiosks (kiosk, branch, state, reason, since, at, devices, "
                "version, config_digest, offered) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s) "
                "ON CONFLICT (kiosk) DO UPDATE SET branch = EXCLUDED.branch, "
                "since = CASE WHEN fleet_kiosks.state = EXCLUDED.state THEN fleet_kiosks.since "
                "ELSE EXCLUDED.at END, state = EXCLUDED.state, reason = EXCLUDED.reason, "
                "at = EXCLUDED.at, devices = CASE WHEN EXCLUDED.devices = '{}'::jsonb "
                "THEN fleet_kiosks.devices ELSE EXCLUDED.devices END, "
                "version = coalesce(nullif(EXCLUDED.version, ''), fleet_kiosks.version), "
                "config_digest = coalesce(nullif(EXCLUDED.config_digest, ''), "
                "fleet_kiosks.config_digest), "
                "offered = coalesce(EXCLUDED.offered, fleet_kiosks.offered) "
                "WHERE fleet_kiosks.at <= EXCLUDED.at",
                (kiosk, branch, status["state"], status["reason"], status["at"], status["at"],
                 json.dumps(status.get("devices", {}), ensure_ascii=False),
                 status.get("version", ""), status.get("config_digest", ""),
                 None if offered is None else json.dumps(offered)))

    def record_event(self, branch: str, kiosk: str, event: dict[str, Any]) -> bool:
        """Store one alert event; False when its event id was stored before. A serious new
        alert also goes into the group notifications' outbox, in the same transaction."""
        alert = event["alert"]
        with self._lock, self._db.transaction():
            cursor = self._db.execute(
                "INSERT INTO fleet_events (event_id, kiosk, branch, action, at, alert_id, code, "
                "severity, state, acknowledged_by, alert) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,"
                "%s) ON CONFLICT (event_id) DO NOTHING",
                (event["event_id"], kiosk, branch, event["action"], event["at"],
                 alert["alert_id"], alert["code"], alert["severity"], alert["state"],
                 alert["acknowledged_by"], json.dumps(alert, ensure_ascii=False)))
            if cursor.rowcount != 1:
                return False
            if event["action"] in ("raised", "escalated") and \
                    _RANK[alert["severity"]] >= self.notify_min_rank:
                self._db.execute("INSERT INTO fleet_notify (event_id, branch, kiosk, severity, "
                                 "text, created, code, device) VALUES (%s,%s,%s,%s,%s,%s,%s,%s)",
                                 (event["event_id"], branch, kiosk, alert["severity"],
                                  alert["message"], event["at"], alert["code"],
                                  alert.get("device", "")))
            return True

    def kiosk(self, kiosk: str) -> dict[str, Any] | None:
        """The last status stored for one kiosk (state, release, settings digest, services
        still offered), or None."""
        rows = self.query("SELECT kiosk, branch, state, reason, since, at, version, "
                          "config_digest, offered FROM fleet_kiosks WHERE kiosk = %s", (kiosk,))
        if not rows:
            return None
        return dict(zip(("kiosk", "branch", "state", "reason", "since", "at", "version",
                         "config_digest", "offered"), rows[0]))

    def unsent_notifications(self, limit: int = 1000) -> list[dict[str, Any]]:
        rows = self.query("SELECT event_id, branch, kiosk, severity, text, created, level, code, "
                          "device FROM fleet_notify WHERE sent_at IS NULL ORDER BY created "
                          "LIMIT %s", (limit,))
        return [dict(zip(("event_id", "branch", "kiosk", "severity", "text", "created",
                          "level", "code", "device"), row)) for row in rows]

    def escalate(self, level: int, older_than: float, now: float, window_s: float = 86400.0
                 ) -> int:
        """Queue a level-`level` notification for every serious alert still unacknowledged
        that was raised before `older_than`; each alert at most once per level."""
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO fleet_notify (event_id, branch, kiosk, severity, text, created, "
                "level, code, device) SELECT 'esc' || %s || '-' || alert_id, branch, kiosk, "
                "severity, alert->>'message', %s, %s, alert->>'code', "
                "coalesce(alert->>'device', '') FROM (SELECT DISTINCT ON (alert_id) alert_id, "
                "branch, kiosk, severity, state, alert FROM fleet_events WHERE at > %s "
                "ORDER BY alert_id, at DESC) latest WHERE state = 'raised' AND "
                "(alert->>'raised_at')::float < %s AND severity = ANY(%s) "
                "ON CONFLICT (event_id) DO NOTHING",
                (level, now, level, now - window_s, older_than,
                 [s for s, rank in _RANK.items() if rank >= self.notify_min_rank]))
            return cursor.rowcount

    def mark_notified(self, event_ids: list[str], at: float) -> None:
        with self._lock:
            self._db.execute("UPDATE fleet_notify SET sent_at = %s WHERE event_id = ANY(%s)",
                             (at, event_ids))

    def record_post(self, robot: str, at: float, keep_s: float = 3600.0) -> None:
        """A message a robot took (its rate limit counts them, across restarts and services);
        `robot` is a digest of its webhook, never the webhook's key."""
        with self._lock, self._db.transaction():
            self._db.execute("INSERT INTO fleet_notify_posts VALUES (%s,%s)", (robot, at))
            self._db.execute("DELETE FROM fleet_notify_posts WHERE robot = %s AND at < %s",
                             (robot, at - keep_s))

    def posts_since(self, robot: str, since: float) -> list[float]:
        return [at for (at,) in self.query("SELECT at FROM fleet_notify_posts WHERE robot = %s "
                                           "AND at > %s ORDER BY at", (robot, since))]

    def availability(self, start: float, end: float, *, by: str = "kiosk"
                     ) -> dict[str, dict[str, float]]:
        """Share of [start, end) each kiosk (or branch: by="branch") was online, and its
        downtime in seconds by cause ("lost": link lost, "shutdown": shut down). A kiosk counts
        from its first status; the state before `start` carries into the window."""
        rows = self.query(
            "WITH spans AS (SELECT kiosk, branch, state, reason, at, LEAD(at) OVER "
            "(PARTITION BY kiosk ORDER BY at) AS next FROM fleet_status_log), "
            "clipped AS (SELECT kiosk, branch, state, reason, GREATEST(at, %s) AS a, "
            "LEAST(COALESCE(next, %s), %s) AS b FROM spans "
            "WHERE COALESCE(next, %s) > %s AND at < %s) "
            f"SELECT {_grouped(by)}, state, CASE WHEN reason = 'shutdown' THEN 'shutdown' ELSE 'lost' "
            "END, SUM(b - a) FROM clipped GROUP BY 1, 2, 3",
            (start, end, end, end, start, end))
        out: dict[str, dict[str, float]] = {}
        for key, state, cause, seconds in rows:
            entry = out.setdefault(key, {"online": 0.0, "lost": 0.0, "shutdown": 0.0})
            entry["online" if state == "online" else cause] += seconds
        for entry in out.values():
            total = entry["online"] + entry["lost"] + entry["shutdown"]
            entry["availability"] = entry["online"] / total if total else 0.0
        return out

    def ack_times(self, start: float, end: float, *, by: str = "kiosk"
                  ) -> dict[str, dict[str, float | int | None]]:
        """For the alerts raised in [start, end), per kiosk (or branch): how many, how many
        staff acknowledged, and the seconds from raised to acknowledged (median, 90th
        percentile, longest)."""
        rows = self.query(
            "WITH alerts AS (SELECT alert_id, MIN(kiosk) AS kiosk, MIN(branch) AS branch, "
            "MIN((alert->>'raised_at')::float) AS raised, "
            "MIN((alert->>'acknowledged_at')::float) AS acked FROM fleet_events "
            "GROUP BY alert_id) "
            f"SELECT {_grouped(by)}, COUNT(*), COUNT(acked), "
            "percentile_cont(0.5) WITHIN GROUP (ORDER BY acked - raised), "
            "percentile_cont(0.9) WITHIN GROUP (ORDER BY acked - raised), MAX(acked - raised) "
            "FROM alerts WHERE raised >= %s AND raised < %s GROUP BY 1", (start, end))
        return {key: {"alerts": alerts, "acknowledged": acked, "median_s": median,
                      "p90_s": p90, "max_s": longest}
                for key, alerts, acked, median, p90, longest in rows}

    def branches(self) -> dict[str, str]:
        """kiosk -> branch, as each kiosk last said."""
        return dict(self.query("SELECT kiosk, branch FROM fleet_kiosks"))

    def query(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()


class FleetService(BrokerLink):
    _retry = (psycopg.Error,)

    def __init__(self, address: BrokerAddress, store: FleetStore, *, prefix: str = "bank",
                 client_id: str = "fleet-1", tls_ca: str = ""):
        self.address = address
        self.store = store
        self.prefix = prefix
        self.stored = self.duplicates = self.rejected = 0
        self._connected = threading.Event()
        self._client = make_client(client_id, address, tls_ca=tls_ca, mqtt5=True)
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = lambda *a: self._connected.clear()
        self._client.on_subscribe = self._on_subscribe
        self._client.on_message = self._on_message

    def start(self) -> None:
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = SESSION_EXPIRY_S
        self._client.connect_async(self.address.host, self.address.port, 30,
                                   clean_start=False, properties=properties)
        self._client.loop_start()

    def _subscriptions(self) -> list[tuple[str, int]]:
        share = f"$share/{SHARE_GROUP}/{self.prefix}/+/+"
        return [(f"{share}/status", 1), (f"{share}/event/+", 1)]

    def _on_message(self, client: mqtt.Client, userdata: Any, message: mqtt.MQTTMessage) -> None:
        try:
            self._guarded(self._store, message)
        except psycopg.Error:
            # Not acknowledged: the broker sends it again when this session comes back.
            log.exception("fleet service: the database refused a message; stopping")
            threading.Thread(target=self.stop, daemon=True).start()
            return
        client.ack(message.mid, message.qos)

    def _store(self, message: mqtt.MQTTMessage) -> None:
        checked = schema.read(message.topic, message.payload)
        if checked is None:
            return
        branch, kiosk, kind, body = checked
        if kind == "status":
            self.store.record_status(branch, kiosk, body)
        elif kind != "event":
            return   # answers to remote actions are the console's
        elif self.store.record_event(branch, kiosk, body):
            self.stored += 1
        else:
            self.duplicates += 1
