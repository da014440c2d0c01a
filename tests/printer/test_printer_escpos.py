"""ESC/POS byte builders, to the byte, and the status bit meanings of the ESC/POS reference."""
from __future__ import annotations

import pytest

from drivers.printer import escpos
from drivers.printer.escpos_parser import EscPosParser, PrintedFeed, PrintedLine, PrintedQr


def test_mode_commands_are_exact_bytes():
    assert escpos.init() == b"\x1b\x40"
    assert escpos.chinese_mode() == b"\x1c\x26"
    assert escpos.chinese_mode(False) == b"\x1c\x2e"
    assert escpos.align("center") == b"\x1b\x61\x01"
    assert escpos.align("right") == b"\x1b\x61\x02"
    assert escpos.bold(True) == b"\x1b\x45\x01"
    assert escpos.bold(False) == b"\x1b\x45\x00"
    assert escpos.size(2, 2) == b"\x1d\x21\x11"
    assert escpos.size(1, 3) == b"\x1d\x21\x02"
    assert escpos.feed(3) == b"\x1b\x64\x03"
    assert escpos.cut() == b"\x1d\x56\x01"
    assert escpos.cut(partial=False) == b"\x1d\x56\x00"
    assert escpos.cut(feed_dots=96) == b"\x1d\x56\x42\x60"
    assert escpos.status_request(4) == b"\x10\x04\x04"
    assert escpos.paper_sensor_request() == b"\x1d\x72\x01"


def test_native_qr_sequence():
    assert escpos.qr("REF123", module_size=6, error_level="M") == (
        b"\x1d(k\x04\x00\x31\x41\x32\x00"       # model 2
        b"\x1d(k\x03\x00\x31\x43\x06"           # module size 6
        b"\x1d(k\x03\x00\x31\x45\x31"           # error level M
        b"\x1d(k\x09\x00\x31\x50\x30REF123"     # store 6 bytes (pL = 6 + 3)
        b"\x1d(k\x03\x00\x31\x51\x30")          # print


def test_chinese_text_is_gb18030_and_yen_uses_the_gbk_form():
    assert escpos.encode_text("余额") == "余额".encode("gb18030") == b"\xd3\xe0\xb6\xee"
    assert escpos.encode_text("¥5") == b"\xa3\xa45"   # ￥ (GBK A3A4), not the 4-byte ¥
    assert escpos.text_line("OK") == b"OK\n"


def test_raster_header_and_row_check():
    data = escpos.raster(16, [b"\xff\x00", b"\x00\xff"])
    assert data == b"\x1dv0\x00\x02\x00\x02\x00\xff\x00\x00\xff"
    with pytest.raises(ValueError):
        escpos.raster(16, [b"\xff"])


@pytest.mark.parametrize("bad", [lambda: escpos.size(0, 1), lambda: escpos.size(9, 1),
                                 lambda: escpos.align("middle"), lambda: escpos.feed(256),
                                 lambda: escpos.qr("x", error_level="Z"),
                                 lambda: escpos.status_request(5)])
def test_builders_refuse_values_a_printer_cannot_take(bad):
    with pytest.raises(ValueError):
        bad()


def test_status_bits_follow_the_reference():
    # Replies from a real printer: paper near end, then paper end with the cover shut.
    near = escpos.StatusBytes(0x16, 0x12, 0x12, 0x1E)
    assert near.paper == "low" and not near.offline and not near.cover_open
    out = escpos.StatusBytes(0x1E, 0x32, 0x12, 0x7E)
    assert out.offline and out.paper == "out" and out.paper_end_stop
    cover = escpos.StatusBytes(0x1E, 0x16, 0x12, 0x12)
    assert cover.cover_open and cover.paper == "full"
    cutter = escpos.StatusBytes(0x1E, 0x52, 0x1A, 0x12)
    assert cutter.cutter_error and cutter.error and not cutter.unrecoverable_error
    errors = escpos.StatusBytes(0x1E, 0x52, 0x72, 0x12)
    assert errors.unrecoverable_error and errors.recoverable_error


def test_status_byte_framing():
    for n in (1, 2, 3, 4):
        assert escpos.is_status_byte(escpos.status_byte(n=n))
        assert escpos.is_status_byte(escpos.status_byte(n=n, offline=True, cover_open=True,
                                                        cutter_error=True, near_end=True,
                                                        paper_end=True))
    assert not escpos.is_status_byte(0x00)     # bits 1 and 4 must be set
    assert not escpos.is_status_byte(0x93)     # bits 0 and 7 must be clear
    assert escpos.paper_sensor_byte(near_end=True, paper_end=True) == 0x0F


class _Sink:
    def __init__(self):
        self.items, self.cuts, self.requests = [], 0, []

    def printed(self, item):
        self.items.append(item)

    def cut(self):
        self.cuts += 1

    def status_request(self, n):
        self.requests.append(n)

    def paper_sensor_request(self):
        self.requests.append("r")


def test_parser_reads_back_what_the_builders_wrote_even_split_byte_by_byte():
    stream = (escpos.init() + escpos.chinese_mode() + escpos.align("center") + escpos.bold(True)
              + escpos.size(2, 2) + escpos.text_line("余额 Balance") + escpos.size(1, 1)
              + escpos.status_request(2) + escpos.qr("RRN0001") + escpos.feed(2)
              + escpos.cut(feed_dots=48) + escpos.paper_sensor_request())
    sink = _Sink()
    parser = EscPosParser(sink)
    for i in range(len(stream)):
        parser.feed(stream[i:i + 1])
    line = sink.items[0]
    assert isinstance(line, PrintedLine) and line.text == "余额 Balance"
    assert line.align == "center" and line.segments[0].bold and line.height == 2
    assert [i for i in sink.items if isinstance(i, PrintedQr)][0].data == "RRN0001"
    assert PrintedFeed(2) in sink.items
    assert sink.cuts == 1 and sink.requests == [2, "r"]


def test_parser_without_chinese_mode_does_not_read_chinese():
    sink = _Sink()
    EscPosParser(sink).feed(escpos.init() + escpos.text_line("余额"))
    assert sink.items[0].text != "余额"
