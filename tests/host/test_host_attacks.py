"""Hostile peers on the ISO 8583 link. Each attack is made first from a plain socket (or a host
that misbehaves on purpose), as an attacker would, then checked against the kiosk's side."""
from __future__ import annotations

import json
import logging
import re
import socket
import threading
import time
from dataclasses import replace

import iso8583
import pytest

from kiosk.host.iso8583_client import Iso8583Client
from kiosk.host.iso8583_server import Iso8583Server
from kiosk.host.iso8583_wire import WireFrameError, load_dialect, read_frame, send_frame
from kiosk.host.link import HostDeclined, HostError, HostMalformed, HostTimeout, HostUnavailable
from kiosk.host.models import TransferInstruction, TransferKind, TransferOutcome, TransferRequest
from kiosk.host.sandbox import SandboxBank
from kiosk.host.stan import StanCounter
from kiosk.host.tls import client_context, server_context
from kiosk.pin_block import encrypt_pin_block

from tests.harness import pin

from .conftest import DEBIT_PAN, PAYEE_INTRA
from .tls_ca import BankCA

DIALECT = load_dialect()
OTHER_PAN = "6222020000000000034"   # 测试丙


def ask(address, doc: dict, sock: socket.socket | None = None) -> dict:
    """Send one request from a plain socket; the raw answer, decoded without any checks."""
    own = sock is None
    sock = sock or socket.create_connection(address, timeout=5)
    try:
        send_frame(sock, DIALECT.encode(doc))
        reply, _ = iso8583.decode(read_frame(sock, time.monotonic() + 5), DIALECT.fields)
        return reply
    finally:
        if own:
            sock.close()


def inquiry(code: str, terminal: str = "KSK00001", **fields) -> dict:
    return {"t": "0100", "3": DIALECT.processing_codes[code], "7": "1203120000", "11": "000001",
            "41": terminal, **fields}


def transfer(account_id: str, stan: int, terminal: str = "KSK00001", auth_ref: str = "") -> dict:
    extra = ('{"to_name": "%s", "kind": "intrabank", "memo": "", "auth_ref": "%s"}'
             % (PAYEE_INTRA[1], auth_ref))
    return {"t": "0200", "3": "400000", "4": "000000100000", "7": "1203120000",
            "11": f"{stan:06d}", "41": terminal, "49": "156", "102": account_id,
            "103": PAYEE_INTRA[0], "48": extra}


def pin_over_socket(address, config, pan, terminal="KSK00001") -> str:
    block = encrypt_pin_block(pin("123456"), pan, config.host.terminal_key_hex)
    reply = ask(address, inquiry("verify_pin", terminal, **{"2": pan, "52": block.hex().upper()}))
    assert reply["39"] == "00"
    return re.search(r'"auth_ref":"(\w+)"', reply["62"]).group(1)


def balance(bank, account_id):
    return {a.account_id: a.balance_fen for a in bank.accounts(DEBIT_PAN)}[account_id]


# -- who may ask ---------------------------------------------------------------------------------
def test_forged_terminal_gets_no_accounts_and_moves_no_money(iso_server, bank, ids):
    address = iso_server.address
    forged = ask(address, inquiry("accounts", "EVIL0001", **{"2": DEBIT_PAN}))
    assert forged["39"] == "58" and "62" not in forged
    moved = ask(address, transfer(ids["A0001"], 1, terminal="EVIL0001"))
    assert moved["39"] == "58"
    assert balance(bank, ids["A0001"]) == 5_234_000
    assert ask(address, inquiry("accounts", **{"2": DEBIT_PAN}))["39"] == "00"   # a real kiosk


