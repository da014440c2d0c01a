"""Staff's remote actions as the console follows them: `pending` from the moment the command
leaves (a kiosk that is away gets it when it returns), `accepted` when the kiosk says it waits
for its customer, then `done` or `failed` with the kiosk's one-line result. A command the kiosk
never answers within `timeout_s` shows `failed`; an answer arriving later still wins.
"""
from __future__ import annotations

import collections
import json
import secrets
import threading
from typing import Any, Callable

from ..alerts.staff_text import CONSOLE_LANGUAGES, result_text

KEEP_PER_KIOSK = 10

Listener = Callable[[dict[str, Any]], None]


def command_payload(request: dict[str, Any]) -> bytes:
    """The command the kiosk carries out for a request (kiosk.fleet.remote_actions.read_command):
    what goes over the broker, or straight to the kiosk's RemoteActions on a local console."""
    return json.dumps({k: request[k] for k in ("action_id", "action", "by", "device", "reason")},
                      ensure_ascii=False).encode()


class RemoteRequests:
    def __init__(self, clock: Callable[[], float], timeout_s: float):
        self._clock = clock
        self.timeout_s = timeout_s
        self._lock = threading.Lock()
        self._by_kiosk: dict[str, collections.deque[dict[str, Any]]] = {}
        self._listeners: list[Listener] = []
        self._sent_listeners: list[Listener] = []

    def on_answer(self, listener: Listener) -> None:
        """Call `listener(request)` when a request ends (done, failed or timed out)."""
        self._listeners.append(listener)

    def on_sent(self, listener: Listener) -> None:
        """Call `listener(request)` for every new request, before its command leaves (so
        nothing the kiosk answers comes before it)."""
        self._sent_listeners.append(listener)

    def add(self, kiosk: str, branch: str, action: str, by: str, device: str = "",
            reason: str = "") -> dict[str, Any]:
        request = {"action_id": secrets.token_hex(8), "kiosk": kiosk, "branch": branch,
                   "action": action, "device": device, "reason": reason, "by": by,
                   "state": "pending", "result": "", "sent_at": self._clock(),
                   "answered_at": None, "data": {}}
        with self._lock:
            self._by_kiosk.setdefault(kiosk, collections.deque(maxlen=KEEP_PER_KIOSK)) \
                .appendleft(request)
        for listener in list(self._sent_listeners):
            listener(dict(request))
        return dict(request)

    def of(self, kiosk: str) -> list[dict[str, Any]]:
        """Newest first."""
        with self._lock:
            return [dict(r) for r in self._by_kiosk.get(kiosk, ())]

    def answered(self, kiosk: str, answer: dict[str, Any]) -> dict[str, Any] | None:
        """Apply the kiosk's answer (kiosk.fleet.schema.result); None for an unknown action."""
        with self._lock:
            request = next((r for r in self._by_kiosk.get(kiosk, ())
                            if r["action_id"] == answer["action_id"]), None)
            if request is None or request["action"] != answer["action"] or (
                    request["state"] in ("done", "failed") and request["answered_at"] and
                    answer["state"] == "accepted"):
                return None
            ended = answer["state"] != "accepted"
            changed = (request["state"], request["result"]) != (answer["state"],
                                                                answer["result"])
            # the result in each console language, by the technician panel's own function
            text = {lang: result_text(language, answer["data"], answer["result"])
                    for lang, language in CONSOLE_LANGUAGES.items()}
            request.update(state=answer["state"], result=answer["result"],
                           answered_at=answer["at"], data=answer["data"], text=text)
            done = dict(request)
        if ended and changed:
            self._tell(done)
        return done

    def expire(self) -> set[str]:
        """Mark requests never answered within the timeout failed; the kiosks changed."""
        now, ended = self._clock(), []
        with self._lock:
            for requests in self._by_kiosk.values():
                for request in requests:
                    if request["state"] == "pending" and \
                            now - request["sent_at"] > self.timeout_s:
                        request.update(state="failed", result="")
                        ended.append(dict(request))
        for request in ended:
            self._tell(request)
        return {r["kiosk"] for r in ended}

    def _tell(self, request: dict[str, Any]) -> None:
        for listener in list(self._listeners):
            listener(request)
