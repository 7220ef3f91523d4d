"""Row-shaped inputs: CSV (quoted multi-line fields, `,` `;` or tab) and JSON Lines."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from typing import Any

from pipelines.readers.base import Reject

__all__ = ["Row", "Table", "normalize_key", "read_csv_table", "read_json_records"]


@dataclass(frozen=True)
class Row:
    """One record: values by normalised column name, and its first line."""

    line: int
    values: dict[str, Any]

    def get(self, *keys: str) -> Any:
        """The first non-empty value among ``keys`` (normalised names), or ``""``."""
        for key in keys:
            value = self.values.get(key)
            if value not in (None, ""):
                return value
        return ""


@dataclass(frozen=True)
class Table:
    """Rows plus the normalised column names (and how the file spelt them)."""

    columns: tuple[str, ...]
    spelled: dict[str, str]
    rows: tuple[Row, ...]


def normalize_key(name: object) -> str:
    """Lower-case a column name, drop a BOM and quotes, collapse whitespace."""
    text = str(name).replace("\ufeff", "").strip().strip('"').strip()
    return re.sub(r"\s+", " ", text).lower()


def _delimiter(header: str) -> str:
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def read_csv_table(text: str) -> Table:
    """Parse CSV text with a header row.

    Raises:
        Reject: no header, a duplicate column, or broken quoting (for example
            a quoted field that never closes because the file was cut short).
    """
    first = next((line for line in text.splitlines() if line.strip()), "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first), strict=True)
    header: list[str] | None = None
    rows: list[Row] = []
    line = 1
    try:
        for record in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header = [normalize_key(cell) for cell in record]
                spelled = {normalize_key(cell): cell.strip() for cell in record}
                dupes = sorted({key for key in header if key and header.count(key) > 1})
                if dupes:
                    raise Reject(f"column {dupes[0]!r} appears twice in the header", line=start,
                                 field=dupes[0], fix="give each column a distinct name")
                continue
            values = {
                key: (record[i] if i < len(record) else "") for i, key in enumerate(header) if key
            }
            rows.append(Row(start, values))
    except csv.Error as exc:
        raise Reject(
            f"broken CSV quoting ({exc})",
            line=reader.line_num or line,
            fix="quote fields that hold commas, quotes or line breaks, double any quote "
            "inside them, and re-export the file if it was cut short",
        ) from exc
    if header is None:
        raise Reject("the CSV file has no header row", line=1,
                     fix="add a header row naming the columns")
    return Table(tuple(key for key in header if key), spelled, tuple(rows))


def _flatten(record: dict[str, Any]) -> dict[str, Any]:
    """Merge a HubSpot-style ``properties`` object into the top level."""
    props = record.get("properties")
    if isinstance(props, dict):
        record = {**{k: v for k, v in record.items() if k != "properties"}, **props}
    return record


def read_json_records(text: str) -> Table:
    """Parse JSON Lines (one object a line), or a JSON array of objects.

    Raises:
        Reject: a line that is not a JSON object, with its line number.
    """
    stripped = text.lstrip()
    records: list[tuple[int, dict[str, Any]]] = []
    if stripped.startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise Reject(f"invalid or truncated JSON ({exc.msg})", line=exc.lineno,
                         fix="re-export the file as one complete JSON array") from exc
        if not isinstance(data, list):
            raise Reject("expected a JSON array of note objects", line=1,
                         fix="export one JSON object per note")
        for index, item in enumerate(data):
            if not isinstance(item, dict):
                raise Reject(f"item {index} of the array is not an object", field=f"[{index}]",
                             fix="export one JSON object per note")
            records.append((1, item))
    else:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise Reject(f"not a JSON object ({exc.msg})", line=number,
                             fix="write one complete JSON object per line (JSON Lines)") from exc
            if not isinstance(item, dict):
                raise Reject("not a JSON object", line=number,
                             fix="write one JSON object per line (JSON Lines)")
            records.append((number, item))
    columns: dict[str, str] = {}
    rows = []
    for number, item in records:
        flat = _flatten(item)
        values = {}
        for key, value in flat.items():
            norm = normalize_key(key)
            columns.setdefault(norm, str(key))
            values[norm] = value
        rows.append(Row(number, values))
    return Table(tuple(columns), columns, tuple(rows))