def test_transfer_needs_the_same_customers_verified_pin(iso_server, bank, config, ids):
    address = iso_server.address
    refused = [ask(address, transfer(ids["A0001"], 1))["39"],                          # no PIN
               ask(address, transfer(ids["A0001"], 2, auth_ref="0" * 32))["39"],        # forged
               ask(address, transfer(ids["A0001"], 3,                                   # other card
                                     auth_ref=pin_over_socket(address, config, OTHER_PAN)))["39"],
               ask(address, transfer(ids["A0001"], 4,                                   # other kiosk
                                     auth_ref=pin_over_socket(address, config, DEBIT_PAN,
                                                              "KSK00002")))["39"]]
    assert refused == ["57"] * 4
    assert balance(bank, ids["A0001"]) == 5_234_000
    approved = ask(address, transfer(ids["A0001"], 5,
                                     auth_ref=pin_over_socket(address, config, DEBIT_PAN)))
    assert approved["39"] == "00" and balance(bank, ids["A0001"]) == 5_234_000 - 100_000


def test_authorisation_lapses(config, tmp_path, ids):
    now = [time.time()]
    import datetime as dt
    bank = SandboxBank(tmp_path / "lapse.db", terminal_key_hex=config.host.terminal_key_hex,
                       clock=lambda: dt.datetime.fromtimestamp(now[0]).astimezone())
    bank.seed()
    try:
        account_id = bank.account_ids()[DEBIT_PAN]
        auth_ref = bank.verify_pin(DEBIT_PAN, encrypt_pin_block(
            pin("123456"), DEBIT_PAN, config.host.terminal_key_hex)).auth_ref
        now[0] += 31 * 60
        late = bank.transfer(TransferRequest("KSK00001", 1, TransferInstruction(
            account_id, *PAYEE_INTRA, 100, TransferKind.INTRABANK, auth_ref=auth_ref)))
        assert late.outcome is TransferOutcome.DECLINED and late.reason == "not_permitted"
    finally:
        bank.close()


def test_account_ids_are_not_guessable(bank, config, tmp_path):
    ids = bank.account_ids()
    assert all(not re.fullmatch(r"A\d{4}", i) and len(i) >= 20 for i in ids.values())
    other = SandboxBank(tmp_path / "other.db", terminal_key_hex=config.host.terminal_key_hex)
    other.seed()
    try:
        assert set(other.account_ids().values()).isdisjoint(ids.values())
    finally:
        other.close()


# -- mutual TLS ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    ca = BankCA(tmp_path_factory.mktemp("ca"))
    ca.host = ca.issue("bank-host", server=True)
    return ca


@pytest.fixture
def tls_server(bank, ca):
    server = Iso8583Server(bank, tls=server_context(ca.ca_path, *ca.host)).start()
    yield server
    server.stop()


def tls_client(config, server, cert, ca_path, terminal="KSK00001", tmp=None):
    return Iso8583Client("%s:%d" % server.address, terminal_id=terminal,
                         acquirer_id=config.host.acquirer_id,
                         stans=StanCounter(tmp / f"stan-{terminal}.db"), timeout_s=3,
                         tls=client_context(ca_path, *cert))


def test_mutual_tls_serves_a_certified_terminal(tls_server, ca, config, bank, tmp_path, ids):
    client = tls_client(config, tls_server, ca.issue("KSK00001"), ca.ca_path, tmp=tmp_path)
    try:
        auth_ref = client.verify_pin(DEBIT_PAN, encrypt_pin_block(
            pin("123456"), DEBIT_PAN, config.host.terminal_key_hex)).auth_ref
        result = client.transfer(TransferRequest("KSK00001", 7, TransferInstruction(
            ids["A0001"], *PAYEE_INTRA, 1_000, TransferKind.INTRABANK, auth_ref=auth_ref)))
        assert result.outcome is TransferOutcome.APPROVED
        client.accounts(DEBIT_PAN)
        # TLS 1.3 session tickets arriving after the handshake are no reason to reconnect.
        assert tls_server.accepted_connections == 1
    finally:
        client.close()


def test_certificate_of_one_terminal_cannot_speak_for_another(tls_server, ca, config, tmp_path):
    client = tls_client(config, tls_server, ca.issue("KSK00002"), ca.ca_path, tmp=tmp_path)
    try:   # the certificate says KSK00002, field 41 says KSK00001
        with pytest.raises(HostDeclined) as err:
            client.accounts(DEBIT_PAN)
        assert err.value.reason == "not_permitted"
    finally:
        client.close()


