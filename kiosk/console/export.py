"""The console's CSV downloads (the audit trail, the reports): RFC 4180 quoting by the csv
module, and a text cell that a spreadsheet would run as a formula (=, +, -, @, tab, CR first)
kept as text with a leading apostrophe: kiosk ids, branch names and staff's reasons come from
outside and must never run in the reader's spreadsheet."""
from __future__ import annotations

import csv
import io
from typing import Any, Iterable, Sequence

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(_FORMULA):
        return "'" + value
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([cell(v) for v in row] for row in rows)
    return out.getvalue()
