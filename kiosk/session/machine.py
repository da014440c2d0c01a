"""The customer session state machine: one `Session` per kiosk, reused for every customer.

How a screen uses it:

    session = core.session                  # or Session(config, services)
    unsubscribe = session.subscribe(render) # render(State) runs on the session's threads:
                                            # hand it to the UI thread (Clock.schedule_once)
    session.send("start")                   # actions listed in State.actions (+ GLOBAL_ACTIONS)
    session.send("digit", key=3)
    session.tick()                          # the core's ticker calls this; tests call it

Everything that may block (device I/O, host calls, printing) runs on a small worker; the
screen sees a WORKING/PRINTING state meanwhile and the result arrives as the next state.
Tests wait for the worker with `wait_idle()` and move time with an injected clock.
"""
from __future__ import annotations

import concurrent.futures
import logging
import threading
import uuid
from dataclasses import replace
from typing import Any, Callable

from drivers.base import DeviceEvent, StatusChanged

from ..config import KioskConfig
from .clock import Now, system_now
from .data import CustomerData
from .faults import Fault, describe
from .services import Services
from .states import GLOBAL_ACTIONS, State, Step

log = logging.getLogger(__name__)

Listener = Callable[[State], None]
Handler = Callable[..., None]

IDLE = "idle"          # the step times out after the inactivity timeout
GOODBYE_S = 5.0        # how long the thank-you shows before the attract screen
LANGUAGES = ("zh_CN", "en")
TAKE_MESSAGES = {("receipt", "card"): "take_receipt_and_card", ("receipt",): "take_receipt",
                 ("card",): "take_card", ("ticket",): "take_ticket",
                 ("ticket", "card"): "take_card"}


