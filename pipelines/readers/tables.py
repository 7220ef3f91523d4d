"""Row-shaped inputs: CSV (quoted multi-line fields, `,` `;` or tab) and JSON Lines."""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pipelines.readers.base import Reject

__all__ = ["Row", "Table", "normalize_key", "read_csv_table", "read_json_records",
           "stream_csv_table", "stream_json_records"]

_LOOKAHEAD = 200  # JSON Lines objects read ahead to learn an export's columns


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
    """Rows plus the normalised column names (and how the file spelt them).

    A table from ``stream_*`` holds its rows as an iterator, read once, row by
    row from the file; reading them may raise :class:`Reject` part-way.
    """

    columns: tuple[str, ...]
    spelled: dict[str, str]
    rows: Iterable[Row]


def normalize_key(name: object) -> str:
    """Lower-case a column name, drop a BOM and quotes, collapse whitespace."""
    text = str(name).replace("\ufeff", "").strip().strip('"').strip()
    return re.sub(r"\s+", " ", text).lower()


def _delimiter(header: str) -> str:
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _csv_error(exc: csv.Error, line: int) -> Reject:
    return Reject(
        f"broken CSV quoting ({exc})",
        line=line,
        fix="quote fields that hold commas, quotes or line breaks, double any quote "
        "inside them, and re-export the file if it was cut short",
    )


def stream_csv_table(lines: Iterable[str]) -> Table:
    """Read a CSV header now and its rows lazily, one record at a time.

    Args:
        lines: the file's lines with their line endings (a file opened with
            ``newline=""``), so quoted multi-line fields survive.

    Raises:
        Reject: no header, a duplicate column, or (while the rows are read)
            broken quoting, for example a quoted field that never closes
            because the file was cut short.
    """
    source = iter(lines)
    first: list[str] = []
    offset = 0  # blank lines before the header
    for line in source:  # skip blank lines to find the delimiter from the header
        if line.strip():
            first.append(line)
            break
        offset += 1
    if not first:
        raise Reject("the CSV file has no header row", line=1,
                     fix="add a header row naming the columns")
    reader = csv.reader(itertools.chain(first, source), delimiter=_delimiter(first[0]), strict=True)
    try:
        header_cells = next(reader)
    except csv.Error as exc:
        raise _csv_error(exc, offset + (reader.line_num or 1)) from exc
    header = [normalize_key(cell) for cell in header_cells]
    spelled = {normalize_key(cell): cell.strip() for cell in header_cells}
    dupes = sorted({key for key in header if key and header.count(key) > 1})
    if dupes:
        raise Reject(f"column {dupes[0]!r} appears twice in the header", line=offset + 1,
                     field=dupes[0], fix="give each column a distinct name")
    return Table(tuple(key for key in header if key), spelled,
                 _csv_rows(reader, header, offset))


def _csv_rows(reader: Any, header: list[str], offset: int) -> Iterator[Row]:
    line = reader.line_num + 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise _csv_error(exc, offset + (reader.line_num or line)) from exc
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in record):
            continue
        yield Row(start + offset, {
            key: (record[i] if i < len(record) else "") for i, key in enumerate(header) if key
        })


def read_csv_table(text: str) -> Table:
    """Parse CSV text with a header row; the rows come back as a tuple.

    Raises:
        Reject: as :func:`stream_csv_table`.
    """
    table = stream_csv_table(io.StringIO(text, newline=""))
    return Table(table.columns, table.spelled, tuple(table.rows))


def _flatten(record: dict[str, Any]) -> dict[str, Any]:
    """Merge a HubSpot-style ``properties`` object into the top level."""
    props = record.get("properties")
    if isinstance(props, dict):
        record = {**{k: v for k, v in record.items() if k != "properties"}, **props}
    return record


def _json_line_records(lines: Iterable[str]) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, line in enumerate(lines, start=1):
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
        yield number, item


def _records_table(records: Iterator[tuple[int, dict[str, Any]]], lookahead: int) -> Table:
    """Columns from the first ``lookahead`` records; every record becomes a Row, lazily."""
    head = list(itertools.islice(records, lookahead))
    columns: dict[str, str] = {}

    def to_row(number: int, item: dict[str, Any]) -> Row:
        values = {}
        for key, value in _flatten(item).items():
            values[normalize_key(key)] = value
        return Row(number, values)

    for _, item in head:
        for key in _flatten(item):
            columns.setdefault(normalize_key(key), str(key))
    rows = (to_row(n, item) for n, item in itertools.chain(head, records))
    return Table(tuple(columns), columns, rows)


def stream_json_records(lines: Iterable[str], *, lookahead: int = _LOOKAHEAD) -> Table:
    """Read JSON Lines lazily, one object a line.

    The columns are the keys of the first ``lookahead`` objects (the export's
    shape); later objects keep all their keys in their rows.

    Raises:
        Reject: (while the rows are read) a line that is not a JSON object.
    """
    return _records_table(_json_line_records(lines), lookahead)


def read_json_records(text: str) -> Table:
    """Parse JSON Lines (one object a line), or a JSON array of objects.

    Raises:
        Reject: a line that is not a JSON object, with its line number.
    """
    stripped = text.lstrip()
    if not stripped.startswith("["):
        table = _records_table(_json_line_records(text.splitlines()), lookahead=1 << 62)
        return Table(table.columns, table.spelled, tuple(table.rows))
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise Reject(f"invalid or truncated JSON ({exc.msg})", line=exc.lineno,
                     fix="re-export the file as one complete JSON array") from exc
    if not isinstance(data, list):
        raise Reject("expected a JSON array of note objects", line=1,
                     fix="export one JSON object per note")
    records: list[tuple[int, dict[str, Any]]] = []
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            raise Reject(f"item {index} of the array is not an object", field=f"[{index}]",
                         fix="export one JSON object per note")
        records.append((1, item))
    table = _records_table(iter(records), lookahead=len(records))
    return Table(table.columns, table.spelled, tuple(table.rows))
