"""Logging for a running kiosk: a rotating file in the data folder, every record scrubbed.

Drivers and flows already mask card and ID numbers; the scrub filter is the second line of
defence, so a number that slips into an exception message still never reaches the file.
"""
from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from drivers.privacy import scrub

from .datafiles import private_dir

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class ScrubFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg, record.args = scrub(message), None
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        return True


def configure_logging(log_dir: Path, level: str = "INFO", *, console: bool = True) -> Path:
    """Log to `log_dir/kiosk.log` (10 x 5 MB) and optionally stderr; returns the file path."""
    private_dir(log_dir)
    path = log_dir / "kiosk.log"
    root = logging.getLogger()
    root.setLevel(level)
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handlers: list[logging.Handler] = [
        logging.handlers.RotatingFileHandler(path, maxBytes=5_000_000, backupCount=10,
                                             encoding="utf-8")]
    if console:
        handlers.append(logging.StreamHandler())
    for handler in handlers:
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        handler.addFilter(ScrubFilter())
        root.addHandler(handler)
    return path
