"""Printing diagnostics results: JSON for scripts, aligned key/value lines for people."""
from __future__ import annotations

import json
import sys
from typing import Any, TextIO

# Exit codes shared by every `kiosk diag` command.
EXIT_OK = 0
EXIT_NO_DEVICE = 2
EXIT_NO_MEDIA = 3
EXIT_READ_ERROR = 4
EXIT_NO_ANSWER = 5
EXIT_NOTHING_FOUND = 6


def emit(result: dict[str, Any], as_json: bool, out: TextIO | None = None) -> None:
    out = out or sys.stdout  # looked up per call: pytest and callers may swap stdout
    if as_json:
        out.write(json.dumps(result, ensure_ascii=False, default=str) + "\n")
        return
    width = max((len(k) for k in result), default=0)
    for key, value in result.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        elif isinstance(value, list):
            value = "; ".join(json.dumps(v, ensure_ascii=False) for v in value) or "-"
        out.write(f"{key.ljust(width)}  {'-' if value is None else value}\n")
    out.flush()
