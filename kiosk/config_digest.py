"""A short digest of the effective configuration with its secrets left out, for the fleet
status and the staff console: two kiosks with the same digest run the same settings, and a
digest that changed after a visit says the configuration did. A secret's value never enters it
(only whether one is set), so the digest can be shown to anyone.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from .technician import redact_config

DIGEST_CHARS = 16


def config_digest(config: Any) -> str:
    """sha256 of the configuration as canonical JSON, secrets redacted; the first 16 hex digits."""
    data, _ = redact_config(config)
    data.pop("base_dir", None)   # where the file was read from is no setting
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str,
                      separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:DIGEST_CHARS]
