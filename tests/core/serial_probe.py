"""A tiny line-protocol device used to test the device framework over a real pty.

The driver writes b"PING\\r" and expects b"PONG\\r" within its timeout; the emulator answers.
"""
from __future__ import annotations

import serial

from drivers.base import Device
from drivers.emulation import EmulatorAction, PtyEmulator
from drivers.errors import DeviceTimeout, NoDeviceError


class ProbeDevice(Device):
    kind = "probe"
    poll_interval = 0.05

    def __init__(self, name: str, *, port: str, timeout: float = 0.5):
        super().__init__(name, port=port, timeout=timeout)
        self._serial: serial.Serial | None = None

    @classmethod
    def from_config(cls, name, section, config):
        return cls(name, port=str(config.path(section.port)), timeout=0.5)

    def _open(self) -> None:
        try:
            self._serial = serial.Serial(self.port, 115200, timeout=self.timeout,
                                         write_timeout=self.timeout)
        except serial.SerialException as exc:
            raise NoDeviceError("port not found", device=self.name, port=self.port,
                                remedy="plug the device in") from exc
        self._ping()

    def _close(self) -> None:
        if self._serial is not None:
            self._serial.close()
            self._serial = None

    def _poll(self) -> None:
        self._ping()

    def _ping(self) -> None:
        assert self._serial is not None
        try:
            self._serial.write(b"PING\r")
            answer = self._serial.read_until(b"\r")
        except serial.SerialException as exc:
            raise OSError(str(exc)) from exc
        if answer != b"PONG\r":
            raise DeviceTimeout(f"no answer to PING (got {answer!r})", device=self.name,
                                port=self.port)


class ProbeEmulator(PtyEmulator):
    kind = "probe"

    @classmethod
    def from_config(cls, section, config):
        return cls(config.path(section.port), pace=False)

    def on_bytes(self, data: bytes) -> None:
        if b"PING" in data:
            self.write(b"PONG\r")

    def actions(self):
        return [EmulatorAction("unplug", "Unplug"), EmulatorAction("replug", "Plug in")]

    def action_unplug(self):
        self.unplug()

    def action_replug(self):
        self.replug()
