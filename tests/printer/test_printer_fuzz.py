"""Fuzzing the two ESC/POS parsers: the emulator's reading of a driver's byte stream (it must
never raise: a printer ignores what it cannot read) and the status replies the driver decodes."""
from __future__ import annotations

import logging

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drivers.printer import escpos
from drivers.printer.escpos_parser import EscPosParser, PrintedQr

from .test_printer_escpos import _Sink

FUZZ = settings(max_examples=300, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])

# Command starts the parser knows, so random bodies reach every branch.
STARTS = [b"\x10\x04", b"\x1b@", b"\x1ba", b"\x1bE", b"\x1bd", b"\x1c&", b"\x1c.", b"\x1d!",
          b"\x1dr", b"\x1dV", b"\x1dVA", b"\x1d(k", b"\x1dv0", b"\n", b"\x1b"]


def test_a_short_qr_body_is_skipped_not_an_index_error():
    sink = _Sink()
    parser = EscPosParser(sink)
    for fn in (0x43, 0x45, 0x50):   # module size, error level, store data: each needs a byte
        parser.feed(b"\x1d(k\x02\x00\x31" + bytes([fn]))
    parser.feed(escpos.qr("RRN0002") + b"\n")
    assert [i.data for i in sink.items if isinstance(i, PrintedQr)] == ["RRN0002"]


def test_a_raster_no_printer_takes_is_not_buffered():
    sink = _Sink()
    parser = EscPosParser(sink)
    parser.feed(b"\x1dv0\x00\xff\xff\xff\xff" + b"\x00" * 64 + escpos.text_line("after"))
    assert sink.items[-1].text.endswith("after") and len(parser._buf) == 0


@settings(FUZZ, max_examples=150)
@given(st.lists(st.tuples(st.sampled_from(STARTS), st.binary(max_size=12)), max_size=40),
       st.integers(1, 64))
def test_any_stream_is_read_without_an_exception(memory_bound, parts, chunk):
    logging.getLogger("drivers.printer.escpos_parser").setLevel(logging.ERROR)
    stream = b"".join(start + body for start, body in parts)
    sink = _Sink()
    parser = EscPosParser(sink)
    with memory_bound.example():
        for i in range(0, len(stream), chunk):
            parser.feed(stream[i:i + chunk])
    assert len(parser._buf) <= max(len(stream), 8)


@FUZZ
@given(st.lists(st.integers(0, 255), min_size=4, max_size=12))
def test_status_replies_decode_to_known_states_only(replies):
    status = [r for r in replies if escpos.is_status_byte(r)][:4]
    if len(status) < 4:
        return
    bits = escpos.StatusBytes(*status)
    assert bits.paper in ("full", "low", "out")
    assert all(isinstance(getattr(bits, name), bool) for name in (
        "offline", "cover_open", "error", "cutter_error", "recoverable_error",
        "unrecoverable_error", "paper_end"))
