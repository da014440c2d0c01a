"""The printer as the kiosk runs it: device manager, registry paths, emulator from config."""
from __future__ import annotations


from drivers.base import DeviceEvent, StatusChanged
from kiosk.config import load_config
from kiosk.device_manager import DeviceManager
from kiosk.documents.balance import balance_slip
from kiosk.events import EventBus
from kiosk.print_queue import JobState, PrintQueue
from tests.harness import wait_for

from .printer_data import CTX, account


def printer_only_config(tmp_path):
    others = ("chipcard", "idcard", "camera", "scanner")
    toml = tmp_path / "kiosk.toml"
    toml.write_text(
        '[kiosk]\ndata_dir = "var"\n'
        '[devices]\nreconnect_min_s = 0.05\nreconnect_max_s = 0.2\n'
        + "".join(f"[devices.{n}]\nenabled = false\n" for n in others)
        + '[devices.printer]\nport = "run/printer.pty"\npoll_interval_s = 0.05\n'
          'status_timeout_ms = 500\n'
          '[devices.printer.emulator]\noutput_dir = "receipts"\n', encoding="utf-8")
    return load_config(toml)


def test_manager_runs_printer_on_its_emulator_and_publishes_paper_faults(tmp_path):
    config = printer_only_config(tmp_path)
    bus = EventBus()
    seen = []
    bus.subscribe(seen.append)
    manager = DeviceManager(config, bus)
    manager.start()
    try:
        assert manager.wait_ready("printer", 5)
        assert wait_for(lambda: manager.statuses()["printer"]["device"] == "online")
        emulator = manager.emulator("printer")
        emulator.perform("paper_out")
        assert wait_for(lambda: manager.statuses()["printer"]["paper"] == "out")
        assert any(isinstance(e, DeviceEvent) and e.name == "PaperThresholdEvent"
                   and e.data == {"paper": "out"} for e in seen)

        queue = PrintQueue.from_config(config, lambda: manager.device("printer"), bus.publish)
        job_id = queue.submit(balance_slip(account(), "BAL261128000099", CTX))
        assert queue.status(job_id).state is JobState.INTERRUPTED
        assert (tmp_path / "var" / "print_queue.db").exists()

        emulator.perform("paper_replaced")
        assert wait_for(lambda: manager.statuses()["printer"]["paper"] == "full")
        assert [j.state for j in queue.resume_pending()] == [JobState.DONE]
        assert emulator.wait_rendered(30)
        png = emulator.last_receipt_png()
        assert png is not None and png.parent == tmp_path / "receipts"

        emulator.perform("unplug")
        assert wait_for(lambda: manager.statuses()["printer"]["device"] == "noDevice")
        emulator.perform("replug")
        assert wait_for(lambda: manager.statuses()["printer"]["device"] == "online")
        changes = [e.new for e in seen if isinstance(e, StatusChanged) and e.field == "device"]
        assert "userError" in changes and "noDevice" in changes
    finally:
        manager.stop()
