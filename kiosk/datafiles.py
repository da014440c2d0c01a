"""The kiosk's files at rest: private folders (0700), private files (0600), no symlinks followed.

Someone with a shell on the kiosk must not be able to read customer data from its files, nor
make the kiosk write through a link planted in its data folder. So the kiosk creates files with
umask 077, refuses a folder that others (group or world) can write, and refuses a data file
that is a symlink (the database and the -wal, -shm and -journal files SQLite keeps beside it).
"""
from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")


class DataFileError(Exception):
    """A data file or folder the kiosk must not use; the message says what to do."""


def private_umask() -> int:
    """Files and folders the process creates from now on are its own (0600 / 0700)."""
    return os.umask(PRIVATE_UMASK)


def check_folder(folder: Path) -> None:
    """Refuse a folder that is a symlink, not a folder, or writable by group or others."""
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        raise DataFileError(f"{folder} does not exist") from None
    if stat.S_ISLNK(info.st_mode):
        raise DataFileError(f"{folder} is a symbolic link: point the configuration at the real "
                            "folder")
    if not stat.S_ISDIR(info.st_mode):
        raise DataFileError(f"{folder} is not a folder")
    if info.st_mode & 0o022:
        raise DataFileError(f"{folder} can be written by other users (mode "
                            f"{stat.S_IMODE(info.st_mode):04o}): run `chmod 700 {folder}`")


def private_dir(folder: str | Path) -> Path:
    """Create `folder` (and missing parents) as 0700 and check it is safe to keep data in."""
    folder = Path(folder)
    missing = []
    probe = folder
    while not probe.exists() and not probe.is_symlink() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    for part in reversed(missing):
        try:
            part.mkdir(mode=0o700)
        except FileExistsError:
            pass
    check_folder(folder)
    return folder


def _refuse_links(path: Path) -> None:
    for candidate in (path, *(Path(f"{path}{side}") for side in SQLITE_SIDE_FILES)):
        if candidate.is_symlink():
            raise DataFileError(f"{candidate} is a symbolic link; the kiosk does not follow "
                                "links in its data folder: remove it")


def private_file(path: str | Path) -> Path:
    """Create `path` as an empty 0600 file if missing (never through a symlink); make an
    existing one 0600."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
    except OSError as exc:
        if path.is_symlink():
            raise DataFileError(f"{path} is a symbolic link; the kiosk does not follow links in "
                                "its data folder: remove it") from None
        raise DataFileError(f"{path} cannot be opened: {exc.strerror}") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise DataFileError(f"{path} is not a regular file")
        if info.st_mode & 0o077:
            os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
    return path


def private_db_file(path: str | Path) -> Path:
    """Before SQLite opens `path`: a private folder, no symlinks (database or side files), the
    database file itself created 0600 (SQLite gives its side files the same mode)."""
    path = Path(path)
    private_dir(path.parent)
    _refuse_links(path)
    return private_file(path)


def connect(path: str | Path, timeout_s: float = 10.0) -> sqlite3.Connection:
    """A SQLite connection for money data: a private file in a private folder, WAL,
    synchronous=FULL, autocommit (explicit BEGIN). A file that is not a database is refused
    with a DataFileError naming it."""
    path = private_db_file(path)
    conn = sqlite3.connect(str(path), timeout=timeout_s, isolation_level=None,
                           check_same_thread=False)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=FULL")
    except sqlite3.DatabaseError as exc:
        conn.close()
        if "not a database" not in str(exc) and "malformed" not in str(exc):
            raise
        raise DataFileError(f"{path} is not a SQLite database ({exc}): move it aside or restore "
                            "it from a backup") from None
    return conn
