"""Serial ports with one owner at a time.

Drivers open their ports with pyserial's `exclusive=True`, which on POSIX takes an flock on the
port (on a pty as on a USB adapter). A second program that asks for the lock too, such as
`kiosk diag` run next to a running kiosk, then fails at once with PortInUseError instead of
stealing the kiosk's replies. The lock is advisory: programs that do not ask are not kept out.
"""
from __future__ import annotations

import errno
import fcntl
import os
from typing import Any

import serial

from .errors import PortInUseError

_LOCKED = {errno.EAGAIN, errno.EWOULDBLOCK}


def open_serial(port: str, *, device: str, **settings: Any) -> serial.SerialBase:
    """serial_for_url(port, exclusive=True, **settings); PortInUseError when it is held."""
    try:
        return serial.serial_for_url(port, exclusive=True, **settings)
    except serial.SerialException as exc:
        if exc.errno in _LOCKED:
            raise PortInUseError("port is in use by another program", device=device,
                                 port=port, remedy="close the other program first") from exc
        raise


def port_in_use(port: str) -> bool:
    """True when another program holds the serial port at this path. The line settings are
    left alone (a stale pty link may lead to somebody's terminal); URLs are never held."""
    if "://" in port:
        return False
    try:
        fd = os.open(port, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    except OSError:
        return False  # a missing port is reported by the driver that opens it
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        return exc.errno in _LOCKED
    finally:
        os.close(fd)  # also drops our own lock
    return False