class Session:
    def __init__(self, config: KioskConfig, services: Services | None = None, *,
                 now: Now = system_now, workers: int = 2):
        self.config = config
        self.services = services or Services()
        self.now = now
        self.data = CustomerData()
        self.language = config.ui.language
        self.elderly = False
        self.session_id = ""
        self._lock = threading.RLock()
        self._listeners: list[Listener] = []
        self._state = State(Step.ATTRACT, language=self.language)
        self._handlers: dict[str, Handler] = {}
        self._timeout: str | float | None = None
        self._deadline: float | None = None
        self._on_deadline: Callable[[], None] | None = None
        self._gen = 0
        self._flow: Any = None
        self._pending = 0
        self._critical = 0
        self._end_pending: str | None = None
        self._idle = threading.Condition(self._lock)
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=workers, thread_name_prefix="session")
        self._journal_writer = concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="session-journal")
        self._suggestion: dict[str, str] | None = None
        self._dismissed: set[str] = set()
        self._before_help: tuple[Any, ...] | None = None
        self._card_inside = False
        self._rating_due = False
        self._unsubscribe_bus: Callable[[], None] | None = None
        self._seq = 0
        self.poll: Callable[[], None] | None = None  # progress of a running job, on tick()
        self._show_attract()

    # ===================================================================== public API ==
    @property
    def state(self) -> State:
        with self._lock:
            return self._state

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Call `listener(state)` on every new state; it is also called once at once."""
        with self._lock:
            self._listeners.append(listener)
            current = self._state
        listener(current)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)
        return unsubscribe

    def send(self, action: str, **args: Any) -> bool:
        """A touch from the screen. Returns False (and changes nothing) when not accepted now."""
        with self._lock:
            self._restart_idle_timer()
            handler = self._handlers.get(action)
            if handler is not None:
                handler(**args)
                return True
            if action in GLOBAL_ACTIONS and self._global(action, args):
                return True
            log.info("action %r ignored in step %s", action, self._state.step)
            return False

    def tick(self) -> None:
        """Fire the current step's timer if its deadline has passed; refresh progress."""
        with self._lock:
            if self.poll is not None:
                try:
                    self.poll()
                except Exception:
                    log.debug("progress poll failed", exc_info=True)
            if self._deadline is not None and self.now() >= self._deadline:
                fire, self._deadline, self._on_deadline = self._on_deadline, None, None
                if fire is not None:
                    fire()

    def attach(self, bus: Any) -> None:
        """Listen to device events (card inserted/removed, ID card, codes) on the EventBus."""
        self._unsubscribe_bus = bus.subscribe(self.on_device_event, (DeviceEvent, StatusChanged))

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until no worker job or journal write is running (tests, benchmarks)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def close(self) -> None:
        if self._unsubscribe_bus is not None:
            self._unsubscribe_bus()
        self._executor.shutdown(wait=True, cancel_futures=True)
        self._journal_writer.shutdown(wait=True)
        with self._lock:
            self.data.wipe()

    @property
    def idle_timeout_s(self) -> float:
        return self.config.ui.idle_timeout_s * self._factor

    @property
    def page_size(self) -> int:
        ui = self.config.ui
        return ui.elderly_page_size if self.elderly else ui.page_size

    # ========================================================== for the flows (locked) ==
    def show(self, step: Step, *, message_id: str = "", on: dict[str, Handler] | None = None,
             timeout: str | float | None = IDLE, busy: bool = False,
             seconds_left: int | None = None, **view: Any) -> State:
        """Enter a step: the handlers in `on` are the actions accepted; `timeout` is IDLE
        (inactivity → "need more time?"), None (no timer) or seconds (then `on["timeout"]`)."""
        with self._lock:
            handlers = dict(on or {})
            on_timeout = handlers.pop("timeout", None)
            self._handlers = handlers
            self._timeout = timeout
            self._set_timer(timeout, on_timeout)
            self._seq += 1
            self._state = State(step=step, seq=self._seq, message_id=message_id, view=view,
                                actions=tuple(handlers), busy=busy, language=self.language,
                                elderly=self.elderly, page_size=self.page_size,
                                suggestion=self._suggestion, seconds_left=seconds_left)
            self._publish()
            return self._state

    def update(self, **view: Any) -> None:
        """Change some view values of the current step (progress, fee) without a new step."""
        with self._lock:
            self._seq += 1
            self._state = replace(self._state, seq=self._seq, view={**self._state.view, **view})
            self._publish()

    def work(self, task: str, job: Callable[[], Any], done: Callable[[Any], None], *,
             failed: Callable[[BaseException], None] | None = None,
             retry: Callable[[], None] | None = None, critical: bool = False,
             show: bool = True) -> None:
        """Run `job()` on a worker; `done(result)` then runs under the session lock.

        A result that arrives after the customer's session ended is dropped, except for a
        `critical` job (a transfer): the session waits for it before it ends.
        """
        with self._lock:
            gen = self._gen
            self._pending += 1
            if critical:
                self._critical += 1
            if show:
                self.show(Step.WORKING, message_id=task, timeout=None, busy=True, task=task,
                          progress=None)

        def run() -> None:
            try:
                result, error = job(), None
            except BaseException as exc:  # handed to the flow as a state, never lost
                result, error = None, exc
            with self._lock:
                try:
                    if gen != self._gen and not critical:
                        log.info("dropping the result of %s: the session has ended", task)
                    elif error is not None:
                        log.warning("%s failed: %s", task, error)
                        (failed or (lambda e: self.fail(describe(e), retry=retry)))(error)
                    else:
                        done(result)
                except Exception:
                    log.exception("handling the result of %s failed", task)
                    self.fail(Fault("host_error"), retry=retry)
                finally:
                    self._pending -= 1
                    if critical:
                        self._critical -= 1
                        if self._critical == 0 and self._end_pending:
                            reason, self._end_pending = self._end_pending, None
                            self.end(reason)
                    self._idle.notify_all()

        self._executor.submit(run)

    def alive(self, gen: int) -> bool:
        return gen == self._gen

    @property
    def generation(self) -> int:
        return self._gen

    def fail(self, fault: Fault, *, retry: Callable[[], None] | None = None) -> None:
        """Show a fault with its ways forward; `retry` (if any) is what 'retry' does."""
        with self._lock:
            handlers: dict[str, Handler] = {}
            for way in fault.ways:
                if way == "retry" and retry is not None:
                    handlers["retry"] = retry
                elif way == "ticket":
                    handlers["ticket"] = lambda: self.start_flow("ticket")
                elif way == "call_staff":
                    handlers["call_staff"] = lambda: self._global("help", {})
                elif way == "back" and self._flow is not None:
                    handlers["back"] = self._flow.start
                elif way == "end":
                    handlers["end"] = lambda: self.end("customer")
            self.show(Step.ERROR, message_id=fault.message_id, on=handlers,
                      ways=[w for w in fault.ways if w in handlers], detail=fault.detail)

    def suggest(self, suggestion_id: str, message_id: str) -> None:
        if suggestion_id not in self._dismissed:
            self._suggestion = {"id": suggestion_id, "message_id": message_id}

    def show_menu(self) -> None:
        """The service menu (first page)."""
        from .triage import show_menu
        show_menu(self)

    def start_flow(self, name: str, **options: Any) -> None:
        """Start a service flow (see kiosk.session.triage.SERVICES) with identification first
        when the service needs it."""
        from .triage import service_flow
        with self._lock:
            self._ensure_session()
            self._flow = service_flow(name, self, **options)
            self._flow.begin()

    def finish(self, items: tuple[str, ...] = ()) -> None:
        """The service is done: remind the customer to take their things, then end."""
        with self._lock:
            items = tuple(items) + (("card",) if self._card_inside else ())
            if not items:
                self.end("done")
                return
            self.show(Step.TAKE_ITEMS, message_id=TAKE_MESSAGES.get(items, "take_receipt"),
                      on={"done": lambda: self.end("done"),
                          "timeout": lambda: self.end("done")},
                      timeout=self.idle_timeout_s, items=list(items))

    def end(self, reason: str) -> None:
        """End the customer's session: wipe their data, then rating or goodbye."""
        with self._lock:
            if self._critical:
                self._end_pending = reason
                log.info("session end (%s) waits for the transfer in flight", reason)
                return
            self._gen += 1
            if self.session_id:
                self._journal("session_end", reason=reason,
                              services=",".join(self.data.services_used))
            rate = bool(self.data.services_used) and reason in ("done", "customer")
            self.data.wipe()
            self._flow = None
            self._suggestion = None
            self._dismissed.clear()
            self._before_help = None
            self.session_id = ""
            message = {"timeout": "session_timed_out", "card_removed": "card_removed",
                       "idcard_removed": "idcard_removed"}.get(reason, "thank_you")
            if self._card_inside and reason != "card_removed":
                # Ended with the card still in (the customer pressed end, or walked away):
                # the data is gone already; remind them to take the card, then close.
                self.show(Step.TAKE_ITEMS, message_id="take_card",
                          on={"done": lambda: self._close(rate, message),
                              "timeout": lambda: self._close(rate, message)},
                          timeout=self.idle_timeout_s, items=["card"])
                return
            self._close(rate, message)

    def _close(self, rate: bool, message: str) -> None:
        if rate:
            self.show(Step.RATING, message_id="rate_service",
                      on={"rate": self._rate, "skip": self._goodbye, "timeout": self._goodbye},
                      timeout=self.idle_timeout_s, scale=[1, 2, 3, 4, 5])
        else:
            self._goodbye(message)

    def journal(self, kind: str, **fields: Any) -> None:
        self._journal(kind, **fields)

    # ====================================================================== internals ==
    @property
    def _factor(self) -> float:
        return self.config.ui.elderly_timeout_factor if self.elderly else 1.0

    def _publish(self) -> None:
        state = self._state
        for listener in list(self._listeners):
            try:
                listener(state)
            except Exception:
                log.exception("state listener %r failed", listener)

    def _set_timer(self, timeout: str | float | None, on_timeout: Callable[[], None] | None) -> None:
        if timeout == IDLE:
            self._deadline = self.now() + self.idle_timeout_s
            self._on_deadline = self._prompt_more_time
        elif timeout is None:
            self._deadline, self._on_deadline = None, None
        else:
            self._deadline = self.now() + float(timeout)
            self._on_deadline = on_timeout

    def _restart_idle_timer(self) -> None:
        if self._timeout == IDLE:
            self._deadline = self.now() + self.idle_timeout_s

    def _snapshot(self) -> tuple[State, dict[str, Handler], str | float | None,
                                 Callable[[], None] | None, float | None]:
        """The current step with its handlers and timer, to come back to it unchanged."""
        left = None if self._deadline is None else max(0.0, self._deadline - self.now())
        return self._state, self._handlers, self._timeout, self._on_deadline, left

    def _restore(self, snapshot: tuple[Any, ...]) -> None:
        state, handlers, timeout, on_deadline, left = snapshot
        self._handlers, self._timeout = handlers, timeout
        if timeout == IDLE:
            self._set_timer(IDLE, None)
        else:
            self._deadline = None if left is None else self.now() + left
            self._on_deadline = on_deadline
        self._seq += 1
        self._state = replace(state, seq=self._seq, language=self.language,
                              elderly=self.elderly, suggestion=self._suggestion)
        self._publish()

    def _prompt_more_time(self) -> None:
        before = self._snapshot()
        seconds = self.config.ui.more_time_s * self._factor
        self.show(Step.MORE_TIME, message_id="more_time", timeout=seconds,
                  on={"more_time": lambda: self._restore(before),
                      "end": lambda: self.end("customer"),
                      "timeout": lambda: self.end("timeout")},
                  seconds_left=int(round(seconds)), returns_to=str(before[0].step))

    def _global(self, action: str, args: dict[str, Any]) -> bool:
        step = self._state.step
        if action == "language":
            language = args.get("language")
            if language not in LANGUAGES:
                return False
            self.language = language
            self._reshow()
            return True
        if action == "dismiss_suggestion":
            if self._suggestion is None:
                return False
            self._dismissed.add(self._suggestion["id"])
            self._suggestion = None
            self._reshow()
            return True
        if action == "help" and step != Step.HELP_CALLED:  # on every screen, even before a session
            self._call_staff()
            return True
        if action == "end" and step not in (Step.ATTRACT, Step.GOODBYE, Step.RATING):
            self.end("customer")
            return True
        return False

    def _reshow(self) -> None:
        self._seq += 1
        self._state = replace(self._state, seq=self._seq, language=self.language,
                              elderly=self.elderly, page_size=self.page_size,
                              suggestion=self._suggestion)
        self._publish()

    def _call_staff(self) -> None:
        if self._state.step not in (Step.WORKING, Step.PRINTING):
            self._before_help = self._snapshot()
        reference = uuid.uuid4().hex[:8].upper()
        alerts = self.services.alerts
        step = str(self._state.step)

        def back() -> None:
            if self._before_help is None:
                self.end("customer")
                return
            before, self._before_help = self._before_help, None
            self._restore(before)

        if alerts is None:
            self.show(Step.HELP_CALLED, message_id="help_unavailable", on={"done": back},
                      reference="")
            return

        def raised(_: Any) -> None:
            self.show(Step.HELP_CALLED, message_id="help_called", on={"done": back},
                      reference=reference)

        def not_raised(exc: BaseException) -> None:
            log.warning("help request could not be sent: %s", exc)
            self.show(Step.HELP_CALLED, message_id="help_unavailable", on={"done": back},
                      reference="")

        self._journal("help_request", reference=reference, step=step)
        self.work("help_called",
                  lambda: alerts.raise_help(reference, session=self.session_id, screen=step),
                  raised, failed=not_raised, show=False)

    def _ensure_session(self) -> None:
        if not self.session_id:
            self.session_id = uuid.uuid4().hex[:12]
            self._journal("session_start", elderly=self.elderly, language=self.language)

    def _journal(self, kind: str, **fields: Any) -> None:
        """Write a journal row in order on its own thread: a disk sync never holds up a touch."""
        journal = self.services.journal
        if journal is None:
            return
        session_id = self.session_id
        self._pending += 1

        def write() -> None:
            try:
                journal.record(kind, session=session_id, **fields)
            except Exception:
                log.exception("journal write %s failed", kind)
            finally:
                with self._lock:
                    self._pending -= 1
                    self._idle.notify_all()

        self._journal_writer.submit(write)

    def _rate(self, score: int = 0) -> None:
        if not 1 <= int(score) <= 5:
            return
        self._journal("satisfaction", score=int(score))
        self._goodbye()

    def _goodbye(self, message_id: str = "thank_you") -> None:
        self.show(Step.GOODBYE, message_id=message_id, timeout=GOODBYE_S,
                  on={"timeout": self._show_attract})

    def _show_attract(self) -> None:
        self.elderly = False
        self.language = self.config.ui.language
        self.show(Step.ATTRACT, message_id="welcome", timeout=None,
                  on={"start": self._start, "elderly": self._set_elderly},
                  languages=list(LANGUAGES))

    def _set_elderly(self, on: bool = True) -> None:
        self.elderly = bool(on)
        self._reshow()

    def _start(self) -> None:
        self._ensure_session()
        self.show_menu()

    # ============================================================== device events ==
    def on_device_event(self, event: DeviceEvent | StatusChanged) -> None:
        """EventBus subscriber: card in/out, ID card in/out, codes read, device status."""
        with self._lock:
            if isinstance(event, StatusChanged):
                if self._flow is not None and hasattr(self._flow, "on_status"):
                    self._flow.on_status(event)
                return
            if event.name == "MediaInsertedEvent" and event.device == "chipcard":
                self._card_inside = True
            if event.name == "MediaRemovedEvent" and event.device == "chipcard":
                self._card_inside = False
                self._card_removed()
                return
            if event.name == "MediaRemovedEvent" and event.device == "idcard":
                if self._flow is not None and getattr(self._flow, "holds_idcard", False):
                    log.info("ID card removed mid-flow: ending the session")
                    self.end("idcard_removed")
                return
            if self._flow is not None and hasattr(self._flow, "on_device_event") \
                    and self._flow.on_device_event(event):
                return
            if event.name == "MediaInsertedEvent" and event.device == "chipcard" \
                    and self._state.step in (Step.ATTRACT, Step.MENU):
                self.start_flow("menu_by_card")

    def _card_removed(self) -> None:
        step = self._state.step
        if step == Step.TAKE_ITEMS:
            items = [i for i in self._state.view.get("items", []) if i != "card"]
            if not items:
                self._handlers["done"]()
            else:
                self._seq += 1
                self._state = replace(self._state, seq=self._seq, view={"items": items},
                                      message_id=TAKE_MESSAGES.get(tuple(items), "take_receipt"))
                self._publish()
            return
        if self.data.pan or self.data.card_present or \
                (self._flow is not None and getattr(self._flow, "holds_card", False)):
            log.info("card removed mid-flow in %s: ending the session", step)
            self.end("card_removed")
