"""Logging for a running kiosk: a file in the data folder rotated by size, and the console,
every record scrubbed. Under systemd (stdout is the journal's stream, $JOURNAL_STREAM) the console
records are JSON lines on stdout, one object a record, for the journal and what reads it.

Drivers and flows already mask card and ID numbers; the scrub filter is the second line of
defence, so a number that slips into an exception message still never reaches the file.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import logging.handlers
import os
import sys
from pathlib import Path
from typing import IO

from drivers.privacy import scrub

from .datafiles import private_dir

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MAX_BYTES, BACKUPS = 5_000_000, 10


class ScrubFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg, record.args = scrub(message), None
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True


class PrivateRotatingFile(logging.handlers.RotatingFileHandler):
    """Rotated by size; every file, the current one and each one after a rollover, 0600."""

    def _open(self):
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        return open(fd, self.mode, encoding=self.encoding, errors=self.errors)


class JsonLines(logging.Formatter):
    """One JSON object a record: time (UTC, ISO 8601), level, logger, thread, message and, for an
    exception, its traceback (both already scrubbed by ScrubFilter)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {"time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc)
                 .isoformat(timespec="milliseconds"),
                 "level": record.levelname, "logger": record.name,
                 "thread": record.threadName, "message": record.getMessage()}
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def on_journal(stream: IO) -> bool:
    """Whether `stream` is the journal's (systemd sets $JOURNAL_STREAM to its device:inode)."""
    device, _, inode = os.environ.get("JOURNAL_STREAM", "").partition(":")
    try:
        st = os.fstat(stream.fileno())
    except (OSError, ValueError, AttributeError):
        return False
    return device.isdigit() and inode.isdigit() and (st.st_dev, st.st_ino) == (int(device),
                                                                             int(inode))


def configure_logging(log_dir: Path, level: str = "INFO", *, console: bool = True,
                      max_bytes: int = MAX_BYTES, backups: int = BACKUPS) -> Path:
    """Log to `log_dir/kiosk.log` (rotated at max_bytes, `backups` old files kept) and
    optionally the console: JSON lines on stdout under systemd, text on stderr otherwise.
    Returns the file's path."""
    private_dir(log_dir)
    path = log_dir / "kiosk.log"
    root = logging.getLogger()
    root.setLevel(level)
    for handler in list(root.handlers):
        root.removeHandler(handler)
    text = logging.Formatter(LOG_FORMAT)
    handlers: list[tuple[logging.Handler, logging.Formatter]] = [
        (PrivateRotatingFile(path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8"),
         text)]
    if console:
        journal = on_journal(sys.stdout)
        handlers.append((logging.StreamHandler(sys.stdout if journal else sys.stderr),
                         JsonLines() if journal else text))
    for handler, formatter in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(ScrubFilter())
        root.addHandler(handler)
    return path
