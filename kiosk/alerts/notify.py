"""Staff group messages for serious alerts: WeCom group bots and DingTalk signed robots.

Only raised or escalated alerts at or above the configured severity are sent. Sending runs on
one worker thread with a timeout per request and a few retries, so a slow webhook never holds
up the kiosk. Messages are in the branch's language (`[notify] language`, per branch
`branch_languages`; zh_CN by default) from the catalogs (kiosk.alerts.staff_text), with the
alert's facts, which AlertCenter has already masked.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import queue
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any, Callable

from ..i18n import DEFAULT_LANGUAGE
from .center import AlertCenter, AlertChange
from .model import Severity
from .staff_text import notification

log = logging.getLogger(__name__)


class NotifyError(Exception):
    """A webhook refused or did not answer."""


@dataclass(frozen=True)
class WeComBot:
    """WeCom (企业微信) group robot: https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=..."""
    url: str
    name = "wecom"

    def request(self, text: str) -> tuple[str, dict[str, Any]]:
        return self.url, {"msgtype": "text", "text": {"content": text}}


@dataclass(frozen=True)
class DingTalkBot:
    """DingTalk (钉钉) custom robot with signing: timestamp + HMAC-SHA256 of "ts\\nsecret"."""
    url: str
    secret: str
    clock: Callable[[], float] = time.time
    name = "dingtalk"

    def sign(self, timestamp_ms: int) -> str:
        digest = hmac.new(self.secret.encode(), f"{timestamp_ms}\n{self.secret}".encode(),
                          hashlib.sha256).digest()
        return base64.b64encode(digest).decode()

    def request(self, text: str) -> tuple[str, dict[str, Any]]:
        url = self.url
        if self.secret:
            ts = int(self.clock() * 1000)
            query = urllib.parse.urlencode({"timestamp": ts, "sign": self.sign(ts)})
            url += ("&" if "?" in url else "?") + query
        return url, {"msgtype": "text", "text": {"content": text}}


def _safe(url: str) -> str:
    """The webhook without its key or token, for logs."""
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"


class StaffNotifier:
    def __init__(self, channels: list[WeComBot | DingTalkBot], *,
                 min_severity: Severity = Severity.FAULT, timeout_s: float = 5.0,
                 retries: int = 3, retry_delay_s: float = 2.0, language: str = DEFAULT_LANGUAGE,
                 branch_languages: dict[str, str] | None = None):
        self.channels = channels
        self.min_severity = min_severity
        self.timeout_s = timeout_s
        self.retries = retries
        self.retry_delay_s = retry_delay_s
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._kiosk = self._branch = ""
        self.language = language        # the branch's language once attached
        self._branch_languages = branch_languages or {}
        self.sent = 0
        self.failed = 0

    @classmethod
    def from_config(cls, section: Any) -> "StaffNotifier":
        channels: list[WeComBot | DingTalkBot] = []
        if section.wecom_webhook:
            channels.append(WeComBot(section.wecom_webhook))
        if section.dingtalk_webhook:
            channels.append(DingTalkBot(section.dingtalk_webhook, section.dingtalk_secret))
        return cls(channels, min_severity=Severity(section.min_severity),
                   timeout_s=section.timeout_s, retries=section.retries,
                   language=section.language, branch_languages=section.branch_languages)

    def attach(self, center: AlertCenter) -> None:
        self._kiosk, self._branch = center.kiosk_id, center.branch
        self.language = self._branch_languages.get(center.branch, self.language)
        self._unsubscribe = center.subscribe(self.on_alert)
        self._thread = threading.Thread(target=self._work, name="staff-notify", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        if self._unsubscribe:
            self._unsubscribe()
        self._queue.put(None)
        if self._thread:
            self._thread.join(timeout)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every queued message was sent or given up (tests, shutdown)."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.01)
        return not self._queue.unfinished_tasks

    def on_alert(self, change: AlertChange) -> None:
        alert = change.alert
        if change.action not in ("raised", "escalated") or \
                alert.severity.rank < self.min_severity.rank:
            return
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(alert.updated_at))
        self._queue.put(notification(
            self.language, severity=alert.severity.value, branch=self._branch,
            kiosk=self._kiosk, code=alert.code, device=alert.device, message=alert.message,
            stamp=stamp))

    def _work(self) -> None:
        while True:
            text = self._queue.get()
            try:
                if text is None:
                    return
                for channel in self.channels:
                    self._deliver(channel, text)
            finally:
                self._queue.task_done()

    def _deliver(self, channel: WeComBot | DingTalkBot, text: str) -> None:
        if deliver(channel, text, self.timeout_s, self.retries, self.retry_delay_s):
            self.sent += 1
        else:
            self.failed += 1


def deliver(channel: WeComBot | DingTalkBot, text: str, timeout_s: float, retries: int,
            retry_delay_s: float) -> bool:
    """Post one message, retrying a few times; False when the robot never took it."""
    for attempt in range(1, retries + 1):
        url, body = channel.request(text)
        try:
            _post(url, body, timeout_s)
            return True
        except NotifyError as exc:
            log.warning("%s webhook %s failed (attempt %d of %d): %s", channel.name,
                        _safe(url), attempt, retries, exc)
            if attempt < retries:
                time.sleep(retry_delay_s * attempt)
    return False


def _post(url: str, body: dict[str, Any], timeout_s: float) -> None:
    data = json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            reply = json.loads(response.read() or b"{}")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise NotifyError(str(exc)) from exc
    if reply.get("errcode", 0) != 0:
        raise NotifyError(f"errcode {reply.get('errcode')}: {reply.get('errmsg', '')}")