def test_no_certificate_or_a_foreign_ca_gets_no_link(tls_server, ca, config, tmp_path):
    address = tls_server.address
    with pytest.raises(ConnectionError):   # plain TCP to a TLS host: nothing comes back
        ask(address, inquiry("accounts", **{"2": DEBIT_PAN}))
    foreign = BankCA(tmp_path / "foreign", "foreign CA")
    for cert, trusted in ((foreign.issue("KSK00001"), ca.ca_path),      # client not trusted
                          (ca.issue("KSK00001"), foreign.ca_path)):     # host not trusted
        client = tls_client(config, tls_server, cert, trusted, tmp=tmp_path)
        try:
            with pytest.raises(HostUnavailable):
                client.accounts(DEBIT_PAN)
        finally:
            client.close()


# -- a hostile or broken host ---------------------------------------------------------------------
class ScriptedHost:
    """A host on a real socket that answers each request with `answer(request)` (a dict encoded
    without checks, or raw bytes), sent in chunks of `chunk` bytes every `pause` seconds."""

    def __init__(self, answer, chunk: int = 0, pause: float = 0.0):
        self.answer, self.chunk, self.pause = answer, chunk, pause
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.address = "%s:%d" % self.listener.getsockname()[:2]
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            self._answer_all(sock)

    def _answer_all(self, sock: socket.socket) -> None:
        with sock:
            try:
                while not self.stop.is_set():
                    request = DIALECT.decode(read_frame(sock))
                    body = self.answer(request)
                    if isinstance(body, dict):
                        body, _ = iso8583.encode(body, DIALECT.fields)
                    frame = len(body).to_bytes(2, "big") + bytes(body)
                    step = self.chunk or len(frame)
                    for i in range(0, len(frame), step):
                        if self.stop.wait(self.pause):
                            return
                        sock.sendall(frame[i:i + step])
            except (OSError, WireFrameError):
                pass

    def close(self) -> None:
        self.stop.set()
        self.listener.close()


def answering(**fields):
    def answer(request):
        mti = "0430" if request["t"].startswith("04") else request["t"][:2] + "10"
        return {"t": mti, "11": request["11"], "39": "00", **fields}
    return answer


def client_for(host: ScriptedHost, tmp_path, timeout_s=2.0) -> Iso8583Client:
    return Iso8583Client(host.address, terminal_id="KSK00001", acquirer_id="31010000",
                         stans=StanCounter(tmp_path / "stan.db"), timeout_s=timeout_s)


def test_a_trickling_host_cannot_hold_the_client_past_its_timeout(tmp_path, ids):
    # The right answer, one byte every 0.3 s: each recv alone is well within the timeout.
    host = ScriptedHost(answering(**{"28": "D00000000", "37": "123456789012"}), chunk=1,
                        pause=0.3)
    client = client_for(host, tmp_path, timeout_s=1.0)
    started = time.monotonic()
    try:
        with pytest.raises(HostTimeout):
            client.transfer(TransferRequest("KSK00001", 1, TransferInstruction(
                "A1", *PAYEE_INTRA, 100, TransferKind.INTRABANK)))
        assert time.monotonic() - started < 1.8
    finally:
        client.close()
        host.close()


