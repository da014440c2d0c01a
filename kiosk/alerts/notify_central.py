"""Group notifications sent centrally by the fleet service, never from each kiosk.

Serious alerts wait in PostgreSQL (`fleet_notify`, written with the event itself, so nothing is
lost when the service dies). Each branch's messages go to its robot (WeCom or DingTalk, from
`[notify] branch_webhooks`, else the default one). Robots accept about 20 messages a minute
and then throttle, so each robot gets at most `per_minute`; when more are waiting, the last
message of the minute is a digest of all the rest, grouped per branch. What each robot took in
the last minute is counted in PostgreSQL too, so a restarted service (or a second one) does not
start a fresh minute.

Messages are in each branch's language (`[notify] language`, zh_CN by default, and
`branch_languages`), from the catalogs (kiosk.alerts.staff_text), like a kiosk's own.

An alert nobody acknowledged escalates: after `escalate_after_s[0]` to the branch's robot again
(the branch manager's group), after `escalate_after_s[1]` to the region's robot.
"""
from __future__ import annotations

import collections
import hashlib
import logging
import threading
import time
from typing import Any, Callable

from ..i18n import DEFAULT_LANGUAGE
from .notify import DingTalkBot, WeComBot, deliver
from .staff_text import digest, notification

log = logging.getLogger(__name__)

Robot = WeComBot | DingTalkBot
DIGEST_LINES = 10


class GroupNotifier:
    def __init__(self, store: Any, robots: dict[str, Robot], *, per_minute: int = 20,
                 timeout_s: float = 5.0, retries: int = 3, retry_delay_s: float = 2.0,
                 escalate_after_s: tuple[float, ...] = (600.0, 1800.0),
                 clock: Callable[[], float] = time.time,
                 wall: Callable[[], float] = time.time, language: str = DEFAULT_LANGUAGE,
                 branch_languages: dict[str, str] | None = None):
        """`robots`: branch -> robot, "*" for every other branch, "region" for escalations."""
        self.escalate_after_s = escalate_after_s
        self._wall = wall
        self.language = language                      # of every branch not in branch_languages
        self.branch_languages = branch_languages or {}
        self.store = store
        self.robots = robots
        self.per_minute = max(2, per_minute)
        self.timeout_s = timeout_s
        self.retries = retries
        self.retry_delay_s = retry_delay_s
        self._clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.posts = self.digests = self.failed = 0

    def start(self, interval_s: float = 2.0) -> None:
        self._thread = threading.Thread(target=self._run, args=(interval_s,),
                                        name="group-notify", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread:
            self._thread.join(10)

    def _run(self, interval_s: float) -> None:
        while not self._stop.wait(interval_s):
            try:
                self.escalate()
                self.drain()
            except Exception:
                log.exception("group notifications: drain failed; retrying")

    def escalate(self) -> int:
        """Queue the escalations now due; returns how many."""
        now = self._wall()
        return sum(self.store.escalate(level, now - after, now)
                   for level, after in enumerate(self.escalate_after_s, start=1))

    def drain(self) -> int:
        """One pass over the outbox; returns how many messages the robots took."""
        waiting: dict[int, list[dict[str, Any]]] = {}
        for row in self.store.unsent_notifications():
            robot = (self.robots.get("region") if row["level"] >= 2 else None) or \
                self.robots.get(row["branch"]) or self.robots.get("*")
            if robot is None:
                self.store.mark_notified([row["event_id"]], time.time())  # nobody to tell
                continue
            waiting.setdefault(id(robot), []).append(row)
        robots = {id(r): r for r in self.robots.values()}
        return sum(self._send(robots[key], rows) for key, rows in waiting.items())

    def _send(self, robot: Robot, rows: list[dict[str, Any]]) -> int:
        key = hashlib.sha256(robot.url.encode()).hexdigest()[:16]
        recent = self.store.posts_since(key, self._clock() - 60.0)
        budget = self.per_minute - len(recent)
        if budget <= 0:
            return 0
        single, rest = (rows, []) if len(rows) <= budget else (rows[:budget - 1],
                                                                 rows[budget - 1:])
        taken = 0
        for row in single:
            if not self._post(robot, key, _line(row, self.language_of(row["branch"]))):
                return taken
            self.store.mark_notified([row["event_id"]], time.time())
            taken += 1
        if rest and self._post(robot, key, _digest(rest, self.language_of(rest[0]["branch"]))):
            self.store.mark_notified([r["event_id"] for r in rest], time.time())
            self.digests += 1
            taken += 1
        return taken

    def language_of(self, branch: str) -> str:
        """The language of a branch's group messages ([notify] language, branch_languages)."""
        return self.branch_languages.get(branch, self.language)

    def _post(self, robot: Robot, key: str, text: str) -> bool:
        ok = deliver(robot, text, self.timeout_s, self.retries, self.retry_delay_s)
        if ok:
            self.store.record_post(key, self._clock())
            self.posts += 1
        else:
            self.failed += 1
        return ok


def _line(row: dict[str, Any], language: str) -> str:
    stamp = time.strftime("%H:%M:%S", time.localtime(row["created"]))
    return notification(language, severity=row["severity"], branch=row["branch"],
                        kiosk=row["kiosk"], code=row["code"], device=row["device"],
                        message=row["text"], stamp=stamp, escalated=bool(row["level"]))


def _digest(rows: list[dict[str, Any]], language: str) -> str:
    by_branch: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_branch.setdefault(row["branch"], []).append(row)
    counts = collections.Counter(r["severity"] for r in rows)
    branches = [(branch, len(items), sorted({r["kiosk"] for r in items})[:DIGEST_LINES])
                for branch, items in sorted(by_branch.items())]
    return "\n".join(digest(language, counts.most_common(), branches, len(rows))
                     [:DIGEST_LINES + 1])
