"""The customer session: one `Session` per kiosk, reused for every customer.

How a screen uses it:

    session = core.session                  # or Session(config, services)
    unsubscribe = session.subscribe(render) # render(State) runs on the session's threads:
                                            # hand it to the UI thread (Clock.schedule_once)
    session.send("digit", key=3)            # actions listed in State.actions (+ GLOBAL_ACTIONS)
    session.tick()                          # the core's ticker calls this; tests call it

The session is the customer's lifecycle (start, identify, serve, end, goodbye) over a step
engine (engine.py: states, handlers, timers). Flows see it as a `SessionContext` and come from
a catalogue (menu.py; from the attract screen, technician mode and staff's out of service too).
Anything that may block runs on the session's worker (worker.py), shown as WORKING/PRINTING;
device events are routed there too (routing.py). Tests wait with `wait_idle()`.
"""
from __future__ import annotations

import logging
import uuid
from typing import Any, Callable

from ..console.held import withdraw_on_leaving
from ..config import KioskConfig
from .clock import Now, system_now
from .context import Catalogue, Handler
from .customer import CustomerData
from .engine import StepEngine
from .farewell import Farewell
from .failures import Failure
from .help_call import StaffCall
from .menu import MENU
from .modes import MODE_ACTIONS, CustomerModes
from .routing import DeviceRoutes
from .services import Services
from .states import GLOBAL_ACTIONS, State, Step
from .technician import corner_press
from .worker import Worker

log = logging.getLogger(__name__)

LANGUAGES = ("zh_CN", "en")


