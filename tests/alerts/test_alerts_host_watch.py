"""Host alerts, each provoked for real against the ISO 8583 server the kiosk's link talks to:
the server stopped and started again on its port (link down and back), reversals left
unanswered by a silent then stopped host (backlog by count and by age), the kiosk's clock set
apart from the host's through the injected wall clock (skew). Each is one alert, one journal row
when raised and one when resolved, and reaches the fleet over a real mosquitto."""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import replace

import pytest

from kiosk.alerts import AlertCenter, AlertState, Severity
from kiosk.alerts.host_watch import BACKLOG_KEY, CLOCK_KEY, LINK_KEY, HostWatch
from kiosk.alerts.outbox import AlertOutbox
from kiosk.alerts.signal_journal import journal_signals
from kiosk.config import load_config
from kiosk.core import KioskCore
from kiosk.fleet.broker import BrokerAddress
from kiosk.fleet.publisher import FleetPublisher
from kiosk.host.iso8583_client import Iso8583Client, host_time
from kiosk.host.iso8583_server import Iso8583Server
from kiosk.host.journaled import JournaledHost
from kiosk.host.link import HostUnavailable
from kiosk.host.models import TransferInstruction, TransferKind, TransferOutcome
from kiosk.host.stan import StanCounter
from kiosk.journal import Journal
from kiosk.transfers import TransferOrder, TransferService
from tests.alerts.conftest import free_port
from tests.alerts.test_alerts_fleet import Subscriber
from tests.host.conftest import DEBIT_PAN, PAYEE_INTRA, bank, seed_ids, verified  # noqa: F401
from tests.host.conftest import config as host_config  # noqa: F401 (a fixture)


def now() -> dt.datetime:
    return dt.datetime.now().astimezone()


@pytest.fixture
def config(host_config):
    """The host tests' configuration in a temp folder, with short host timeouts."""
    return replace(host_config, host=replace(host_config.host, timeout_s=0.5,
                                             reversal_timeout_s=0.3))


class Kiosk:
    """The kiosk's host side: ISO 8583 client, journaled, watched, alerts to the journal."""

    def __init__(self, config, bank, tmp_path):
        self.config, self.bank = config, bank
        self.server = Iso8583Server(bank).start()
        self.port = self.server.address[1]
        self.journal = Journal.from_config(config)
        self.client = Iso8583Client(f"127.0.0.1:{self.port}", terminal_id=config.host.terminal_id,
                                    acquirer_id=config.host.acquirer_id,
                                    stans=StanCounter(config.path(config.host.state)),
                                    timeout_s=config.host.timeout_s,
                                    reversal_timeout_s=config.host.reversal_timeout_s)
        self.host = JournaledHost(self.client, self.journal)
        self.center = AlertCenter(AlertOutbox(tmp_path / "alerts.db"), kiosk_id="KSK-H1",
                                  branch="B1")
        self.unjournal = journal_signals(self.center, self.journal)
        self.clock_offset = dt.timedelta(0)
        self.transfers: TransferService | None = None

    def watch(self, **limits) -> HostWatch:
        backlog = self.transfers.reversal_backlog if self.transfers else None
        watch = HostWatch.from_config(self.config, self.center, self.host, backlog=backlog,
                                      wall_clock=lambda: now() + self.clock_offset)
        for name, value in limits.items():
            setattr(watch, name, value)
        self.host.observers.append(watch.on_exchange)
        return watch

    def restart_server(self) -> None:
        self.server = Iso8583Server(self.bank, ("127.0.0.1", self.port)).start()

    def alerts(self, key: str):
        return [a for a in self.center.active() + self.center.history(50) if a.key == key]

    def rows(self, kind: str, key: str) -> list:
        return [e for e in self.journal.entries(kind=kind) if e.ref == key]

    def close(self) -> None:
        self.unjournal()
        if self.transfers:
            self.transfers.close()
        self.server.stop()
        self.host.close()
        self.center.close()
        self.journal.close()


