"""Staff's remote actions, carried out on the kiosk: out of service and back, a device
self-test, a diagnostics bundle.

A command comes from the console on `.../command/remote` (QoS 1 on the kiosk's persistent
session: one sent while the kiosk is away arrives when it returns) with an `action_id`, or from
the kiosk's own staff console (kiosk.console.local) straight to `handle`; the answer goes back
the way the command came (`.../result` for the broker) with the same id: `accepted` (it waits for the customer at the
machine to finish), then `done` or `failed` with one line of result. Never customer data: a
self-test's line is the self-test's own masked summary; for a bundle, the file's name under the
data folder, its size and SHA-256, never its content or the full path.

Out of service lasts across a restart of the kiosk (a small state file) until staff put it
back; a customer being served finishes first (the session takes it only on the attract screen).
"""
from __future__ import annotations

import collections
import hashlib
import json
import logging
import threading
import time
from pathlib import Path
from typing import Any, Callable

from ..alerts.staff_text import result_facts
from .schema import REMOTE_ACTIONS as ACTIONS

log = logging.getLogger(__name__)

OUT_MESSAGE = "out_of_service_staff"   # the session's out-of-service notice
SELF_TEST_TIMEOUT_S = 15.0
SEEN_MAX = 200

Reply = Callable[[dict[str, Any]], None]


class RemoteCommandError(ValueError):
    """A remote command that cannot be read (its text says which field)."""


def read_command(payload: bytes) -> dict[str, str]:
    """The checked fields of one remote command."""
    try:
        body = json.loads(payload)
    except ValueError:
        raise RemoteCommandError("not JSON") from None
    if not isinstance(body, dict):
        raise RemoteCommandError("not an object")
    out = {}
    for key in ("action_id", "action", "by", "device", "reason"):
        value = body.get(key, "")
        if not isinstance(value, str) or len(value) > 200:
            raise RemoteCommandError(f"{key} is not a short text")
        out[key] = value
    if not out["action_id"] or out["action"] not in ACTIONS:
        raise RemoteCommandError("unknown action or no action id")
    return out


