"""`kiosk diag scan` through the real CLI: pictures, the emulated camera, exit codes."""
from __future__ import annotations

import json

import cv2

from drivers.barcode import code_images
from drivers.barcode.camera_emulator import CameraEmulator
from drivers.barcode.samples import sample_codes
from kiosk.cli import main

SAMPLES = sample_codes()


def diag(capsys, *argv):
    code = main(["diag", "scan", *argv])
    return code, capsys.readouterr().out


def test_picture_with_a_chinese_form_prints_text_with_the_id_number_masked(tmp_path, capsys):
    picture = tmp_path / "form.png"
    cv2.imwrite(str(picture), code_images.scene(
        1280, 720, "QRCODE", SAMPLES["account_opening_form"][1], angle=15, blur=0.7))
    code, out = diag(capsys, "--image", str(picture), "--json")
    assert code == 0
    (found,) = json.loads(out)["codes"]
    assert found["symbology"] == "QRCODE"
    assert "name=测试甲" in found["text"]
    assert "110105199003071239" not in out and "id_number=110105********1239" in found["text"]


def test_picture_with_a_bill_and_one_without_codes(tmp_path, capsys):
    bill = tmp_path / "bill.png"
    cv2.imwrite(str(bill), code_images.scene(1280, 720, *SAMPLES["utility_bill_code128"],
                                             module_px=3))
    code, out = diag(capsys, "--image", str(bill))
    assert code == 0 and "CODE128" in out and SAMPLES["utility_bill_code128"][1] in out
    empty = tmp_path / "empty.png"
    cv2.imwrite(str(empty), code_images.scene(1280, 720, noise=5))
    code, out = main(["diag", "--json", "scan", "--image", str(empty)]), capsys.readouterr().out
    assert code == 6 and json.loads(out)["codes"] == []


def test_unreadable_picture_is_exit_2(tmp_path, capsys):
    (tmp_path / "not-a-picture.png").write_text("hello")
    code, out = diag(capsys, "--image", str(tmp_path / "not-a-picture.png"), "--json")
    assert code == 2 and "cannot be opened" in json.loads(out)["error"]


def test_camera_source_reports_codes_frames_fps_and_decode_time(tmp_path, capsys):
    emulator = CameraEmulator(tmp_path / "cam.avi", width=640, height=480, fps=30)
    emulator.start()
    try:
        emulator.perform("present_code", "appointment")
        code, out = diag(capsys, "--camera", str(tmp_path / "cam.avi"), "--seconds", "1",
                         "--json")
    finally:
        emulator.stop()
    result = json.loads(out)
    assert code == 0
    assert result["codes"] == [{"symbology": "QRCODE", "text": SAMPLES["appointment"][1]}]
    assert 20 <= result["frames"] <= 40 and 20 <= result["fps"] <= 40
    assert 0 < result["decode_ms_median"] < 100


def test_missing_camera_is_exit_2(tmp_path, capsys):
    code, out = diag(capsys, "--camera", str(tmp_path / "none.avi"), "--seconds", "0.1",
                     "--json")
    assert code == 2 and "none.avi" in json.loads(out)["error"]
