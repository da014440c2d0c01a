"""The camera driver reading the emulated camera's clip through cv2.VideoCapture, end to end."""
from __future__ import annotations

import contextlib
import threading
import time

import cv2
import pytest

from drivers.barcode import code_images
from drivers.barcode.camera import CameraReader
from drivers.barcode.camera_emulator import CameraEmulator
from drivers.barcode.decoder import Region
from drivers.barcode.samples import sample_codes
from drivers.errors import DeviceTimeout, NoDeviceError

from .helpers import Recorder, only_device_config, running_manager, wait_for


@pytest.fixture
def rig(tmp_path):
    emulator = CameraEmulator(tmp_path / "camera.avi", width=640, height=480, fps=30)
    emulator.start()
    camera = CameraReader("camera", emulator.endpoint()["source"], stale_after_s=0.5,
                          repeat_window_s=2.0)
    events = Recorder()
    camera.subscribe(events)
    yield emulator, camera, events
    camera.close()
    emulator.stop()


def test_presented_codes_arrive_once_each_with_exact_chinese_text(rig):
    emulator, camera, events = rig
    camera.open()
    assert wait_for(lambda: camera.status()["camera"] == "ok", 3)
    emulator.perform("present_code", "transfer_form")
    expected = emulator.samples["transfer_form"]
    assert "张测试" in expected[1]
    assert wait_for(lambda: events.codes(), 3)
    emulator.perform("present_code", "appointment")
    assert wait_for(lambda: len(events.codes()) >= 2, 3)
    # both codes stay in view for several loops of the clip: still one event each
    wait_for(lambda: False, 0.6)
    assert events.codes() == [expected, emulator.samples["appointment"]]
    event = events.code_events()[0]
    assert event.device == "camera" and len(event.data["polygon"]) >= 4
    preview = camera.preview()
    assert preview is not None and preview.image.shape == (480, 640, 3)
    assert camera.stats.frames > 10 and camera.stats.summary()["decode_ms_median"] > 0


def test_preview_outline_follows_the_code_and_fades_when_withdrawn(rig):
    emulator, camera, _ = rig
    camera.open()
    emulator.perform("present_code", "receipt")
    assert wait_for(lambda: (camera.preview() and camera.preview().outlines), 3)
    (outline,) = camera.preview().outlines
    xs = [p[0] for p in outline]
    assert 100 < min(xs) < max(xs) < 540  # the code sits in the middle of the 640-wide scene
    emulator.perform("withdraw_code")
    assert wait_for(lambda: not camera.preview().outlines, 3)


def test_preview_frames_are_downscaled_with_their_outlines(rig):
    emulator, camera, _ = rig
    camera.preview_width = 320
    camera.open()
    emulator.perform("present_code", "receipt")
    assert wait_for(lambda: (camera.preview() and camera.preview().outlines), 3)
    preview = camera.preview()
    assert preview.image.shape == (240, 320, 3) and preview.scale == 0.5
    xs = [p[0] for p in preview.outlines[0]]
    assert 50 < min(xs) < max(xs) < 270


def test_bill_step_reads_linear_codes_in_its_region(rig):
    emulator, camera, events = rig
    camera.open()
    emulator.perform("present_code", "utility_bill_ean13")
    wait_for(lambda: camera.stats.decoded > 20, 2)
    assert events.codes() == []  # QR-only by default
    camera.set_step(["EAN13", "CODE128"], roi=Region(0.1, 0.1, 0.8, 0.8), decode_width=0)
    assert wait_for(lambda: events.codes() == [emulator.samples["utility_bill_ean13"]], 3)


def test_camera_down_is_a_fault_and_up_brings_frames_back(rig):
    emulator, camera, events = rig
    camera.open()
    assert wait_for(lambda: camera.status()["camera"] == "ok", 3)
    emulator.perform("camera_down")
    with pytest.raises(DeviceTimeout, match="camera on .*camera.avi: no picture"):
        assert wait_for(lambda: camera.poll() and False, 3)
    assert camera.status() == {"device": "noDevice", "camera": "inoperative",
                               "format": "MJPG 640x480 30fps"}
    camera.close(state=camera.status()["device"])
    with pytest.raises(NoDeviceError, match="check the camera cable"):
        camera.open()
    emulator.perform("camera_up")
    camera.open()
    assert wait_for(lambda: camera.status()["camera"] == "ok", 3)
    assert events.changes("camera") == [("unknown", "ok"), ("ok", "inoperative"),
                                        ("inoperative", "ok")]


def test_device_manager_runs_the_emulated_camera_and_reconnects(tmp_path):
    config = only_device_config(
        tmp_path, "camera",
        '[devices.camera]\nbackend = "emulator"\nwidth = 640\nheight = 480\n'
        'stale_after_s = 0.6\n')
    with running_manager(config) as (manager, events):
        assert wait_for(lambda: manager.statuses()["camera"].get("camera") == "ok", 5)
        emulator = manager.emulator("camera")
        assert emulator.clip == tmp_path / "var" / "run" / "camera.avi"  # under data_dir
        assert [a.name for a in emulator.actions()] == [
            "present_code", "withdraw_code", "show_people", "camera_down", "camera_up"]
        assert {"appointment", "transfer_form", "utility_bill_ean13"} <= set(
            emulator.actions()[0].choices)
        emulator.perform("present_code", "appointment")
        assert wait_for(lambda: events.codes() == [emulator.samples["appointment"]], 4)
        emulator.perform("camera_down")
        assert wait_for(lambda: manager.statuses()["camera"] == {
            "device": "noDevice", "camera": "inoperative", "format": "MJPG 640x480 30fps"}, 4)
        emulator.perform("camera_up")
        assert wait_for(lambda: manager.statuses()["camera"] == {
            "device": "online", "camera": "ok", "format": "MJPG 640x480 30fps"}, 5)
    assert not [t for t in threading.enumerate() if t.name.startswith("camera-")]


