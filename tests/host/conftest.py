"""Fixtures for the host link tests: a seeded sandbox bank in a temp folder, reached either
in-process or over ISO 8583 on a free loopback port (the `host` fixture runs both)."""
from __future__ import annotations

from dataclasses import replace

import pytest

from kiosk.config import load_config
from kiosk.host.iso8583_client import Iso8583Client
from kiosk.host.iso8583_server import Iso8583Server
from kiosk.host.sandbox import SandboxBank
from kiosk.host.stan import StanCounter
from kiosk.journal import Journal
from kiosk.transfers import TransferService

DEBIT_PAN = "6222020000000000018"      # 测试甲, VIP, ¥52,340.00 on A0001
DEBIT_ID = "110101199003071030"
PAYEE_INTRA = ("6222020000000000034", "测试丙")   # A0004
PAYEE_INTER = ("6217000000000000012", "张测试")   # 中国建设银行
OWN_SAVINGS = ("6222020000000100016", "测试甲")   # A0002


@pytest.fixture
def config(tmp_path):
    base = load_config()
    host = replace(base.host, database=str(tmp_path / "sandbox.db"),
                   state=str(tmp_path / "host_state.db"), timeout_s=2.0, reversal_timeout_s=1.0)
    return replace(base, host=host, journal=replace(base.journal, path=str(tmp_path / "journal.db")),
                   kiosk=replace(base.kiosk, data_dir=str(tmp_path)))


@pytest.fixture
def bank(config):
    bank = SandboxBank.from_config(config)
    bank.seed()
    yield bank
    bank.close()


@pytest.fixture
def iso_server(bank):
    server = Iso8583Server(bank).start()
    yield server
    server.stop()


@pytest.fixture(params=["sandbox", "iso8583"])
def host(request, bank, config):
    if request.param == "sandbox":
        yield bank
        return
    server = request.getfixturevalue("iso_server")
    address = "%s:%d" % server.address
    client = Iso8583Client(address, terminal_id=config.host.terminal_id,
                           acquirer_id=config.host.acquirer_id,
                           stans=StanCounter(config.path(config.host.state)),
                           timeout_s=config.host.timeout_s,
                           reversal_timeout_s=config.host.reversal_timeout_s)
    yield client
    client.close()


@pytest.fixture
def journal(config):
    journal = Journal.from_config(config)
    yield journal
    journal.close()


@pytest.fixture
def service(config, host, journal):
    held = []
    flags = []
    svc = TransferService.from_config(config, host, journal, on_hold=held.append,
                                      on_flag=flags.append)
    svc.held_alerts, svc.flag_alerts = held, flags
    svc.recover()
    yield svc
    svc.close()
