"""segments.csv and coaching.csv (SPEC.md "Output bundle").

UTF-8, comma separated, a header row, ``\\r\\n`` line ends (the csv module's
default). A cell that a spreadsheet would run as a formula is prefixed with a
single quote.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence

from nlp.coaching import CoachingRow
from nlp.records import Segment
from pipelines.report.safety import csv_cell

__all__ = ["COACHING_COLUMNS", "SEGMENT_COLUMNS", "coaching_csv", "segments_csv"]

SEGMENT_COLUMNS = (
    "segment_id", "doc_id", "source", "speaker", "speaker_role",
    "created_at", "start_s", "end_s", "theme_id", "text",
)  # fmt: skip
COACHING_COLUMNS = (
    "theme_id", "statement_id", "segment_id", "doc_id", "speaker",
    "start_s", "outcome", "text", "why",
)  # fmt: skip


def segments_csv(segments: Sequence[Segment], assignments: Mapping[str, str]) -> str:
    """One row per mined segment, in the given (document) order."""
    rows = (
        (
            s.segment_id,
            s.doc_id,
            s.source.value,
            s.speaker,
            s.speaker_role.value,
            s.created_at.isoformat(timespec="seconds"),
            format_seconds(s.start_s),
            format_seconds(s.end_s),
            assignments.get(s.segment_id, ""),
            s.text,
        )
        for s in segments
    )
    return _to_csv(SEGMENT_COLUMNS, rows)


def coaching_csv(rows: Sequence[CoachingRow]) -> str:
    """One row per coaching snippet."""
    return _to_csv(
        COACHING_COLUMNS,
        (
            (
                r.theme_id, r.statement_id, r.segment_id, r.doc_id, r.speaker,
                format_seconds(r.start_s), r.outcome, r.text, r.why,
            )  # fmt: skip
            for r in rows
        ),
    )


def format_seconds(value: float | None) -> str:
    """Seconds with at most 3 decimals, no trailing zeros; "" when unknown."""
    if value is None:
        return ""
    text = f"{float(value):.3f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _to_csv(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return buffer.getvalue()
