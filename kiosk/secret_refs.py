"""Secrets named in the configuration by reference, never written in it.

A string value `credential:NAME` is the content of the file NAME in $CREDENTIALS_DIRECTORY (what
systemd's LoadCredential= provides to the service); `env:NAME` is the environment variable NAME.
Any value in the file may be a reference; the production profile insists on one for the keys
marked secret (see kiosk.config).
"""
from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

CREDENTIAL, ENV = "credential:", "env:"
CREDENTIALS_ENV = "CREDENTIALS_DIRECTORY"
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.@-]*")


def is_reference(value: Any) -> bool:
    return isinstance(value, str) and value.startswith((CREDENTIAL, ENV))


def references(data: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    """Dotted key -> reference, for every referenced value in a TOML table."""
    found: dict[str, str] = {}
    for key, value in data.items():
        dotted = f"{prefix}.{key}" if prefix else key
        if isinstance(value, Mapping):
            found.update(references(value, dotted))
        elif is_reference(value):
            found[dotted] = value
    return found


def read_secret(reference: str, environ: Mapping[str, str] = os.environ) -> str:
    """The secret a reference names; LookupError says, for the operator, why it is not there."""
    kind, _, name = reference.partition(":")
    if not _NAME.fullmatch(name):
        raise LookupError(f"a credential or variable name after {kind}: (letters, digits, _.@-)")
    if reference.startswith(ENV):
        if not environ.get(name):
            raise LookupError(f"the environment variable {name} (not set)")
        return environ[name]
    folder = environ.get(CREDENTIALS_ENV)
    if not folder:
        raise LookupError(f"the credential file {name} in ${CREDENTIALS_ENV} (not set: "
                          "LoadCredential= in the unit)")
    path = Path(folder) / name
    try:
        text = path.read_text(encoding="utf-8").rstrip("\r\n")
    except OSError as exc:
        raise LookupError(f"the credential file {path} ({exc.strerror or exc})") from None
    if not text:
        raise LookupError(f"the credential file {path} (it is empty)")
    return text


def with_secrets(data: dict[str, Any], resolve: bool,
                 environ: Mapping[str, str] = os.environ) -> tuple[dict[str, Any], dict[str, str]]:
    """A copy of the TOML data with every reference replaced by its secret (or, unresolved,
    dropped so its key keeps its default), and the missing ones: dotted key -> why."""
    missing: dict[str, str] = {}

    def walk(table: Mapping[str, Any], prefix: str) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in table.items():
            dotted = f"{prefix}.{key}" if prefix else key
            if isinstance(value, Mapping):
                out[key] = walk(value, dotted)
            elif not is_reference(value):
                out[key] = value
            elif resolve:
                try:
                    out[key] = read_secret(value, environ)
                except LookupError as exc:
                    missing[dotted] = str(exc)
        return out

    return walk(data, ""), missing
