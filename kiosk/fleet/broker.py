"""Broker address, client set-up (credentials, TLS) and topic names shared by both ends."""
from __future__ import annotations

import logging
import random
import ssl
import threading
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt

log = logging.getLogger(__name__)



class DropMessage(ValueError):
    """A consumer's handler raises this for a message it drops (bad schema, unknown topic)."""

RECONNECT_MIN_S = (0.5, 2.0)    # each client draws its own first wait and its ceiling, so
RECONNECT_MAX_S = (15.0, 30.0)  # thousands of kiosks do not all return in the same second


def reconnect_delays(rng: random.Random | None = None) -> tuple[float, float]:
    """(first wait, longest wait) for paho's doubling back-off, jittered per client."""
    rng = rng or random.SystemRandom()
    return rng.uniform(*RECONNECT_MIN_S), rng.uniform(*RECONNECT_MAX_S)


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    tls: bool
    username: str = ""
    password: str = field(default="", repr=False)

    @classmethod
    def parse(cls, url: str, *, username: str = "", password: str = "",
              production: bool = False) -> "BrokerAddress":
        """mqtt://host[:1883] or mqtts://host[:8883]; user:pass in the URL wins over config.

        In production a password never crosses the network in clear: mqtt:// with one is refused.
        """
        parts = urlsplit(url)
        if parts.scheme not in ("mqtt", "mqtts") or not parts.hostname:
            raise ValueError(f"fleet broker URL {url!r}: expected mqtt://host:port or "
                             "mqtts://host:port")
        tls = parts.scheme == "mqtts"
        address = cls(parts.hostname, parts.port or (8883 if tls else 1883), tls,
                      unquote(parts.username or "") or username,
                      unquote(parts.password or "") or password)
        if production and address.password and not tls:
            raise ValueError(f"fleet broker {address}: the production profile sends a password "
                             "only over TLS (mqtts://)")
        return address

    @classmethod
    def from_config(cls, config: Any, url: str = "") -> "BrokerAddress":
        """[fleet] mqtt_url (or `url`), its credentials, and the profile's TLS rule."""
        f = config.fleet
        return cls.parse(url or f.mqtt_url, username=f.username, password=f.password,
                         production=config.kiosk.profile == "production")

    def __str__(self) -> str:  # never shows the password
        return f"{'mqtts' if self.tls else 'mqtt'}://{self.host}:{self.port}"


def make_client(client_id: str, address: BrokerAddress, *, tls_ca: str = "",
                persistent: bool = False, mqtt5: bool = False) -> mqtt.Client:
    """A paho client; `persistent` keeps the session (and QoS 1 messages) while it is away.
    An MQTT 5 client (shared subscriptions) acknowledges messages itself (`client.ack`) and
    says at connect whether its session persists."""
    if mqtt5:
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id,
                             protocol=mqtt.MQTTv5, manual_ack=True)
    else:
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id,
                             protocol=mqtt.MQTTv311, clean_session=not persistent)
    if address.username:
        client.username_pw_set(address.username, address.password or None)
    if address.tls:
        context = ssl.create_default_context(cafile=tls_ca or None)
        client.tls_set_context(context)
    client.reconnect_delay_set(*reconnect_delays())
    return client


class BrokerLink:
    """What the console's monitor and the fleet service share: their paho client's life and
    the guard around every message (a bad one is logged and counted, never fatal)."""
    address: BrokerAddress
    rejected: int
    _client: mqtt.Client
    _connected: threading.Event
    _retry: tuple[type[BaseException], ...] = ()  # not dropped: left unacknowledged

    def stop(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()

    def wait_connected(self, timeout: float) -> bool:
        """True once connected *and* subscribed."""
        return self._connected.wait(timeout)

    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any,
                    properties: Any) -> None:
        if reason.is_failure:
            log.warning("%s: broker %s refused the connection: %s", type(self).__name__,
                        self.address, reason)
            return
        client.subscribe(self._subscriptions())   # live once granted: _on_subscribe

    def _subscriptions(self) -> list[tuple[str, int]]:
        """The (topic filter, QoS) pairs the link asks for on every connect."""
        raise NotImplementedError

    def _on_subscribe(self, client: mqtt.Client, userdata: Any, mid: int, reasons: Any,
                      properties: Any) -> None:
        # Live only once the broker granted the subscriptions: a message sent between CONNACK
        # and SUBACK would be missed while the console already said it was live.
        if any(reason.is_failure for reason in reasons):
            log.warning("%s: broker %s refused the subscriptions: %s", type(self).__name__,
                        self.address, [str(reason) for reason in reasons])
            return
        self._connected.set()
        self._on_live()

    def _on_live(self) -> None:
        """Subclasses' hook for the moment the link is live."""

    def _guarded(self, handle: Callable[[mqtt.MQTTMessage], None],
                 message: mqtt.MQTTMessage) -> None:
        try:
            handle(message)
        except self._retry:
            raise
        except DropMessage as exc:
            self.rejected += 1
            log.warning("%s: dropped a bad message on %s: %s", type(self).__name__,
                        message.topic[:200], exc)
        except Exception:  # paho's thread must never die: the reader would go blind
            self.rejected += 1
            log.exception("%s: dropped a message on %s", type(self).__name__,
                          message.topic[:200])


@dataclass(frozen=True)
class Topics:
    prefix: str
    branch: str
    kiosk: str

    @property
    def base(self) -> str:
        return f"{self.prefix}/{self.branch}/{self.kiosk}"

    @property
    def status(self) -> str:
        return f"{self.base}/status"

    def event(self, device: str) -> str:
        return f"{self.base}/event/{device or 'kiosk'}"

    def command(self, verb: str) -> str:
        return f"{self.base}/command/{verb}"

    @property
    def result(self) -> str:
        """Where the kiosk answers staff's remote actions."""
        return f"{self.base}/result"


def split_topic(topic: str) -> tuple[str, str, str, list[str]] | None:
    """`prefix/branch/kiosk/rest...` -> (prefix, branch, kiosk, rest) or None."""
    parts = topic.split("/")
    if len(parts) < 4:
        return None
    return parts[0], parts[1], parts[2], parts[3:]
