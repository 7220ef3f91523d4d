"""Plan the input files, then read them one at a time, quarantining what cannot be read.

Two steps, so that a caller with a ledger never parses what it already holds:

1. :func:`plan_sources` walks the given files and folders and hashes every
   file (sha256, streamed) without parsing anything. Each
   :class:`SourceFile` carries its content hash and the hash of the
   ``calls.csv``/``team.csv`` in force for it (a transcript must be read
   again when those change, even if its own bytes did not).
2. :func:`stream_file` reads one planned file: notes CSV and JSON Lines row by
   row, with Documents produced lazily; every failure, up front or part-way,
   is a :class:`ReadFailure` carrying the quarantine record.
   :func:`read_file` is the same with the Documents collected.

:func:`read_sources` does both for every file, for callers without a ledger.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePath

from nlp.errors import InputError
from nlp.records import Document, Quarantined
from pipelines.readers.base import RawCall, Reject
from pipelines.readers.calls import build_call
from pipelines.readers.detect import LINE_FORMATS, Format, check_extension, detect_format
from pipelines.readers.encoding import decode_bytes, iter_lines, sniff_encoding
from pipelines.readers.gong import load_json, parse_gong
from pipelines.readers.notes import stream_notes
from pipelines.readers.sidecars import (
    CALLS_FILE,
    Sidecars,
    is_sidecar_name,
    parse_calls,
    parse_team,
)
from pipelines.readers.srt import parse_srt
from pipelines.readers.tables import read_csv_table, read_json_records, stream_csv_table, stream_json_records
from pipelines.readers.text import parse_text_transcript
from pipelines.readers.vtt import parse_vtt

__all__ = [
    "FileResult",
    "allow_long_fields",
    "ReadFailure",
    "ReadLimits",
    "SidecarCache",
    "SourceFile",
    "StreamedFile",
    "plan_sources",
    "read_file",
    "read_sources",
    "stream_file",
]

logger = logging.getLogger(__name__)

SIDECAR_KIND = "sidecar"
# The kind a quarantined file reports once its format is known (notes need their columns).
_PROVISIONAL_KINDS = {
    Format.SRT: "srt",
    Format.GONG: "gong_json",
    Format.TEXT: "text_transcript",
}
_HASH_CHUNK = 1 << 20
_HEAD_BYTES = 1 << 16
# Row-shaped notes: streamed row by row. Sidecars never apply to them.
_ROW_SUFFIXES = {".csv": Format.CSV, ".tsv": Format.CSV, ".jsonl": Format.JSONL, ".ndjson": Format.JSONL}


@dataclass(frozen=True)
class ReadLimits:
    """Size limits: a larger file, or a line-based file with a longer line, is quarantined."""

    max_file_bytes: int = 50_000_000
    max_line_bytes: int = 1_000_000


@dataclass(frozen=True)
class SourceFile:
    """One input file as planned: where it is and what it holds, before any parsing.

    ``content_hash`` is the sha256 of its bytes (``""`` when it cannot be
    read); ``sidecar_hash`` identifies the ``calls.csv``/``team.csv`` that
    apply to it (``""`` when none do, and always for notes and sidecars);
    ``sidecars`` are those files, outermost folder first.
    """

    path: str
    content_hash: str
    size: int
    sidecar_hash: str = ""
    sidecars: tuple[str, ...] = ()
    is_sidecar: bool = False


@dataclass(frozen=True)
class FileResult:
    """What one input file gave: its Documents, or why it was quarantined.

    ``kind`` is one of ``teams_vtt``, ``zoom_vtt``, ``srt``, ``gong_json``,
    ``text_transcript``, ``notes_csv``, ``notes_jsonl``, ``salesforce_task``,
    ``salesforce_contentnote``, ``hubspot_notes``, ``sidecar``, or ``""`` when
    the file was quarantined before its format was known.
    """

    path: str
    content_hash: str  # sha256 hex of the file's bytes
    kind: str
    documents: tuple[Document, ...]
    quarantined: Quarantined | None


@dataclass(frozen=True)
class StreamedFile:
    """A file being read: its kind, and its Documents as they are parsed.

    Iterating ``documents`` raises :class:`ReadFailure` if the file turns out
    to be broken part-way (a bad row deep in a CSV); a caller that stores as
    it goes must then drop what it took from this file.
    """

    kind: str
    documents: Iterator[Document]


class ReadFailure(Exception):
    """A file cannot be read; ``quarantined`` says why, ``kind`` what it looked like."""

    def __init__(self, quarantined: Quarantined, kind: str = "") -> None:
        super().__init__(quarantined.reason)
        self.quarantined = quarantined
        self.kind = kind


# -- planning -------------------------------------------------------------------


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_HASH_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _safe_hash(path: Path) -> str:
    try:
        return _hash_file(path)
    except OSError:
        return ""


def _safe_size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _is_hidden(path: Path) -> bool:
    return path.name.startswith(".")


def _sidecars_apply(name: str) -> bool:
    """Sidecars date and cast calls: they matter to transcripts, not to notes tables."""
    return PurePath(name).suffix.lower() not in _ROW_SUFFIXES


class _Planner:
    """Hashes each file once, with the sidecars in scope of its folder and above."""

    def __init__(self) -> None:
        self.files: list[SourceFile] = []
        self.seen: set[Path] = set()
        self.hashes: dict[str, str] = {}
        self.local: dict[Path, tuple[str, ...]] = {}

    def _mark(self, path: Path) -> bool:
        key = path.resolve()
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def _hash(self, path: Path) -> str:
        display = str(path)
        if display not in self.hashes:
            self.hashes[display] = _safe_hash(path)
        return self.hashes[display]

    def _local_sidecars(self, folder: Path) -> tuple[str, ...]:
        key = folder.resolve()
        if key not in self.local:
            try:
                entries = sorted(folder.iterdir(), key=lambda p: p.name)
            except OSError:
                entries = []
            self.local[key] = tuple(
                str(e) for e in entries if is_sidecar_name(e.name) and e.is_file() and not _is_hidden(e)
            )
        return self.local[key]

    def _add(self, path: Path, scope: tuple[str, ...]) -> None:
        if not self._mark(path):
            return
        sidecar = is_sidecar_name(path.name)
        applied = scope if not sidecar and _sidecars_apply(path.name) else ()
        sidecar_hash = ""
        if applied:
            lines = "\n".join(f"{p}\0{self._hash(Path(p))}" for p in applied)
            sidecar_hash = hashlib.sha256(lines.encode("utf-8")).hexdigest()
        self.files.append(SourceFile(
            path=str(path), content_hash=self._hash(path), size=_safe_size(path),
            sidecar_hash=sidecar_hash, sidecars=applied, is_sidecar=sidecar,
        ))

    def walk(self, folder: Path, inherited: tuple[str, ...]) -> None:
        local = self._local_sidecars(folder)
        for sidecar in local:
            self._add(Path(sidecar), ())
        scope = inherited + local
        try:
            entries = sorted(folder.iterdir(), key=lambda p: p.name)
        except OSError as exc:
            logger.warning("cannot list folder %s: %s", folder, exc)
            return
        subfolders = []
        for entry in entries:
            if _is_hidden(entry) or is_sidecar_name(entry.name):
                continue
            if entry.is_dir():
                if not entry.is_symlink():
                    subfolders.append(entry)
            elif entry.is_file():
                self._add(entry, scope)
        for sub in subfolders:
            self.walk(sub, scope)

    def add_one(self, path: Path) -> None:
        if is_sidecar_name(path.name):
            self._add(path, ())
        else:
            self._add(path, self._local_sidecars(path.parent))


def plan_sources(paths: Sequence[str | Path]) -> list[SourceFile]:
    """Find and hash every input file under the given files and folders; parse nothing.

    Folders are walked recursively in sorted order; hidden files and folders
    are skipped. ``calls.csv`` and ``team.csv`` in a folder apply to the
    transcripts in that folder and below; a file given on its own uses the
    sidecars beside it. Each file is planned once, even when reached twice.

    Args:
        paths: files or folders.

    Returns:
        One SourceFile per file, in walk order (sidecars first in each folder).

    Raises:
        InputError: a given path does not exist.
    """
    resolved = [Path(p) for p in paths]
    for path in resolved:
        if not path.exists():
            raise InputError(str(path), "no such file or folder", fix="check the --source path")
    planner = _Planner()
    for path in resolved:
        if path.is_dir():
            planner.walk(path, ())
        else:
            planner.add_one(path)
    return planner.files


# -- reading ---------------------------------------------------------------------


def _quarantined(source: SourceFile, reject: Reject) -> Quarantined:
    from nlp.pii import redact_text

    # a reason may quote the bad value; it goes to logs, the ledger and the report, so it is redacted
    reason = redact_text(reject.message)
    logger.info("quarantined %s: %s", source.path, reason)
    return Quarantined(path=source.path, reason=reason, line=reject.line,
                       field=reject.field, content_hash=source.content_hash)


def _as_reject(exc: BaseException) -> Reject:
    """Any failure while reading a file, as a reason for the user."""
    if isinstance(exc, Reject):
        return exc
    if isinstance(exc, RecursionError):
        return Reject("the data is nested too deeply to be an export", fix="re-export the file")
    if isinstance(exc, UnicodeDecodeError):
        return Reject(f"byte {exc.start} cannot be decoded as {exc.encoding} (truncated or corrupt)",
                      fix="re-export the file, or save it as UTF-8")
    if isinstance(exc, OSError):
        return Reject(f"the file cannot be read ({exc.strerror or exc})",
                      fix="check the file's permissions, or copy it somewhere readable")
    # one bad file must never stop a run; this is a bug
    logger.error("internal error reading a file", exc_info=exc)
    return Reject(f"internal error reading this file ({type(exc).__name__}: {exc}); "
                  "this is a bug in groundswell",
                  fix="report it with the file attached if you can share it")


def _check_size(path: Path, limits: ReadLimits) -> None:
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise Reject(f"the file is {size:,} bytes, over the {limits.max_file_bytes:,}-byte limit",
                     fix="split the export into smaller files, or raise max_file_bytes")


def _check_lines(text: str, limit: int) -> None:
    if len(text) <= limit // 4:  # no line can be over the limit: skip the scan
        return
    for number, line in enumerate(text.splitlines(), start=1):
        if len(line) > limit // 4 and len(line.encode("utf-8")) > limit:
            raise Reject(
                f"line is longer than {limit:,} bytes, which no transcript or note export has",
                line=number,
                fix="check that this is a text export and not a binary or minified file, "
                "or raise max_line_bytes",
            )


def _load_text(path: Path, limits: ReadLimits) -> str:
    """Read and decode a whole (size-checked) file."""
    _check_size(path, limits)
    data = path.read_bytes()
    if not data.strip():
        raise Reject("the file is empty", fix="export the transcript or notes again")
    decoded = decode_bytes(data)
    if decoded.encoding == "cp1252":
        logger.warning("%s is not UTF-8; read it as cp1252 (Windows Western European)", path)
    if not decoded.text.strip():
        raise Reject("the file holds only whitespace", fix="export the transcript or notes again")
    return decoded.text


def _streamable(fmt: Format, head: str) -> bool:
    """Whether a row-shaped file can be read row by row, judged from its first 64 KiB."""
    stripped = head.lstrip("\ufeff \t\r\n")
    if stripped.startswith("WEBVTT"):
        return False  # a transcript saved under a notes extension
    if fmt is Format.CSV:
        return True
    first, newline, _ = stripped.partition("\n")
    if not newline and len(head.encode("utf-8")) >= _HEAD_BYTES:
        return False  # one line longer than the head: let the whole-file path judge it
    try:
        record = json.loads(first)
    except json.JSONDecodeError:
        return False  # pretty-printed JSON, or an array: read whole
    return isinstance(record, dict) and "callTranscripts" not in record


def _stream_rows(path: Path, fmt: Format, limits: ReadLimits) -> StreamedFile | None:
    """Open a notes CSV or JSON Lines file row by row; ``None`` if it must be read whole."""
    _check_size(path, limits)
    codec = sniff_encoding(path)
    with path.open("rb") as raw:
        head = raw.read(_HEAD_BYTES).decode(codec, errors="ignore")
    if not head.strip():
        raise Reject("the file holds only whitespace", fix="export the transcript or notes again")
    if not _streamable(fmt, head):
        return None
    if codec == "cp1252":
        logger.warning("%s is not UTF-8; read it as cp1252 (Windows Western European)", path)
    handle = path.open(encoding=codec, newline="", errors="replace" if codec == "cp1252" else "strict")
    try:
        lines = iter_lines(handle, limits.max_line_bytes)
        if fmt is Format.CSV:
            kind, docs = stream_notes(stream_csv_table(lines), path=str(path), container="csv")
        else:
            kind, docs = stream_notes(stream_json_records(lines), path=str(path), container="jsonl")
    except BaseException:
        handle.close()
        raise
    return StreamedFile(kind, _closing(handle, docs))


def _closing(handle: object, docs: Iterator[Document]) -> Iterator[Document]:
    with handle:  # type: ignore[attr-defined]
        yield from docs


def _parse_whole(
    fmt: Format, text: str, path: Path, sidecars: Sidecars
) -> tuple[str, tuple[Document, ...]]:
    """Parse decoded text in a known format into ``(kind, documents)``."""
    display = str(path)
    raw_calls: list[RawCall]
    if fmt is Format.CSV:
        kind, notes = stream_notes(read_csv_table(text), path=display, container="csv")
        return kind, tuple(notes)
    if fmt is Format.JSONL:
        kind, notes = stream_notes(read_json_records(text), path=display, container="jsonl")
        return kind, tuple(notes)
    if fmt is Format.VTT:
        cues, teams = parse_vtt(text)
        kind = "teams_vtt" if teams else "zoom_vtt"
        raw_calls = [RawCall(path.stem, tuple(cues))]
    elif fmt is Format.SRT:
        kind, raw_calls = "srt", [RawCall(path.stem, tuple(parse_srt(text)))]
    elif fmt is Format.TEXT:
        kind = "text_transcript"
        raw_calls = [RawCall(path.stem, tuple(parse_text_transcript(text)))]
    else:
        kind, raw_calls = "gong_json", parse_gong(load_json(text), path.stem)
    mtime = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC).replace(tzinfo=None)
    documents = tuple(
        build_call(raw, path=display, sidecars=sidecars, mtime=mtime) for raw in raw_calls
    )
    return kind, documents


class SidecarCache:
    """Parses each ``calls.csv``/``team.csv`` once, on first use.

    A broken sidecar is quarantined (see :meth:`result`) and contributes
    nothing: its transcripts are read without it.
    """

    def __init__(self, limits: ReadLimits = ReadLimits()) -> None:
        self.limits = limits
        self._parsed: dict[str, tuple[FileResult, Sidecars]] = {}

    def _load(self, path: str, content_hash: str = "") -> tuple[FileResult, Sidecars]:
        if path not in self._parsed:
            self._parsed[path] = self._parse(Path(path), content_hash)
        return self._parsed[path]

    def _parse(self, path: Path, content_hash: str) -> tuple[FileResult, Sidecars]:
        source = SourceFile(str(path), content_hash or _safe_hash(path), _safe_size(path), is_sidecar=True)
        try:
            table = read_csv_table(_load_text(path, self.limits))
            if path.name.lower() == CALLS_FILE:
                local = Sidecars(calls=parse_calls(table))
            else:
                local = Sidecars(team=parse_team(table), has_team=True)
        except Exception as exc:  # noqa: BLE001 -- every failure becomes a quarantine reason
            q = _quarantined(source, _as_reject(exc))
            return FileResult(source.path, source.content_hash, SIDECAR_KIND, (), q), Sidecars()
        return FileResult(source.path, source.content_hash, SIDECAR_KIND, (), None), local

    def result(self, source: SourceFile) -> FileResult:
        """The sidecar file's own result: no documents, or why it is quarantined."""
        return self._load(source.path, source.content_hash)[0]

    def scoped(self, paths: Sequence[str]) -> Sidecars:
        """The sidecars in force, from the outermost folder's to the nearest's."""
        merged = Sidecars()
        for path in paths:
            merged = merged.merged(self._load(path)[1])
        return merged