class MjpegCamera:
    """An IP camera stand-in: multipart MJPEG over HTTP on a free loopback port (or on `port`,
    to come back where a stopped one was)."""

    def __init__(self, frame, port: int = 0):
        import http.server
        import socketserver

        self.jpeg = cv2.imencode(".jpg", frame)[1].tobytes()
        self.running = threading.Event()
        self.running.set()
        camera = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "multipart/x-mixed-replace; boundary=frame")
                self.end_headers()
                try:
                    while camera.running.is_set():
                        self.wfile.write(b"--frame\r\nContent-Type: image/jpeg\r\n"
                                         b"Content-Length: %d\r\n\r\n" % len(camera.jpeg)
                                         + camera.jpeg + b"\r\n")
                        time.sleep(1 / 30)
                except OSError:
                    pass

            def log_message(self, *args):
                pass

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", port), Handler)
        self.port = self.server.server_address[1]
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/stream.mjpg"

    def stop(self):
        self.running.clear()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(2)


def test_url_source_reads_an_ip_camera_and_notices_it_stop():
    code = sample_codes()["appointment"]
    ip_camera = MjpegCamera(code_images.scene(640, 480, *code))
    camera = CameraReader("camera", ip_camera.url, stale_after_s=0.5, timeout=2.0)
    events = Recorder()
    camera.subscribe(events)
    try:
        camera.open()
        assert camera.source_kind == "url"
        assert wait_for(lambda: events.codes() == [code], 4)
        ip_camera.stop()
        with pytest.raises(DeviceTimeout):
            wait_for(lambda: camera.poll() and False, 5)
        assert camera.status()["camera"] == "inoperative"
    finally:
        camera.close()
        ip_camera.stop()


def test_missing_camera_index_is_no_device():
    camera = CameraReader("camera", "7")
    with pytest.raises(NoDeviceError, match="camera on 7: camera source cannot be opened"):
        camera.open()
    assert camera.status()["device"] == "noDevice"


def test_a_camera_that_vanishes_and_comes_back_is_reopened_and_says_what_it_gives(tmp_path):
    samples = sample_codes()
    stream = MjpegCamera(code_images.scene(640, 480, *samples["appointment"]))
    streams = [stream]
    config = only_device_config(
        tmp_path, "camera",
        f'[devices.camera]\nbackend = "opencv"\nsource = "{stream.url}"\nstale_after_s = 0.6\n'
        'timeout_s = 2.0\n')
    with running_manager(config) as (manager, events), contextlib.ExitStack() as stop:
        stop.callback(lambda: [s.stop() for s in streams])
        assert wait_for(lambda: events.codes() == [samples["appointment"]], 8)
        status = manager.statuses()["camera"]
        assert status["camera"] == "ok" and status["format"].split()[1] == "640x480"
        stream.stop()                                        # unplugged: the stream is gone
        assert wait_for(lambda: manager.statuses()["camera"]["camera"] == "inoperative", 5)
        assert wait_for(lambda: manager.statuses()["camera"]["device"] == "noDevice", 5)
        stream = MjpegCamera(code_images.scene(800, 600, *samples["receipt"]), port=stream.port)
        streams.append(stream)
        assert wait_for(lambda: samples["receipt"] in events.codes(), 15)   # reopened
        status = manager.statuses()["camera"]
        assert status["device"] == "online" and status["camera"] == "ok"
        assert status["format"].split()[1] == "800x600"      # what the new source gives


def test_a_stable_camera_path_that_is_not_there_is_no_device():
    camera = CameraReader("camera", "/dev/v4l/by-id/usb-Kiosk_Test_Cam-video-index0")
    assert camera.source_kind == "device"
    with pytest.raises(NoDeviceError, match="camera source cannot be opened"):
        camera.open()
    assert camera.status()["device"] == "noDevice" and camera.status()["format"] == ""


def _clip(path, frames):
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 30, (640, 480))
    for frame in frames:
        writer.write(frame)
    writer.release()


def test_a_linear_code_counts_only_when_two_frames_read_it_alike(tmp_path):
    bill = sample_codes()["utility_bill_ean13"]
    coded = code_images.scene(640, 480, *bill, module_px=3)
    empty = code_images.scene(640, 480)
    _clip(tmp_path / "once.avi", [coded] + [empty] * 50)   # one frame in 1.7 s: a glimpse
    _clip(tmp_path / "held.avi", [empty] * 10 + [coded] * 6 + [empty] * 10)
    for name, expected in (("once.avi", []), ("held.avi", [bill])):
        camera = CameraReader("camera", str(tmp_path / name), symbologies=["EAN13"],
                              decode_width=0, stale_after_s=5)
        events = Recorder()
        camera.subscribe(events)
        camera.open()
        try:
            assert wait_for(lambda: camera.stats.frames >= 110, 8)   # two loops at least
            assert events.codes() == expected, name
            assert camera.stats.summary()["frames"] >= 110
        finally:
            camera.close()
