"""Salted scrypt hashes for staff passwords and the technician PIN (never stored in clear).

Format: `scrypt$n$r$p$salt$hash` with base64 salt and hash; `kiosk console --hash-password`
makes one for the configuration file.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os

_N, _R, _P = 2 ** 17, 8, 1
MIN_N = 2 ** 17        # weaker stored hashes are refused where the config is checked
_MAXMEM = 512 * 1024 * 1024  # N=2^17, r=8 needs 128 MiB; hashlib's default cap is 32 MiB


def hash_password(password: str) -> str:
    if not password:
        raise ValueError("an empty password cannot be hashed")
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32,
                            maxmem=_MAXMEM)
    return "$".join(["scrypt", str(_N), str(_R), str(_P), base64.b64encode(salt).decode(),
                     base64.b64encode(digest).decode()])


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check; a malformed or empty stored hash never matches."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        got = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt), n=int(n),
                             r=int(r), p=int(p), dklen=len(expected), maxmem=_MAXMEM)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def hash_problem(stored: str, min_n: int = 2 ** 14) -> str | None:
    """Why `stored` is not a usable hash (said without echoing it), or None when it is one;
    the technician PIN, six digits, needs `min_n` = MIN_N."""
    parts = stored.split("$")
    if len(parts) == 1:
        return "a password hash from `kiosk console --hash-password`, not the password itself"
    if parts[0] != "scrypt" or len(parts) != 6:
        return "a hash in the scrypt$n$r$p$salt$hash format (an unknown hash format was given)"
    try:
        n, r, p = (int(v) for v in parts[1:4])
        salt, digest = (base64.b64decode(v, validate=True) for v in parts[4:])
    except ValueError:
        return "a hash in the scrypt$n$r$p$salt$hash format (numbers and base64 were malformed)"
    if n < min_n or n & (n - 1) or r < 1 or p < 1 or len(salt) < 8 or len(digest) < 16:
        return f"a scrypt hash with n a power of 2 of at least {min_n} (2^{min_n.bit_length() - 1}), " \
               "r and p at least 1, a salt of at least 8 bytes and a digest of at least 16"
    return None