def _guarded(source: SourceFile, kind: str, docs: Iterator[Document]) -> Iterator[Document]:
    try:
        yield from docs
    except Exception as exc:  # noqa: BLE001 -- every failure becomes a quarantine reason
        raise ReadFailure(_quarantined(source, _as_reject(exc)), kind) from exc


def stream_file(
    source: SourceFile,
    *,
    limits: ReadLimits = ReadLimits(),
    sidecars: SidecarCache | None = None,
) -> StreamedFile:
    """Start reading one planned file.

    Notes CSV and JSON Lines files are read row by row (their Documents come
    as the rows are read); other files are read whole, within the size limit.

    Args:
        source: a file from :func:`plan_sources`.
        limits: the size limits.
        sidecars: parsed sidecars to reuse across files (a fresh cache if None).

    Returns:
        The file's kind and its Documents, produced lazily.

    Raises:
        ReadFailure: the file cannot be read (also raised while iterating the
            Documents); it carries the quarantine record. No other exception
            leaves this function or its iterator.
    """
    allow_long_fields(limits.max_file_bytes)
    cache = sidecars or SidecarCache(limits)
    path = Path(source.path)
    if source.is_sidecar:
        result = cache.result(source)
        if result.quarantined is not None:
            raise ReadFailure(result.quarantined, SIDECAR_KIND)
        return StreamedFile(SIDECAR_KIND, iter(()))
    kind = ""
    try:
        check_extension(path.name)
        row_format = _ROW_SUFFIXES.get(path.suffix.lower())
        if row_format is not None:
            streamed = _stream_rows(path, row_format, limits)
            if streamed is not None:
                return StreamedFile(streamed.kind, _guarded(source, streamed.kind, streamed.documents))
        text = _load_text(path, limits)
        fmt = detect_format(path.name, text)
        kind = _PROVISIONAL_KINDS.get(fmt, "")
        if fmt in LINE_FORMATS:
            _check_lines(text, limits.max_line_bytes)
        kind, documents = _parse_whole(fmt, text, path, cache.scoped(source.sidecars))
    except Exception as exc:  # noqa: BLE001 -- every failure becomes a quarantine reason
        raise ReadFailure(_quarantined(source, _as_reject(exc)), kind) from exc
    logger.debug("read %s as %s: %d document(s)", source.path, kind, len(documents))
    return StreamedFile(kind, iter(documents))


