"""Fixtures for the host link tests: a seeded sandbox bank in a temp folder, reached either
in-process or over ISO 8583 on a free loopback port (the `host` fixture runs both)."""
from __future__ import annotations

from dataclasses import dataclass, replace

import pytest

from kiosk.config import load_config
from kiosk.host.iso8583_client import Iso8583Client
from kiosk.host.iso8583_server import Iso8583Server
from kiosk.host.link import HostDeclined
from kiosk.host import sandbox_data
from kiosk.host.sandbox import SandboxBank
from kiosk.host.stan import StanCounter
from kiosk.journal import Journal
from kiosk.transfers import TransferService
from tests.harness import pin_verified

DEBIT_PAN = "6222020000000000018"      # 测试甲, VIP, ¥52,340.00 on A0001 (seed labels: the
                                       # bank's ids are random, see the `ids` fixture)
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


@dataclass(frozen=True)
class Card:
    pan: str
    account_id: str      # the card's own account
    auth_ref: str        # from a verified PIN: what the host wants with a transfer


def seed_ids(bank) -> dict[str, str]:
    """The bank's random account id for each seed label ("A0001" -> "A3F9...")."""
    by_number = bank.account_ids()
    return {a.account_id: by_number[a.number] for c in sandbox_data.CUSTOMERS for a in c.accounts}


def verified(host, config, pan=DEBIT_PAN) -> str:
    """The authorisation reference of a correct PIN for `pan`."""
    return pin_verified(host, pan, config.host.terminal_key_hex, sandbox_data.TEST_PIN)


def paying(host, config, ids, label):
    """(account id, auth ref) to pay from seed account `label`: the PIN of its holder's first
    card verified ("" when that card cannot verify a PIN, e.g. expired)."""
    holder = next(c for c in sandbox_data.CUSTOMERS if any(a.account_id == label
                                                           for a in c.accounts))
    try:
        auth_ref = verified(host, config, holder.cards[0].pan)
    except (HostDeclined, AssertionError):
        auth_ref = ""
    return ids[label], auth_ref


@pytest.fixture
def ids(bank):
    return seed_ids(bank)


@pytest.fixture
def debit(bank, config, ids):
    """测试甲's debit card with its PIN verified (the sandbox issues the reference)."""
    return Card(DEBIT_PAN, ids["A0001"], verified(bank, config))


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
def service(request, config, host, journal):
    held = []
    flags = []
    svc = TransferService.from_config(config, host, journal, on_hold=held.append,
                                      on_flag=flags.append)
    svc.held_alerts, svc.flag_alerts = held, flags
    svc.card = request.getfixturevalue("debit")
    svc.recover()
    yield svc
    svc.close()