@pytest.mark.parametrize("call, fields", [
    ("transfer", {"28": "D-9999999", "37": "123456789012"}),   # a negative fee, "approved"
    ("transfer", {"28": "C00000100", "37": "123456789012"}),   # a fee credited to the card
    ("transfer", {"28": "D00000100", "37": "12345-\n\x00\x00\x00\x00\x00"}),   # control bytes
    ("transfer", {"39": "ZZ"}),                                # a response code nobody knows
    ("accounts", {"62": "[" * 5000}),                          # RecursionError in json
    ("fee", {"62": '{"fee_fen": %s}' % ("9" * 5000)}),         # int() digit limit
    ("fee", {"62": '{"fee_fen": -5}'}),
    ("fee", {"62": '{"fee_fen": "200"}'}),
    ("fee", {"62": '{"fee_fen": NaN}'}),
    ("fee_schedule", {"62": '{"rate_bp": 5, "min_fen": 300, "max_fen": 200}'}),
    ("accounts", {"62": '[{"number_masked": 1, "account_id": "A1", "kind": "debit"}]'}),
    ("accounts", {"62": '{"not": "a list"}'}),
    ("identify", {"62": '{"customer": "x", "pan_masked": "", "card_status": ""}'}),
    ("reverse", {"62": '["reversed"]'}),
    ("statement", {"62": '{"statement": [], "total": "many"}'}),
    ("limits", {"62": '{"per_transaction_fen": true, "per_day_fen": 1, "used_today_fen": 0}'}),
    ("accounts", {"2": "622202000000000001X"}),                # a field off its pattern
    ("statement", {"62": json.dumps({"total": 10 ** 9, "statement": {   # "more" for ever
        "account": {"number_masked": "622202*********0018", "account_id": "A1", "kind": "debit"},
        "date_from": "2026-01-01", "date_to": "2026-01-31", "opening_fen": 0, "closing_fen": 0,
        "lines": [{"posted_at": "2026-01-02T10:00:00", "description": "x", "amount_fen": 1,
                   "balance_fen": 1, "reference": "r"}]}})}),
])
def test_every_reply_field_is_checked_and_only_host_errors_escape(tmp_path, call, fields):
    import datetime as dt
    from kiosk.host.models import ReversalAdvice
    calls = {
        "transfer": lambda c: c.transfer(TransferRequest("KSK00001", 1, TransferInstruction(
            "A1", *PAYEE_INTRA, 100, TransferKind.INTRABANK))),
        "accounts": lambda c: c.accounts(DEBIT_PAN),
        "fee": lambda c: c.fee(100_000, PAYEE_INTRA[0]),
        "fee_schedule": lambda c: c.fee_schedule(PAYEE_INTRA[0]),
        "identify": lambda c: c.identify_card(DEBIT_PAN),
        "reverse": lambda c: c.reverse(ReversalAdvice("KSK00001", 1, 100, "A1", "0101000000")),
        "statement": lambda c: c.statement("A1", dt.date(2026, 1, 1), dt.date(2026, 1, 31)),
        "limits": lambda c: c.limits(DEBIT_PAN),
    }
    host = ScriptedHost(answering(**fields))
    client = client_for(host, tmp_path)
    try:
        with pytest.raises(HostError) as err:
            calls[call](client)
        assert isinstance(err.value, HostMalformed), err.value
        assert err.value.reason == "host_malformed"
    finally:
        client.close()
        host.close()


# -- a hostile kiosk at `kiosk host serve` ------------------------------------------------------
def test_malformed_requests_get_format_errors_and_the_connection_keeps_serving(iso_server,
                                                                            caplog):
    hostile = [
        b"01X0" + bytes(8),                                     # non-numeric MTI
        DIALECT.encode(inquiry("verify_payee", **{"103": PAYEE_INTRA[0],
                                                  "48": "[" * 900})),     # RecursionError
        DIALECT.encode(transfer("A1", 9) | {"48": '{"to_name": 5, "kind": "intrabank"}'}),
        DIALECT.encode(inquiry("identify_card")),               # no card number at all
        DIALECT.encode(inquiry("report_lost", **{"2": DEBIT_PAN, "48": '{"id_number": []}'})),
        b"\x00" * 40,
    ]
    caplog.set_level(logging.WARNING, logger="kiosk.host.iso8583_server")
    with socket.create_connection(iso_server.address, timeout=5) as sock:
        for raw in hostile:
            send_frame(sock, raw)
            reply, _ = iso8583.decode(read_frame(sock, time.monotonic() + 5), DIALECT.fields)
            assert reply["39"] == "30"
        good = ask(None, inquiry("identify_card", **{"2": DEBIT_PAN}), sock=sock)
        assert good["39"] == "00"
    lines = [r for r in caplog.records if "format error" in r.getMessage()]
    assert len(lines) == len(hostile) and iso_server.format_errors == len(hostile)
    assert all(r.exc_info is None for r in caplog.records)
    assert all(DEBIT_PAN not in r.getMessage() for r in caplog.records)


