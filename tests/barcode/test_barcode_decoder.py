"""The decoder on drawn frames: Chinese text intact, step symbologies, region, outlines, repeats."""
import numpy as np
import pytest
from pyzbar import pyzbar

from drivers.barcode import code_images
from drivers.barcode.decoder import Decoder, Region, check_symbologies
from drivers.barcode.reading import RepeatFilter

CHINESE = "演示二维码|收款人=张测试"


def test_chinese_qr_text_is_exact_where_plain_pyzbar_garbles_it():
    frame = code_images.scene(1280, 720, "QRCODE", "演示", angle=12, blur=0.8, noise=6)
    plain = [d.data.decode("utf-8", "replace") for d in pyzbar.decode(frame)]
    assert plain and plain[0] != "演示"  # the garbling our binary mode exists for
    with Decoder() as decoder:
        assert [c.text for c in decoder.decode(frame)] == ["演示"]
        longer = code_images.scene(1280, 720, "QRCODE", CHINESE, angle=-20, module_px=5)
        assert [c.text for c in decoder.decode(longer)] == [CHINESE]


def test_qr_only_by_default_and_linear_codes_when_the_step_asks():
    bill = code_images.scene(1280, 720, "EAN13", "2011234567892", module_px=4)
    with Decoder() as qr_only:
        assert qr_only.decode(bill) == []
    with Decoder(["EAN13", "CODE128"]) as bills:
        found = bills.decode(bill)
        assert [(c.symbology, c.text) for c in found] == [("EAN13", "2011234567892")]
        long = code_images.scene(1280, 720, "CODE128", "UB101123456789202611000128005",
                                 module_px=3, angle=8)
        assert [c.text for c in bills.decode(long)] == ["UB101123456789202611000128005"]


def test_outline_is_in_full_frame_coordinates_after_downscale_and_region():
    frame = code_images.scene(1280, 720, "QRCODE", "BKR1|KSK-0001|receipt|RRN202611280001",
                              centre=(1000, 500), module_px=6)
    with Decoder(max_width=640, roi=Region(0.5, 0.3, 0.5, 0.7)) as decoder:
        (code,) = decoder.decode(frame)
    xs = [p[0] for p in code.polygon]
    ys = [p[1] for p in code.polygon]
    assert abs(np.mean(xs) - 1000) < 15 and abs(np.mean(ys) - 500) < 15
    with Decoder(roi=Region(0, 0, 0.5, 1)) as left_half:
        assert left_half.decode(frame) == []


def test_empty_frame_gives_nothing():
    with Decoder(["QRCODE", "EAN13", "CODE128"]) as decoder:
        assert decoder.decode(code_images.scene(1280, 720, noise=8)) == []


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="unknown symbology 'PDF417'"):
        check_symbologies(["qrcode", "pdf417"])
    with pytest.raises(ValueError):
        Region(0.8, 0, 0.5, 1)


def test_repeat_filter_collapses_a_held_code_and_lets_it_count_again_later():
    now = [100.0]
    repeats = RepeatFilter(window_s=3.0, clock=lambda: now[0])
    assert repeats.is_new("QRCODE", "A")
    for _ in range(5):  # held in view for 5 s: still one read
        now[0] += 1.0
        assert not repeats.is_new("QRCODE", "A")
    assert repeats.is_new("QRCODE", "B")
    now[0] += 3.5
    assert repeats.is_new("QRCODE", "A")


@pytest.mark.parametrize("text, encoding, eci", [
    ("测试甲 演示 ¥100", "utf-8", None),          # phones
    ("张三 转账 北京市海淀区", "gbk", None),        # older Chinese encoders: GBK, no ECI
    ("测试甲 演示 €", "gb18030", None),
    ("测试甲 演示", "gb18030", 32),                # ECI 32 = GB18030
    ("测试甲", "utf-8", 26),                       # ECI 26 = UTF-8
    ("今度のバージョンでは文章", "shift_jis", None),  # Japanese phones, byte mode
    ("今度のバージョン", "shift_jis", 20),          # ECI 20 = Shift-JIS
    ("café crème", "latin-1", 3),                 # ECI 3 = ISO-8859-1
])
def test_text_comes_back_exactly_as_encoded(text, encoding, eci):
    from tests.barcode.helpers import qr_picture
    picture = qr_picture(text.encode(encoding), eci=eci)
    scene = np.full((720, 1280), 200, np.uint8)
    scene[100:100 + picture.shape[0], 300:300 + picture.shape[1]] = picture
    with Decoder() as decoder:
        assert [c.text for c in decoder.decode(scene)] == [text]
        assert [c.text for c in decoder.decode_still(picture)] == [text]


def test_kanji_mode_text_comes_back_as_encoded():
    import zxingcpp
    text = "今度漢字テスト"
    symbol = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode)  # kanji segments
    picture = np.array(symbol.to_image(scale=6))
    assert bytes(zxingcpp.read_barcodes(picture)[0].bytes) == text.encode("shift_jis")
    with Decoder() as decoder:
        assert [c.text for c in decoder.decode(picture)] == [text]
