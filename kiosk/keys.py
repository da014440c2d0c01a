"""Keys held apart from the data they protect.

Three secrets, each a file of 64 hex digits (32 random bytes), e.g. `openssl rand -hex 32`:
- `journal.key`: the HMAC key of the journal's chain;
- `checkpoint.key`: the HMAC key of the journal's checkpoints (kept in a second place);
- `card.key`: the keyed digests of card and payee numbers, and the encryption of held transfers.

A key is read from `$CREDENTIALS_DIRECTORY/<name>` (systemd `LoadCredential=`, or
`LoadCredentialEncrypted=` to bind it to the machine's TPM) when that file exists, otherwise from
`[keys] folder`, which must not lie inside the data folder. In the demo profile
(`[keys] generate = true`) missing keys are created there, 0600 in a 0700 folder; in production
a missing key stops the kiosk. Rows and records carry a key's id (a digest of the key, which does
not reveal it), so a verifier can say which key a row needs.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .datafiles import DataFileError, private_dir

KEY_BYTES = 32
NAMES = ("journal.key", "checkpoint.key", "card.key")


class KeyFileError(DataFileError):
    """A key is missing, unreadable, too open or malformed; the message names the file."""


@dataclass(frozen=True)
class SecretKey:
    name: str
    secret: bytes = field(repr=False)

    @property
    def id(self) -> str:
        return hashlib.sha256(b"kiosk key id\0" + self.secret).hexdigest()[:16]

    def mac(self, data: bytes) -> str:
        return hmac.new(self.secret, data, hashlib.sha256).hexdigest()

    def derive(self, purpose: str) -> bytes:
        """A subkey for one purpose, so one key file never serves two jobs with the same bytes."""
        return hmac.new(self.secret, b"kiosk subkey\0" + purpose.encode(), hashlib.sha256).digest()


def _read(path: Path) -> SecretKey:
    try:
        info = os.stat(path)
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise KeyFileError(f"key file {path} cannot be read: {exc}") from exc
    if info.st_mode & 0o077:
        raise KeyFileError(f"key file {path} can be read by other users (mode "
                        f"{stat.S_IMODE(info.st_mode):04o}): run `chmod 600 {path}`")
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        secret = b""
    if len(secret) < KEY_BYTES:
        raise KeyFileError(f"key file {path} must hold at least {KEY_BYTES * 2} hex digits "
                        "(make one with `openssl rand -hex 32`)")
    return SecretKey(path.name, secret)


def _create(path: Path) -> None:
    """Write a new random key without ever replacing one another process wrote first."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        os.write(fd, (secrets.token_hex(KEY_BYTES) + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()


@dataclass(frozen=True)
class KeyRing:
    folder: Path
    generate: bool = False
    credentials: Path | None = None

    @classmethod
    def from_config(cls, config) -> "KeyRing":
        folder = config.path(config.keys.folder)
        data_dir = config.data_dir.resolve()
        if folder.resolve() == data_dir or data_dir in folder.resolve().parents:
            raise KeyFileError(f"[keys] folder {folder} lies inside the data folder {data_dir}: "
                            "keys must be held apart from the data they protect")
        if config.keys.generate and config.kiosk.profile == "production":
            raise KeyFileError("[keys] generate = true makes keys for the demo only: in the "
                               "production profile install the keys (see kiosk/keys.py)")
        return cls.with_credentials(folder, config.keys.generate)

    @classmethod
    def with_credentials(cls, folder: Path, generate: bool) -> "KeyRing":
        creds = os.environ.get("CREDENTIALS_DIRECTORY")
        return cls(Path(folder), generate, Path(creds) if creds else None)

    @classmethod
    def beside(cls, data_folder: Path) -> "KeyRing":
        """The demo layout for a data folder: `<folder>-keys` next to it, keys made on demand."""
        data_folder = Path(data_folder)
        return cls.with_credentials(data_folder.with_name(data_folder.name + "-keys"), True)

    def load(self, name: str) -> SecretKey:
        if self.credentials is not None and (self.credentials / name).exists():
            return _read(self.credentials / name)
        path = self.folder / name
        if not path.exists():
            if not self.generate:
                raise KeyFileError(f"key file {path} is missing: install it (0600, 64 hex digits) "
                                f"or pass it as the systemd credential {name}")
            private_dir(self.folder)
            _create(path)
        return _read(path)

    @property
    def journal(self) -> SecretKey:
        return self.load("journal.key")

    @property
    def checkpoint(self) -> SecretKey:
        return self.load("checkpoint.key")

    @property
    def card(self) -> SecretKey:
        return self.load("card.key")
