"""What `kiosk diag` says when a serial port is held by another program: almost always the
running kiosk, whose drivers hold their ports exclusively (drivers.serial_port)."""
from __future__ import annotations

HINT = "port in use — is the kiosk running? stop it or use the technician mode"


def busy_port_message(device: str, port: str) -> str:
    return f"{device} on {port}: {HINT}"
