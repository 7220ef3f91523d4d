"""CRM notes: canonical CSV/JSONL, Salesforce Task and ContentNote, HubSpot notes."""

from __future__ import annotations

import base64
import binascii
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from nlp.records import Document, Role, Source, Turn
from pipelines.readers.base import Reject
from pipelines.readers.htmltext import html_to_text, looks_like_html
from pipelines.readers.tables import Row, Table
from pipelines.readers.values import DATE_FIX, parse_amount, parse_datetime, parse_outcome

__all__ = ["NoteLayout", "detect_layout", "parse_notes", "stream_notes"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NoteLayout:
    """Which columns of an export hold each canonical field (normalised names).

    ``kind`` is ``None`` for the canonical layout: the container (CSV or JSON
    Lines) then names it.
    """

    kind: str | None
    id: tuple[str, ...]
    created_at: tuple[str, ...]
    text: tuple[str, ...]
    account_id: tuple[str, ...] = ("account_id",)
    account_name: tuple[str, ...] = ("account_name",)
    segment: tuple[str, ...] = ("segment",)
    opportunity_id: tuple[str, ...] = ("opportunity_id",)
    stage: tuple[str, ...] = ("stage",)
    outcome: tuple[str, ...] = ("outcome",)
    amount: tuple[str, ...] = ("amount",)
    author: tuple[str, ...] = ("author",)
    title: tuple[str, ...] = ()


CANONICAL = NoteLayout(None, ("id",), ("created_at",), ("text",))
HUBSPOT = NoteLayout(
    "hubspot_notes",
    id=("hs_object_id", "note id", "record id", "id"),
    created_at=("hs_timestamp", "create date", "hs_createdate", "activity date", "created_at"),
    text=("hs_note_body", "note body"),
    account_id=("associated company ids", "associatedcompanyids", "account_id"),
    account_name=("associated company", "account_name"),
    opportunity_id=("associated deal ids", "associateddealids", "opportunity_id"),
    author=("hubspot_owner_id", "activity assigned to", "created by", "author"),
)
SALESFORCE_TASK = NoteLayout(
    "salesforce_task",
    id=("id",),
    created_at=("createddate", "activitydate"),
    text=("description",),
    account_id=("accountid", "account_id"),
    account_name=("account.name", "account_name"),
    opportunity_id=("whatid", "opportunity_id"),
    author=("ownerid", "author"),
)
SALESFORCE_CONTENTNOTE = NoteLayout(
    "salesforce_contentnote",
    id=("id",),
    created_at=("createddate",),
    text=("content",),
    account_id=("accountid", "account_id"),
    opportunity_id=("opportunity_id", "linkedentityid"),
    author=("ownerid", "createdbyid", "author"),
    title=("title",),
)

_TEXT_COLUMNS = "text, Description (Salesforce Task), Content (Salesforce ContentNote), " \
    "hs_note_body or Note body (HubSpot)"


def detect_layout(columns: tuple[str, ...]) -> NoteLayout | None:
    """Pick the export layout from its (normalised) column names; ``None`` if unknown."""
    cols = set(columns)
    if "text" in cols:
        return CANONICAL
    if cols & {"hs_note_body", "note body"}:
        return HUBSPOT
    if "description" in cols and cols & {"createddate", "activitydate"}:
        return SALESFORCE_TASK
    if "content" in cols and cols & {"title", "createddate"}:
        return SALESFORCE_CONTENTNOTE
    return None


_B64_RE = re.compile(r"^[A-Za-z0-9+/\s]+={0,2}\s*$")


def _maybe_base64(value: str) -> str:
    """Decode Salesforce's base64 ContentNote body; plain text passes through."""
    compact = re.sub(r"\s+", "", value)
    if len(compact) < 8 or len(compact) % 4 or not _B64_RE.match(value):
        return value
    try:
        decoded = base64.b64decode(compact, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return value
    if sum(ch.isprintable() or ch.isspace() for ch in decoded) < 0.95 * max(1, len(decoded)):
        return value
    return decoded


def _clean_text(value: Any, layout: NoteLayout) -> str:
    text = "" if value is None else str(value)
    if layout is SALESFORCE_CONTENTNOTE:
        text = _maybe_base64(text)
    if looks_like_html(text):
        text = html_to_text(text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def _str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ";".join(_str(item) for item in value)
    return str(value).strip()


def _first_id(value: Any) -> str:
    """HubSpot lists associated ids as ``"123;456"``: keep the first."""
    return re.split(r"[;,]", _str(value))[0].strip()


def _require_column(table: Table, keys: tuple[str, ...], what: str) -> None:
    if not set(keys) & set(table.columns):
        raise Reject(
            f"no {what} column: expected one of {', '.join(keys)}; found "
            f"{', '.join(table.spelled.get(c, c) for c in table.columns) or 'no columns'}",
            line=1,
            field=keys[0],
            fix=f"add a '{keys[0]}' column",
        )


def stream_notes(table: Table, *, path: str, container: str) -> tuple[str, Iterator[Document]]:
    """Check an export's columns now; turn its rows into note Documents lazily.

    Rows with empty text are skipped (logged); a later row repeating an id is
    skipped (logged). Each note is one Turn spoken by its author, role unknown.

    Args:
        table: the CSV or JSON Lines rows (a tuple, or an iterator read once).
        path: the file, recorded on each Document.
        container: ``"csv"`` or ``"jsonl"``, which names the canonical kind.

    Returns:
        The kind (``notes_csv``, ``notes_jsonl``, ``salesforce_task``,
        ``salesforce_contentnote`` or ``hubspot_notes``) and the Documents,
        in file order, produced as they are iterated.

    Raises:
        Reject: now, no text column or a missing id or date column; while
            iterating, a row without an id, a date that cannot be read, or (at
            the end) no note with text.
    """
    layout = detect_layout(table.columns)
    if layout is None:
        raise Reject(
            "no note text column: expected one of "
            f"{_TEXT_COLUMNS}; found "
            f"{', '.join(table.spelled.get(c, c) for c in table.columns) or 'no columns'}",
            line=1,
            field="text",
            fix="name the notes column 'text' (with 'id' and 'created_at'), or export "
            "the notes unchanged from Salesforce or HubSpot",
        )
    kind = layout.kind or f"notes_{container}"
    _require_column(table, layout.id, "note id")
    _require_column(table, layout.created_at, "date")
    return kind, _iter_notes(table, layout, path)


def _iter_notes(table: Table, layout: NoteLayout, path: str) -> Iterator[Document]:
    seen: set[str] = set()
    for row in table.rows:
        doc = _note(row, layout, path)
        if doc is None:
            continue
        if doc.doc_id in seen:
            logger.warning("%s line %d: note id %r repeats an earlier note; skipped",
                           path, row.line, doc.doc_id)
            continue
        seen.add(doc.doc_id)
        yield doc
    if not seen:
        raise Reject("the file holds no note with text", field=layout.text[0],
                     fix="check that the export includes the note body column and its values")


def parse_notes(table: Table, *, path: str, container: str) -> tuple[str, list[Document]]:
    """:func:`stream_notes`, with every Document read into a list.

    Raises:
        Reject: as :func:`stream_notes`.
    """
    kind, documents = stream_notes(table, path=path, container=container)
    return kind, list(documents)


def _note(row: Row, layout: NoteLayout, path: str) -> Document | None:
    text = _clean_text(row.get(*layout.text), layout)
    title = _clean_text(row.get(*layout.title), layout) if layout.title else ""
    if title and not text.startswith(title):
        text = f"{title}\n\n{text}".strip()
    if not text:
        logger.info("%s line %d: note has no text; skipped", path, row.line)
        return None
    doc_id = _str(row.get(*layout.id))
    if not doc_id:
        raise Reject("a note has no id", line=row.line, field=layout.id[0],
                     fix="give every note a unique id")
    raw_date = row.get(*layout.created_at)
    created_at = parse_datetime(raw_date)
    if created_at is None:
        raise Reject(
            f"{_str(raw_date)[:60]!r} is not a date",
            line=row.line,
            field=layout.created_at[0],
            fix=DATE_FIX + " (a stray line break in an unquoted field also causes this: "
            "quote multi-line fields)",
        )
    author = _str(row.get(*layout.author))
    return Document(
        doc_id=doc_id,
        source=Source.NOTE,
        created_at=created_at,
        turns=(Turn(speaker=author, role=Role.UNKNOWN, text=text),),
        path=path,
        account_id=_first_id(row.get(*layout.account_id)),
        account_name=_str(row.get(*layout.account_name)),
        segment=_str(row.get(*layout.segment)),
        opportunity_id=_first_id(row.get(*layout.opportunity_id)),
        stage=_str(row.get(*layout.stage)),
        outcome=parse_outcome(row.get(*layout.outcome)),
        amount=parse_amount(row.get(*layout.amount)),
        author=author,
        dated_by="export",
    )