@pytest.fixture
def strict_server(bank):
    server = Iso8583Server(bank, idle_timeout_s=0.5, max_connections=6, per_peer=4).start()
    yield server
    server.stop()


def closed_by_server(sock: socket.socket, within: float) -> bool:
    sock.settimeout(within)
    try:
        return sock.recv(1) == b""
    except socket.timeout:
        return False
    except ConnectionResetError:
        return True


def test_idle_and_trickling_connections_are_closed(strict_server):
    idle = socket.create_connection(strict_server.address)
    half = socket.create_connection(strict_server.address)
    half.sendall(b"\xff\xff")                   # a 64 KiB frame announced, never sent
    try:
        assert closed_by_server(idle, 3) and closed_by_server(half, 3)
    finally:
        idle.close()
        half.close()


def test_connections_are_capped_per_peer(strict_server):
    held = [socket.create_connection(strict_server.address) for _ in range(4)]
    extra = socket.create_connection(strict_server.address)
    try:
        assert closed_by_server(extra, 2)
        assert ask(None, inquiry("identify_card", **{"2": DEBIT_PAN}), sock=held[0])["39"] == "00"
        assert strict_server.refused_connections == 1
    finally:
        for sock in held + [extra]:
            sock.close()


def test_host_serve_wants_mutual_tls_unless_told_it_is_a_demo(capsys):
    from kiosk.cli import main
    assert main(["host", "serve", "--listen", "127.0.0.1:0"]) == 2
    assert "--plaintext-demo" in capsys.readouterr().err



def _serve(tmp_path, *flags):
    import os
    import subprocess
    import sys
    from kiosk.config import REPO_ROOT
    toml = tmp_path / "serve.toml"
    toml.write_text(f'[host]\ndatabase = "{tmp_path / "bank.db"}"\n')
    server = subprocess.Popen([sys.executable, "-m", "kiosk", "host", "serve", "--config",
                               str(toml), "--listen", "127.0.0.1:0", *flags], cwd=REPO_ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    line = server.stdout.readline()
    host, _, port = line.split(" on ")[-1].strip().rpartition(":")
    return server, line, (host, int(port))


def _stop(server) -> str:
    server.terminate()
    assert server.wait(timeout=10) == 0
    server.stdout.close()
    err = server.stderr.read()
    server.stderr.close()
    return err


def test_kiosk_host_serve_over_mutual_tls(tmp_path, ca, config):
    server, line, address = _serve(tmp_path, "--tls-ca", str(ca.ca_path), "--tls-cert",
                                   str(ca.host[0]), "--tls-key", str(ca.host[1]))
    try:
        assert "mutual TLS" in line
        client = Iso8583Client("%s:%d" % address, terminal_id="KSK00003",
                               acquirer_id="31010000", stans=StanCounter(tmp_path / "s.db"),
                               timeout_s=5, tls=client_context(ca.ca_path, *ca.issue("KSK00003")))
        assert client.identify_card(OTHER_PAN).customer.name == "测试丙"
        client.close()
    finally:
        _stop(server)


def test_kiosk_host_serve_stays_quiet_under_hostile_frames(tmp_path):
    server, _, address = _serve(tmp_path, "--plaintext-demo")
    try:
        with socket.create_connection(address, timeout=5) as sock:
            for raw in (b"01X0" + bytes(8), b"\xff" * 30,
                        DIALECT.encode(inquiry("verify_payee", **{"103": PAYEE_INTRA[0],
                                                                  "48": "[" * 900}))):
                send_frame(sock, raw)
                reply, _ = iso8583.decode(read_frame(sock, time.monotonic() + 5),
                                          DIALECT.fields)
                assert reply["39"] == "30"
            assert ask(None, inquiry("identify_card", **{"2": DEBIT_PAN}), sock=sock)["39"] == "00"
    finally:
        err = _stop(server)
    assert "Traceback" not in err and err.count("format error") == 3
    assert DEBIT_PAN not in err