@pytest.fixture
def kiosk(config, bank, tmp_path):
    k = Kiosk(config, bank, tmp_path)
    yield k
    k.close()


def test_host_link_down_when_the_server_stops_and_back_when_it_returns(kiosk, mosquitto):
    fleet = FleetPublisher(kiosk.center, BrokerAddress.parse(mosquitto.url))
    fleet.start()
    sub = Subscriber(mosquitto.url, "bank/B1/KSK-H1/event/#")
    try:
        assert fleet.wait_connected(5)
        watch = kiosk.watch(down_after=2)
        watch.check()
        assert kiosk.center.active() == []

        kiosk.server.stop()
        watch.check()                       # one failed echo: not yet "down"
        assert kiosk.alerts(LINK_KEY) == []
        with pytest.raises(HostUnavailable):
            kiosk.host.identify_card(DEBIT_PAN)   # a customer's exchange fails too: down
        [alert] = kiosk.alerts(LINK_KEY)
        assert alert.code == "host.link_down" and alert.severity is Severity.FAULT
        assert alert.device == "host" and alert.data["failures"] == 2
        watch.check()
        watch.check()                       # still down: the same alert, counted
        [alert] = kiosk.alerts(LINK_KEY)
        assert alert.count == 3 and alert.state is AlertState.RAISED
        assert len(kiosk.rows("alert.raised", LINK_KEY)) == 1

        kiosk.restart_server()
        watch.check()
        [alert] = kiosk.alerts(LINK_KEY)
        assert alert.state is AlertState.RESOLVED and alert.data["resolved_by"] == "host"
        assert len(kiosk.rows("alert.raised", LINK_KEY)) == 1
        assert len(kiosk.rows("alert.resolved", LINK_KEY)) == 1
        assert kiosk.journal.verify().ok

        for action in ("raised", "resolved"):   # both reach the fleet like every alert
            assert sub.wait_for(lambda m: m[1]["alert"]["code"] == "host.link_down"
                                and m[1]["action"] == action and m[0].endswith("/event/host"))
    finally:
        sub.close()
        fleet.stop()


@pytest.mark.parametrize("backend", ["iso8583", "sandbox"])
def test_clock_skew_against_the_hosts_time(kiosk, backend):
    if backend == "sandbox":   # the in-process bank answers the echo with its own clock
        kiosk.host = JournaledHost(kiosk.bank, kiosk.journal)
    watch = kiosk.watch(skew_limit_s=120)
    assert abs(watch.check_host()) < 5      # the host's time came back from its answer
    assert kiosk.alerts(CLOCK_KEY) == []

    kiosk.clock_offset = dt.timedelta(minutes=10)   # the kiosk's clock runs 10 min ahead
    skew = watch.check_host()
    assert 595 < skew < 605
    [alert] = kiosk.alerts(CLOCK_KEY)
    assert alert.code == "host.clock_skew" and alert.severity is Severity.WARNING
    assert "ahead of" in alert.message and 595 < alert.data["skew_s"] < 605
    watch.check_host()
    assert len(kiosk.rows("alert.raised", CLOCK_KEY)) == 1

    kiosk.clock_offset = dt.timedelta(seconds=-30)  # within the limit again
    watch.check_host()
    assert kiosk.alerts(CLOCK_KEY)[0].state is AlertState.RESOLVED
    assert len(kiosk.rows("alert.resolved", CLOCK_KEY)) == 1


def test_host_time_takes_the_nearest_year():
    new_year = dt.datetime(2027, 1, 1, 0, 0, 5).astimezone()
    assert host_time("1231235958", new_year).year == 2026
    assert host_time("0101000004", new_year).year == 2027


