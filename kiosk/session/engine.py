"""The step engine: the current state, the actions it accepts, its timer, and its listeners.

It knows nothing about customers or services. The customer lifecycle (machine.py) and the
flows drive it with `show` (a new step with its handlers and timer), `update` (new view values
on the same step) and `snapshot`/`restore` (come back to a step unchanged); the core's ticker
fires timers through `tick`. Every call holds `lock`, so a step and its handlers change together.

A view value may be a text the host gives in both languages (`Bilingual`, anywhere in the view):
the state carries it in the customer's language, picked again whenever the language changes.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import replace
from typing import Any, Callable, NamedTuple

from drivers.subscribers import Subscribers

from ..host.models import Bilingual
from .clock import Now
from .failures import Failure, describe
from .states import State, Step

log = logging.getLogger(__name__)

Listener = Callable[[State], None]
Handler = Callable[..., None]

IDLE = "idle"          # the step times out after the inactivity timeout


def in_language(value: Any, language: str) -> Any:
    """`value` (a view, or a part of one) with each Bilingual text picked in `language`."""
    if isinstance(value, Bilingual):
        return value.pick(language)
    if isinstance(value, dict):
        return {k: in_language(v, language) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(in_language(v, language) for v in value)
    return value


class Snapshot(NamedTuple):
    """A step with its handlers and timer, to come back to it unchanged."""
    state: State
    handlers: dict[str, Handler]
    timeout: str | float | None
    on_deadline: Callable[[], None] | None
    left: float | None
    view: dict[str, Any]       # as the flow gave it (texts in both languages)


class StepEngine:
    def __init__(self, now: Now, *, idle_timeout: Callable[[], float],
                 on_idle: Callable[[], None], common: Callable[[], dict[str, Any]],
                 first: State):
        """`idle_timeout()` is the inactivity timeout now, `on_idle()` runs when it expires,
        `common()` gives the fields every state carries (language, elderly, page size...)."""
        self.now = now
        self.lock = threading.RLock()
        self._idle_timeout = idle_timeout
        self._on_idle = on_idle
        self._common = common
        self._listeners: Subscribers[Listener] = Subscribers()
        self._state = first
        self._view: dict[str, Any] = dict(first.view)   # the state's view, in both languages
        self._handlers: dict[str, Handler] = {}
        self._timeout: str | float | None = None
        self._deadline: float | None = None
        self._on_deadline: Callable[[], None] | None = None
        self._seq = 0
        self.critical = 0   # critical jobs (transfers) in flight
        self._worker: Any = None

    def run_on(self, worker: Any, *, generation: Callable[[], int],
               fail: Callable[..., None], critical_done: Callable[[], None]) -> None:
        """Jobs run on `worker`; a result is dropped once `generation()` moved on; `fail(fault,
        retry=...)` shows a failure; `critical_done()` runs when the last critical job is in."""
        self._worker = worker
        self._generation = generation
        self._fail = fail
        self._critical_done = critical_done

    @property
    def state(self) -> State:
        with self.lock:
            return self._state

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        with self.lock:
            unsubscribe = self._listeners.add(listener)
            current = self._state
        listener(current)
        return unsubscribe

    def handler(self, action: str) -> Handler | None:
        """The handler of `action` in this step (a touch restarts the inactivity timer)."""
        with self.lock:
            if self._timeout == IDLE:
                self._deadline = self.now() + self._idle_timeout()
            return self._handlers.get(action)

    def show(self, step: Step, *, message_id: str = "", on: dict[str, Handler] | None = None,
             timeout: str | float | None = IDLE, busy: bool = False,
             seconds_left: int | None = None, **view: Any) -> State:
        """Enter a step: the handlers in `on` are the actions accepted; `timeout` is IDLE
        (inactivity), None (no timer) or seconds (then `on["timeout"]` runs)."""
        with self.lock:
            handlers = dict(on or {})
            on_timeout = handlers.pop("timeout", None)
            self._handlers = handlers
            self._timeout = timeout
            self._set_timer(timeout, on_timeout)
            self._seq += 1
            common = self._common()
            self._view = view
            self._state = State(step=step, seq=self._seq, message_id=message_id,
                                view=in_language(view, common["language"]),
                                actions=tuple(handlers), busy=busy, seconds_left=seconds_left,
                                **common)
            self._publish()
            return self._state

    def update(self, *, only: Step | None = None, **view: Any) -> bool:
        """Change some view values of the current step (progress, fee) without a new step;
        with `only`, nothing changes unless that step is shown and a value differs (progress
        reported late or twice)."""
        with self.lock:
            if only is not None and (self._state.step != only or all(
                    self._view.get(k, object()) == v for k, v in view.items())):
                return False
            self._seq += 1
            self._view = {**self._view, **view}
            self._state = replace(self._state, seq=self._seq,
                                  view=in_language(self._view, self._state.language))
            self._publish()
            return True

    def reshow(self, **changes: Any) -> None:
        """The same step again with the common fields as they are now (language, elderly)."""
        with self.lock:
            self._seq += 1
            if "view" in changes:
                self._view = changes.pop("view")
            common = {**self._common(), **changes}
            self._state = replace(self._state, seq=self._seq, **common,
                                  view=in_language(self._view, common["language"]))
            self._publish()

    def tick(self) -> None:
        """Fire the current step's timer if its deadline has passed."""
        with self.lock:
            if self._deadline is not None and self.now() >= self._deadline:
                fire, self._deadline, self._on_deadline = self._on_deadline, None, None
                if fire is not None:
                    fire()

    def snapshot(self) -> Snapshot:
        with self.lock:
            left = None if self._deadline is None else max(0.0, self._deadline - self.now())
            return Snapshot(self._state, self._handlers, self._timeout, self._on_deadline, left,
                            self._view)

    def restore(self, snapshot: Snapshot) -> None:
        with self.lock:
            self._handlers, self._timeout = snapshot.handlers, snapshot.timeout
            if snapshot.timeout == IDLE:
                self._set_timer(IDLE, None)
            else:
                self._deadline = None if snapshot.left is None else self.now() + snapshot.left
                self._on_deadline = snapshot.on_deadline
            self._seq += 1
            common = self._common()
            common.pop("page_size", None)  # the restored step keeps the page it was built for
            self._view = snapshot.view
            self._state = replace(snapshot.state, seq=self._seq, **common,
                                  view=in_language(snapshot.view, common["language"]))
            self._publish()

    def work(self, task: str, job: Callable[[], Any], done: Callable[[Any], None], *,
             failed: Callable[[BaseException], None] | None = None,
             retry: Callable[[], None] | None = None, critical: bool = False,
             show: bool = True) -> None:
        """Run `job()` on the worker; `done(result)` then runs under the lock.

        A result that arrives after the customer's session ended is dropped, except for a
        `critical` job (a transfer): the session waits for it before it ends.
        """
        with self.lock:
            gen = self._generation()
            if critical:
                self.critical += 1
            if show:
                self.show(Step.WORKING, message_id=task, timeout=None, busy=True, task=task,
                          progress=None)

        def run() -> None:
            try:
                result, error = job(), None
            except BaseException as exc:  # handed to the flow as a state, never lost
                result, error = None, exc
            with self.lock:
                try:
                    if gen != self._generation() and not critical:
                        log.info("dropping the result of %s: the session has ended", task)
                    elif error is not None:
                        log.warning("%s failed: %s", task, error)
                        (failed or (lambda e: self._fail(describe(e), retry=retry)))(error)
                    else:
                        done(result)
                except Exception:
                    log.exception("handling the result of %s failed", task)
                    self._fail(Failure("host_error"), retry=retry)
                finally:
                    if critical:
                        self.critical -= 1
                        if self.critical == 0:
                            self._critical_done()

        self._worker.submit("jobs", run)

    def _publish(self) -> None:
        state = self._state
        for listener in self._listeners.snapshot():
            try:
                listener(state)
            except Exception:
                log.exception("state listener %r failed", listener)

    def _set_timer(self, timeout: str | float | None, on_timeout: Callable[[], None] | None) -> None:
        if timeout == IDLE:
            self._deadline = self.now() + self._idle_timeout()
            self._on_deadline = self._on_idle
        elif timeout is None:
            self._deadline, self._on_deadline = None, None
        else:
            self._deadline = self.now() + float(timeout)
            self._on_deadline = on_timeout