class Session:
    def __init__(self, config: KioskConfig, services: Services | None = None, *,
                 now: Now = system_now, workers: int = 2, flows: Catalogue = MENU):
        self.config = config
        self.services = services or Services()
        self.now = now
        self.flows = flows
        self.data = CustomerData()
        self.language = config.ui.language
        self.modes = CustomerModes(config.ui, self.journal)
        self.session_id = ""
        self.poll: Callable[[], None] | None = None  # progress of a running job, on tick()
        self.flow: Any = None                         # the service flow in hand
        self._engine = StepEngine(now, idle_timeout=lambda: self.idle_timeout_s,
                                  on_idle=self._prompt_more_time, common=self._common,
                                  first=State(Step.ATTRACT, language=self.language))
        self._lock = self._engine.lock
        self._worker = Worker(self._lock, workers=workers)
        self._engine.run_on(self._worker, generation=lambda: self._gen, fail=self.fail,
                            critical_done=self._after_transfer)
        # for the flows: a step with its handlers, new view values, a job on the worker
        self.show, self.update, self.work = self._engine.show, self._engine.update, \
            self._engine.work
        self._gen = 0
        self._polling = False
        self._end_pending: str | None = None
        self._suggestion: dict[str, str] | None = None
        self._dismissed: set[str] = set()
        self.devices = DeviceRoutes(self, self._worker, self._lock)
        self._help = StaffCall(self, self._engine)
        self._farewell = Farewell(self, self._engine, self._show_attract)
        self._show_attract()

    # ===================================================================== public API ==
    @property
    def state(self) -> State:
        return self._engine.state

    def subscribe(self, listener: Callable[[State], None]) -> Callable[[], None]:
        """Call `listener(state)` on every new state; it is also called once at once."""
        return self._engine.subscribe(listener)

    def send(self, action: str, **args: Any) -> bool:
        """A touch from the screen. Returns False (and changes nothing) when not accepted now."""
        with self._lock:
            handler = self._engine.handler(action)
            if handler is not None:
                handler(**args)
                return True
            if action in GLOBAL_ACTIONS and self._global(action, args):
                return True
            log.info("action %r ignored in step %s", action, self.state.step)
            return False

    def tick(self) -> None:
        """Fire the current step's timer if its deadline has passed; refresh progress."""
        poll = self.poll
        if poll is not None and not self._polling:  # a print queue's SQLite read: on the
            self._polling = True                     # worker, not under the lock
            self._worker.submit("jobs", lambda: self._poll(poll))
        self._engine.tick()

    def _poll(self, poll: Callable[[], None]) -> None:
        try:
            poll()
        except Exception:
            log.debug("progress poll failed", exc_info=True)
        finally:
            self._polling = False

    def attach(self, bus: Any) -> Callable[[], None]:
        """Device events from the EventBus, routed on the session's own thread (routing.py)."""
        return self.devices.attach(bus)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until no worker job, device event or journal write is queued or running."""
        return self._worker.wait_idle(timeout)

    def close(self) -> None:
        self.devices.detach()
        self._worker.close()
        with self._lock:
            self.data.wipe()

    @property
    def idle_timeout_s(self) -> float:
        return self.config.ui.idle_timeout_s * self._factor

    @property
    def page_size(self) -> int:
        return self.config.ui.elderly_page_size if self.elderly else self.config.ui.page_size

    # ================================================ the SessionContext of the flows ==
    @property
    def generation(self) -> int:
        return self._gen

    def alive(self, gen: int) -> bool:
        return gen == self._gen

    @property
    def card_inside(self) -> bool:
        return self.devices.card_inside

    def fail(self, fault: Failure, *, retry: Callable[[], None] | None = None) -> None:
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
                elif way == "back" and self.flow is not None:
                    handlers["back"] = self.flow.start
                elif way == "end":
                    handlers["end"] = lambda: self.end("customer")
            self.show(Step.ERROR, message_id=fault.message_id, on=handlers,
                      ways=[w for w in fault.ways if w in handlers], detail=fault.detail)

    def suggest(self, suggestion_id: str, message_id: str) -> None:
        if suggestion_id not in self._dismissed:
            self._suggestion = {"id": suggestion_id, "message_id": message_id}

    def show_menu(self, page: int = 1) -> None:
        self.flows.show_menu(self, page)

    def start_flow(self, name: str, **options: Any) -> None:
        """Start a service flow from the catalogue, identifying the customer first when the
        service needs it."""
        with self._lock:
            self._ensure_session()
            self.flow = self.flows.flow(name, self, **options)
            self.flow.begin()

    def finish(self, items: tuple[str, ...] = ()) -> None:
        """The service is done: remind the customer to take their things, then end."""
        with self._lock:
            self._farewell.finish(items)

    def journal(self, kind: str, **fields: Any) -> None:
        """Write a journal row in order on the worker: a disk sync never holds up a touch."""
        journal = self.services.journal
        if journal is not None:
            session_id = self.session_id
            self._worker.submit("journal",
                                lambda: journal.record(kind, session=session_id, **fields))

    # ====================================================== the customer's lifecycle ==
    def end(self, reason: str) -> None:
        """End the customer's session: wipe their data, then rating or goodbye."""
        with self._lock:
            if self._engine.critical:
                self._end_pending = reason
                log.info("session end (%s) waits for the transfer in flight", reason)
                return
            self._gen += 1
            if self.session_id:
                self.journal("session.end", reason=reason,
                             services=",".join(self.data.services_used))
            rate = bool(self.data.services_used) and reason in ("done", "customer")
            withdraw_on_leaving(self.data.transfer_result, self.services, self._worker)
            self.data.wipe()
            self.flow = None
            self._suggestion = None
            self._dismissed.clear()
            self._help.forget()
            self.session_id = ""
            self._farewell.close(rate, reason)

    def took(self, item: str) -> None:
        """The customer took `item` while reminded to (routing.py: the card)."""
        with self._lock:
            self._farewell.took(item)

    def _after_transfer(self) -> None:
        if self._end_pending:
            reason, self._end_pending = self._end_pending, None
            self.end(reason)

    def _common(self) -> dict[str, Any]:
        return {"language": self.language, "page_size": self.page_size,
                "suggestion": self._suggestion, **self.modes.common()}

    @property
    def elderly(self) -> bool:
        return self.modes.elderly

    @property
    def accessible(self) -> bool:
        return self.modes.accessible

    @property
    def _factor(self) -> float:
        return self.modes.timeout_factor

    def _prompt_more_time(self) -> None:
        before = self._engine.snapshot()
        seconds = self.config.ui.more_time_s * self._factor
        self.show(Step.MORE_TIME, message_id="more_time", timeout=seconds,
                  on={"more_time": lambda: self._engine.restore(before),
                      "end": lambda: self.end("customer"),
                      "timeout": lambda: self.end("timeout")},
                  seconds_left=int(round(seconds)), returns_to=str(before.state.step))

    def _global(self, action: str, args: dict[str, Any]) -> bool:
        step = self.state.step
        if action == "language":
            language = args.get("language")
            if language not in LANGUAGES:
                return False
            self.language = language
            self._engine.reshow()
            return True
        if action in MODE_ACTIONS:
            if self.modes.handle(action, args):
                self._engine.reshow()
            return True
        if action == "dismiss_suggestion":
            if self._suggestion is None:
                return False
            self._dismissed.add(self._suggestion["id"])
            self._suggestion = None
            self._engine.reshow()
            return True
        if action == "help" and step not in (Step.HELP_CALLED, Step.TECHNICIAN):  # on every screen
            self._help.call()
            return True
        if action == "end" and step not in (Step.ATTRACT, Step.GOODBYE, Step.RATING):
            self.end("customer")
            return True
        return False

    def _ensure_session(self) -> None:
        if not self.session_id:
            self.session_id = uuid.uuid4().hex[:12]
            self.journal("session.start", elderly=self.elderly, language=self.language)

    def _show_attract(self) -> None:
        self.modes.reset()
        self.language = self.config.ui.language
        self.show(Step.ATTRACT, message_id="welcome", timeout=None,
                  on={"start": self._start, "elderly": self._set_elderly,
                      "corner_press": lambda **press: corner_press(self, **press),
                      "out_of_service": lambda **why: self.start_flow("out_of_service", **why)},
                  languages=list(LANGUAGES), ways_in=self.devices.ways_in())

    def _set_elderly(self, on: bool = True) -> None:
        self.modes.elderly = bool(on)
        self._engine.reshow()

    def _start(self) -> None:
        self._ensure_session()
        self.show_menu()