def test_reversals_backing_up_against_a_silent_then_stopped_host(kiosk, config, bank):
    ids = seed_ids(bank)
    kiosk.transfers = TransferService.from_config(config, kiosk.host, kiosk.journal)
    kiosk.transfers.recover()
    auth_ref = verified(kiosk.host, config)
    # The host applies two transfers and their reversals but never answers; then it stops.
    kiosk.server.inject("silence", "0200", times=2)
    kiosk.server.inject("silence", "0420", times=2)
    kiosk.server.inject("silence", "0421", times=4)
    for amount in (10_000, 20_000):
        result = kiosk.transfers.transfer(
            TransferOrder(DEBIT_PAN, TransferInstruction(
                ids["A0001"], *PAYEE_INTRA, amount, TransferKind.INTRABANK, auth_ref=auth_ref)),
            fraud_warning_acknowledged=True, new_payee_acknowledged=True)
        assert result.outcome is TransferOutcome.PENDING
    kiosk.server.stop()
    assert kiosk.transfers.drain_reversals() == 2     # resending fails: still two due

    watch = kiosk.watch(backlog_max=1, backlog_age_s=600)
    assert watch.check_reversals()[0] == 2
    [alert] = kiosk.alerts(BACKLOG_KEY)
    assert alert.code == "reversal.backlog" and alert.data["count"] == 2
    assert alert.data["oldest_age_s"] < 60

    watch.check_reversals()                            # still two: the same alert, counted
    assert len(kiosk.rows("alert.raised", BACKLOG_KEY)) == 1

    watch.backlog_max = 5                              # two are within this limit
    watch.check_reversals()
    assert kiosk.alerts(BACKLOG_KEY)[0].state is AlertState.RESOLVED
    kiosk.clock_offset = dt.timedelta(minutes=15)      # ...but now the oldest waits too long
    watch.check_reversals()
    [again] = [a for a in kiosk.alerts(BACKLOG_KEY) if a.open]
    assert again.alert_id != alert.alert_id and again.data["oldest_age_s"] >= 900
    assert len(kiosk.rows("alert.raised", BACKLOG_KEY)) == 2

    kiosk.restart_server()
    assert kiosk.transfers.drain_reversals() == 0
    watch.check_reversals()
    assert not [a for a in kiosk.alerts(BACKLOG_KEY) if a.open]
    assert len(kiosk.rows("alert.resolved", BACKLOG_KEY)) == 2
    assert bank.ledger_problems() == []


def wait_until(predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def test_the_running_kiosk_watches_its_host_link(config, bank, tmp_path):
    """KioskCore wires the watch: no server at start-up, then one on the configured port."""
    port = free_port()
    devices = config.devices
    for name in ("chipcard", "idcard", "printer", "camera", "scanner"):
        devices = replace(devices, **{name: replace(getattr(devices, name), enabled=False)})
    running = replace(config, devices=devices,
                      host=replace(config.host, backend="iso8583", plaintext_demo=True,
                                   address=f"127.0.0.1:{port}"),
                      alerts=replace(config.alerts, outbox=str(tmp_path / "alerts.db"),
                                     host_check_s=0.1, host_down_after=1))
    core = KioskCore(running)
    core.start()
    server = None
    try:
        assert wait_until(lambda: any(a.code == "host.link_down" for a in core.alerts.active()))
        server = Iso8583Server(bank, ("127.0.0.1", port)).start()
        assert wait_until(lambda: not core.alerts.active())
        rows = [e.kind for e in core.journal.entries(kind_prefix="alert.")]
        assert rows == ["alert.raised", "alert.resolved"]
    finally:
        core.stop()
        if server is not None:
            server.stop()


def test_the_console_shows_the_catalogs_staff_text():
    from kiosk.console.page import console_page
    page = console_page("staff", "ops", "csrf", "nonce")
    assert "银行主机连接中断：银行卡业务和转账无法办理" in page and "Bank host unreachable" in page
    assert '"dev.host": "银行主机"' in page and "冲正交易积压" in page