class RemoteActions:
    def __init__(self, session: Any, *, bus: Any | None = None, desk: Any | None = None,
                 state_file: str | Path | None = None, clock: Callable[[], float] = time.time):
        """`session` (kiosk.session.machine.Session) takes the kiosk out of service; `desk`
        (kiosk.technician_mode.TechnicianDesk) runs self-tests and writes bundles."""
        self.session = session
        self.bus = bus
        self.desk = desk
        self.reply: Reply = lambda body: None   # the fleet publisher sets it
        self._clock = clock
        self._state_file = Path(state_file) if state_file else None
        self._lock = threading.Lock()
        self._wanted: dict[str, str] | None = self._load()   # the command that took it out
        self._answered: collections.OrderedDict[str, dict[str, Any]] = \
            collections.OrderedDict()
        self._origins: dict[str, Reply] = {}   # action id -> where its answers go, if not reply
        self._busy = threading.Lock()   # one self-test or bundle at a time
        self._unsubscribe = session.subscribe(self._on_state)

    def close(self) -> None:
        self._unsubscribe()

    @property
    def out_of_service(self) -> bool:
        return self.session.state.message_id == OUT_MESSAGE

    # -- commands (from paho's thread: the work runs on a thread of its own) -------------------
    def handle(self, payload: bytes, reply: Reply | None = None) -> None:
        """Carry out one command; its answers go to `reply` (the kiosk's own staff console)
        or, without one, to `self.reply` (the fleet publisher's result topic)."""
        try:
            command = read_command(payload)
        except RemoteCommandError as exc:
            log.warning("fleet: ignored a malformed remote command: %s", exc)
            return
        with self._lock:
            done = self._answered.get(command["action_id"])
            if done is None and reply is not None:
                self._origins[command["action_id"]] = reply
        if done is not None:  # QoS 1 sent it again: answer again, do not run it twice
            (reply or self.reply)(done)
            return
        threading.Thread(target=self.run, args=(command,), name="remote-action",
                         daemon=True).start()

    def run(self, command: dict[str, str]) -> dict[str, Any]:
        action = command["action"]
        log.warning("remote action %s by %s (%s)", action, command["by"] or "staff",
                    command["action_id"])
        try:
            if action == "out_of_service":
                answer = self._take_out(command)
            elif action == "in_service":
                answer = self._put_back(command)
            elif action == "self_test":
                answer = self._self_test(command)
            else:
                answer = self._bundle(command)
        except Exception as exc:  # an answer always goes back: the console must not wait
            log.exception("remote action %s failed", action)
            answer = ("failed", *result_facts("remote.error", error=type(exc).__name__))
        return self._answer(command, *answer)

    # -- out of service ---------------------------------------------------------------------
    def _take_out(self, command: dict[str, str]) -> tuple[str, str, dict[str, Any]]:
        with self._lock:
            self._wanted = command
            self._save()
        if self._enter():
            return "done", "out of service", {}
        return "accepted", "out of service once the customer at the kiosk has finished", {}

    def _put_back(self, command: dict[str, str]) -> tuple[str, str, dict[str, Any]]:
        with self._lock:
            was = self._wanted
            self._wanted = None
            self._save()
        if self.session.send("in_service", by=command["by"]):
            self._service_mode(True)
            return "done", "back in service", {}
        return "done", "in service" + (" (it was waiting for a customer)" if was else ""), {}

    def _enter(self) -> bool:
        """Out of service now if the session is on the attract screen."""
        with self._lock:
            wanted = self._wanted
        if wanted is None or self.out_of_service:
            return wanted is not None
        if not self.session.send("out_of_service", by=wanted["by"], reason=wanted["reason"]):
            return False
        self._service_mode(False)
        return True

    def _on_state(self, state: Any) -> None:
        """Under the session's lock: a pending out-of-service waits for the attract screen."""
        if self._wanted is not None and str(state.step) == "attract" and \
                state.message_id != OUT_MESSAGE:
            threading.Thread(target=self._enter_later, name="remote-out", daemon=True).start()

    def _enter_later(self) -> None:
        with self._lock:
            wanted = self._wanted
        if wanted is not None and self._enter():
            self._answer(wanted, "done", "out of service", {})

    def _service_mode(self, serving: bool) -> None:
        if self.bus is not None:
            from ..technician_mode import ServiceModeChanged
            self.bus.publish(ServiceModeChanged(serving, "remote"))

    # -- self-test and bundle ---------------------------------------------------------------------
    def _idle(self) -> str:
        """Why a self-test or a bundle cannot run now: a RESULT_TEXT id ("" when it can)."""
        if self.desk is None:
            return "remote.no_desk"
        if getattr(self.desk, "active", False):
            return "remote.technician"
        if str(self.session.state.step) != "attract":
            return "remote.customer"
        return ""

    def _self_test(self, command: dict[str, str]) -> tuple[str, str, dict[str, Any]]:
        why = self._idle()
        device = command["device"][:40]
        if not why and device not in self.desk.devices.enabled_names():
            why = "remote.no_device"
        if why:
            return "failed", *result_facts(why, device=device)
        with self._busy:
            result = self.desk.self_tests.run(device, SELF_TEST_TIMEOUT_S)
        self._journal("remote.self_test", command, device=device, ok=result.ok,
                      summary=result.summary[:200])
        # the facts beside the line: the console says it in the staff member's language
        return ("done" if result.ok else "failed"), result.summary[:200], \
            {**result.said, "device": device, "ok": result.ok}

    def _bundle(self, command: dict[str, str]) -> tuple[str, str, dict[str, Any]]:
        if self.desk is None:
            return "failed", *result_facts("remote.no_desk")
        from ..technician import export_bundle

        desk = self.desk
        with self._busy:
            path = export_bundle(desk.config, desk.config.data_dir / "diag",
                                 statuses=desk.devices.statuses(), alerts=desk.alerts,
                                 counters=desk.counters)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        where = f"diag/{path.name}"   # under the kiosk's data folder
        self._journal("remote.bundle", command, file=path.name, sha256=digest)
        line, said = result_facts("remote.bundle", file=where, bytes=path.stat().st_size,
                                  digest=digest[:16])
        return "done", line, {**said, "sha256": digest}

    # -- answers ----------------------------------------------------------------------------------
    def _answer(self, command: dict[str, str], state: str, result: str,
                data: dict[str, Any]) -> dict[str, Any]:
        body = {"action_id": command["action_id"], "action": command["action"],
                "state": state, "result": result, "at": self._clock(), "data": data}
        with self._lock:
            reply = self._origins.get(command["action_id"]) or self.reply
            if state != "accepted":
                self._origins.pop(command["action_id"], None)
                self._answered[command["action_id"]] = body
                while len(self._answered) > SEEN_MAX:
                    self._answered.popitem(last=False)
        log.warning("remote action %s (%s): %s %s", command["action"], command["action_id"],
                    state, result)
        reply(body)
        return body

    def _journal(self, kind: str, command: dict[str, str], **fields: Any) -> None:
        journal = getattr(self.desk, "journal", None)
        if journal is not None:
            journal.record(kind, who=command["by"][:64], action_id=command["action_id"],
                           **fields)

    def _load(self) -> dict[str, str] | None:
        if self._state_file is None or not self._state_file.is_file():
            return None
        try:
            return read_command(self._state_file.read_bytes())
        except (OSError, RemoteCommandError):
            log.exception("the out-of-service state file %s is unreadable: in service",
                          self._state_file)
            return None

    def _save(self) -> None:
        if self._state_file is None:
            return
        if self._wanted is None:
            self._state_file.unlink(missing_ok=True)
            return
        self._state_file.parent.mkdir(parents=True, exist_ok=True)
        temp = self._state_file.with_suffix(".tmp")
        temp.write_text(json.dumps(self._wanted, ensure_ascii=False), encoding="utf-8")
        temp.replace(self._state_file)
