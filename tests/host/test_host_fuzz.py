"""Fuzzing the ISO 8583 link's parsers: message decoding (only WireError escapes), the kiosk's
reading of any reply (only HostError escapes), and the host answering any frame (always an
answer, never a dropped connection). Each input's memory is bounded."""
from __future__ import annotations

import json
import logging
import socket
import time

import iso8583
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.host.iso8583_wire import WireError, read_frame, send_frame
from kiosk.host.link import HostError

from .conftest import DEBIT_PAN, PAYEE_INTRA
from .test_host_attacks import DIALECT, ScriptedHost, client_for, inquiry, transfer

FUZZ = settings(max_examples=80, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
VALID = [DIALECT.encode(inquiry("accounts", **{"2": DEBIT_PAN})),
         DIALECT.encode(transfer("A1", 7, auth_ref="ab" * 16)),
         DIALECT.encode({"t": "0210", "11": "000007", "39": "00", "28": "D00000200",
                         "37": "123456789012", "62": '{"fee_fen": 200}'})]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner,
                                                                max_size=4),
    max_leaves=20)


@st.composite
def mutated(draw):
    raw = bytearray(draw(st.sampled_from(VALID)))
    for _ in range(draw(st.integers(1, 6))):
        pos = draw(st.integers(0, len(raw) - 1))
        raw[pos] = draw(st.integers(0, 255))
    return bytes(raw)


@settings(FUZZ, max_examples=200)
@given(st.binary(max_size=600) | mutated())
def test_any_bytes_decode_to_checked_fields_or_wire_error(memory_bound, raw):
    with memory_bound.example():
        try:
            doc = DIALECT.decode(raw)
        except WireError:
            return
    for key, pattern in DIALECT.patterns.items():
        assert key not in doc or pattern.fullmatch(doc[key])


REPLY: dict[str, str] = {}
LINK: dict = {}


@pytest.fixture(scope="module", autouse=True)
def scripted_link(tmp_path_factory):
    """One scripted host and client for every example: the host answers with REPLY's data."""
    def answer(request):
        mti = "0430" if request["t"].startswith("04") else request["t"][:2] + "10"
        return {"t": mti, "11": request["11"], "39": "00", **REPLY}

    host = ScriptedHost(answer)
    LINK["client"] = client_for(host, tmp_path_factory.mktemp("fuzz"))
    yield
    LINK.pop("client").close()
    host.close()


@FUZZ
@given(st.sampled_from(["accounts", "fee", "fee_schedule", "identify", "limits", "payees",
                        "statement", "transactions", "reverse", "settlement"]),
       json_values | st.text(max_size=60).map(lambda t: {"fee_fen": t}))
def test_any_reply_data_gives_a_model_or_host_error_only(memory_bound, call, value):
    import datetime as dt
    from kiosk.host.models import ReversalAdvice
    day = dt.date(2026, 12, 1)
    calls = {
        "accounts": lambda c: c.accounts(DEBIT_PAN),
        "fee": lambda c: c.fee(100_000, PAYEE_INTRA[0]),
        "fee_schedule": lambda c: c.fee_schedule(PAYEE_INTRA[0]),
        "identify": lambda c: c.identify_card(DEBIT_PAN),
        "limits": lambda c: c.limits(DEBIT_PAN),
        "payees": lambda c: c.payees(DEBIT_PAN),
        "statement": lambda c: c.statement("A1", day, day),
        "transactions": lambda c: c.transactions("A1", day, day),
        "reverse": lambda c: c.reverse(ReversalAdvice("KSK00001", 1, 100, "A1", "0101000000")),
        "settlement": lambda c: c.settlement("KSK00001", day),
    }
    REPLY["62"] = json.dumps(value)[:9000]
    with memory_bound.example():
        try:
            calls[call](LINK["client"])
        except HostError:
            pass


@FUZZ
@given(st.lists(st.binary(max_size=300) | mutated(), min_size=1, max_size=5))
def test_the_host_answers_every_frame_and_keeps_serving(memory_bound, iso_server, frames):
    logging.getLogger("kiosk.host.iso8583_server").setLevel(logging.ERROR)
    with socket.create_connection(iso_server.address, timeout=5) as sock:
        with memory_bound.example():
            for raw in frames:
                send_frame(sock, raw)
                reply, _ = iso8583.decode(read_frame(sock, time.monotonic() + 5),
                                          DIALECT.fields)
                assert reply["39"] in DIALECT.response_codes
