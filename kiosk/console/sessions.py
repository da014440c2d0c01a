"""Staff sessions: random ids in an HttpOnly SameSite=Strict cookie, one CSRF token each."""
from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from typing import Callable

COOKIE = "kiosk_console"


@dataclass(frozen=True)
class StaffSession:
    session_id: str
    user: str
    csrf: str
    expires: float


class SessionStore:
    def __init__(self, ttl_s: float, clock: Callable[[], float] = time.monotonic):
        self.ttl_s = ttl_s
        self._clock = clock
        self._lock = threading.Lock()
        self._sessions: dict[str, StaffSession] = {}

    def create(self, user: str) -> StaffSession:
        session = StaffSession(secrets.token_urlsafe(32), user, secrets.token_urlsafe(32),
                               self._clock() + self.ttl_s)
        with self._lock:
            now = self._clock()
            self._sessions = {k: s for k, s in self._sessions.items() if s.expires > now}
            self._sessions[session.session_id] = session
        return session

    def get(self, session_id: str | None) -> StaffSession | None:
        if not session_id:
            return None
        with self._lock:
            session = self._sessions.get(session_id)
            if session is not None and session.expires <= self._clock():
                del self._sessions[session_id]
                return None
            return session

    def end(self, session_id: str) -> None:
        with self._lock:
            self._sessions.pop(session_id, None)

    def cookie(self, session: StaffSession) -> str:
        return (f"{COOKIE}={session.session_id}; Path=/; HttpOnly; SameSite=Strict; "
                f"Max-Age={int(self.ttl_s)}")