def read_file(
    source: SourceFile,
    *,
    limits: ReadLimits = ReadLimits(),
    sidecars: SidecarCache | None = None,
) -> FileResult:
    """Read one planned file whole: its Documents, or its quarantine record. Never raises."""
    try:
        streamed = stream_file(source, limits=limits, sidecars=sidecars)
        documents = tuple(streamed.documents)
    except ReadFailure as failure:
        return FileResult(source.path, source.content_hash, failure.kind, (), failure.quarantined)
    return FileResult(source.path, source.content_hash, streamed.kind, documents, None)


def read_sources(
    paths: Sequence[str | Path],
    *,
    max_file_bytes: int = 50_000_000,
    max_line_bytes: int = 1_000_000,
) -> list[FileResult]:
    """Plan and read every input file under the given files and folders.

    See :func:`plan_sources` for the walk and the sidecars' scope. One bad
    file never stops the others: it comes back with ``quarantined`` set,
    saying what was expected and the fix.

    Args:
        paths: files or folders.
        max_file_bytes: files larger than this are quarantined unread.
        max_line_bytes: line-based files with a longer line are quarantined.

    Returns:
        One FileResult per file, in walk order (sidecars first in each folder).

    Raises:
        InputError: a given path does not exist.
    """
    limits = ReadLimits(max_file_bytes, max_line_bytes)
    allow_long_fields(max_file_bytes)
    cache = SidecarCache(limits)
    return [read_file(source, limits=limits, sidecars=cache) for source in plan_sources(paths)]


def allow_long_fields(max_file_bytes: int) -> None:
    """Let the CSV reader take a quoted field as long as a whole file may be."""
    if csv.field_size_limit() < max_file_bytes:
        csv.field_size_limit(max_file_bytes)
