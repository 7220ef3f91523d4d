"""Walk source paths and read every file, quarantining the ones that cannot be read."""

from __future__ import annotations

import csv
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from nlp.errors import InputError
from nlp.records import Document, Quarantined
from pipelines.readers.base import RawCall, Reject
from pipelines.readers.calls import build_call
from pipelines.readers.detect import LINE_FORMATS, Format, check_extension, detect_format
from pipelines.readers.encoding import decode_bytes
from pipelines.readers.gong import load_json, parse_gong
from pipelines.readers.notes import parse_notes
from pipelines.readers.sidecars import (
    CALLS_FILE,
    Sidecars,
    is_sidecar_name,
    parse_calls,
    parse_team,
)
from pipelines.readers.srt import parse_srt
from pipelines.readers.tables import read_csv_table, read_json_records
from pipelines.readers.text import parse_text_transcript
from pipelines.readers.vtt import parse_vtt

__all__ = ["FileResult", "read_sources"]

logger = logging.getLogger(__name__)

SIDECAR_KIND = "sidecar"
# The kind a quarantined file reports once its format is known (notes need their columns).
_PROVISIONAL_KINDS = {
    Format.SRT: "srt",
    Format.GONG: "gong_json",
    Format.TEXT: "text_transcript",
}
_HASH_CHUNK = 1 << 20


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
class _Limits:
    max_file_bytes: int
    max_line_bytes: int


def _hash_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_HASH_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _quarantine(path: str, digest: str, kind: str, reject: Reject) -> FileResult:
    logger.info("quarantined %s: %s", path, reject.message)
    record = Quarantined(
        path=path, reason=reject.message, line=reject.line, field=reject.field, content_hash=digest
    )
    return FileResult(path, digest, kind, (), record)


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


def _load_text(path: Path, display: str, limits: _Limits) -> tuple[str, str]:
    """Read and decode a file; returns ``(text, sha256)``; raises ``_Failed``."""
    size = path.stat().st_size
    if size > limits.max_file_bytes:
        raise _Failed(
            _hash_file(path),
            Reject(
                f"the file is {size:,} bytes, over the {limits.max_file_bytes:,}-byte limit",
                fix="split the export into smaller files, or raise max_file_bytes",
            ),
        )
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise _Failed(digest, Reject("the file is empty",
                                     fix="export the transcript or notes again"))
    try:
        decoded = decode_bytes(data)
    except Reject as reject:
        raise _Failed(digest, reject) from reject
    if decoded.encoding == "cp1252":
        logger.warning("%s is not UTF-8; read it as cp1252 (Windows Western European)", display)
    if not decoded.text.strip():
        raise _Failed(digest, Reject("the file holds only whitespace",
                                     fix="export the transcript or notes again"))
    return decoded.text, digest


class _Failed(Exception):
    """A rejection that already knows the file's hash."""

    def __init__(self, digest: str, reject: Reject) -> None:
        super().__init__(reject.message)
        self.digest = digest
        self.reject = reject


def _parse(
    fmt: Format, text: str, path: Path, display: str, sidecars: Sidecars
) -> tuple[str, tuple[Document, ...]]:
    """Parse decoded text in a known format into ``(kind, documents)``."""
    raw_calls: list[RawCall]
    if fmt is Format.CSV:
        kind, notes = parse_notes(read_csv_table(text), path=display, container="csv")
        return kind, tuple(notes)
    if fmt is Format.JSONL:
        kind, notes = parse_notes(read_json_records(text), path=display, container="jsonl")
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


def _read_file(path: Path, sidecars: Sidecars, limits: _Limits) -> FileResult:
    display = str(path)
    digest, kind = "", ""
    try:
        check_extension(path.name)
        text, digest = _load_text(path, display, limits)
        fmt = detect_format(path.name, text)
        kind = _PROVISIONAL_KINDS.get(fmt, "")
        if fmt in LINE_FORMATS:
            _check_lines(text, limits.max_line_bytes)
        kind, documents = _parse(fmt, text, path, display, sidecars)
    except _Failed as failed:
        return _quarantine(display, failed.digest, kind, failed.reject)
    except Reject as reject:
        if not digest:
            digest = _safe_hash(path)
        return _quarantine(display, digest, kind, reject)
    except RecursionError:
        return _quarantine(display, digest, kind, Reject(
            "the data is nested too deeply to be an export", fix="re-export the file"))
    except OSError as exc:
        return _quarantine(display, digest or _safe_hash(path), kind, Reject(
            f"the file cannot be read ({exc.strerror or exc})",
            fix="check the file's permissions, or copy it somewhere readable"))
    except Exception as exc:  # one bad file must never stop a run; this is a bug
        logger.exception("internal error reading %s", display)
        return _quarantine(display, digest or _safe_hash(path), kind, Reject(
            f"internal error reading this file ({type(exc).__name__}: {exc}); "
            "this is a bug in groundswell",
            fix="report it with the file attached if you can share it"))
    logger.debug("read %s as %s: %d document(s)", display, kind, len(documents))
    return FileResult(display, digest, kind, documents, None)


def _safe_hash(path: Path) -> str:
    try:
        return _hash_file(path)
    except OSError:
        return ""


def _read_sidecar(path: Path, limits: _Limits) -> tuple[FileResult, Sidecars]:
    """Read ``calls.csv`` or ``team.csv``; a broken one is quarantined and ignored."""
    display = str(path)
    try:
        text, digest = _load_text(path, display, limits)
        table = read_csv_table(text)
        if path.name.lower() == CALLS_FILE:
            local = Sidecars(calls=parse_calls(table))
        else:
            local = Sidecars(team=parse_team(table), has_team=True)
    except _Failed as failed:
        return _quarantine(display, failed.digest, SIDECAR_KIND, failed.reject), Sidecars()
    except Reject as reject:
        return _quarantine(display, _safe_hash(path), SIDECAR_KIND, reject), Sidecars()
    except OSError as exc:
        return _quarantine(display, _safe_hash(path), SIDECAR_KIND, Reject(
            f"the file cannot be read ({exc.strerror or exc})",
            fix="check the file's permissions")), Sidecars()
    return FileResult(display, digest, SIDECAR_KIND, (), None), local


def _is_hidden(path: Path) -> bool:
    return path.name.startswith(".")


class _Walker:
    """Reads files once each, with sidecars scoped to their folder and below."""

    def __init__(self, limits: _Limits) -> None:
        self.limits = limits
        self.results: list[FileResult] = []
        self.seen: set[Path] = set()
        self.dir_sidecars: dict[Path, tuple[list[FileResult], Sidecars]] = {}

    def _mark(self, path: Path) -> bool:
        key = path.resolve()
        if key in self.seen:
            return False
        self.seen.add(key)
        return True

    def _sidecars_of(self, folder: Path) -> tuple[list[FileResult], Sidecars]:
        key = folder.resolve()
        if key not in self.dir_sidecars:
            results: list[FileResult] = []
            local = Sidecars()
            try:
                entries = sorted(folder.iterdir(), key=lambda p: p.name)
            except OSError:
                entries = []
            for entry in entries:
                if is_sidecar_name(entry.name) and entry.is_file() and not _is_hidden(entry):
                    result, found = _read_sidecar(entry, self.limits)
                    results.append(result)
                    local = local.merged(found)
            self.dir_sidecars[key] = (results, local)
        return self.dir_sidecars[key]

    def _emit_sidecars(self, folder: Path) -> Sidecars:
        results, local = self._sidecars_of(folder)
        for result in results:
            if self._mark(Path(result.path)):
                self.results.append(result)
        return local

    def walk(self, folder: Path, inherited: Sidecars) -> None:
        scoped = inherited.merged(self._emit_sidecars(folder))
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
            elif entry.is_file() and self._mark(entry):
                self.results.append(_read_file(entry, scoped, self.limits))
        for sub in subfolders:
            self.walk(sub, scoped)

    def read_one(self, path: Path) -> None:
        if is_sidecar_name(path.name):
            results, _ = self._sidecars_of(path.parent)
            for result in results:
                if Path(result.path).name == path.name and self._mark(path):
                    self.results.append(result)
            return
        _, local = self._sidecars_of(path.parent)
        if self._mark(path):
            self.results.append(_read_file(path, local, self.limits))


def read_sources(
    paths: Sequence[str | Path],
    *,
    max_file_bytes: int = 50_000_000,
    max_line_bytes: int = 1_000_000,
) -> list[FileResult]:
    """Read every input file under the given files and folders.

    Folders are walked recursively in sorted order; hidden files and folders
    are skipped. ``calls.csv`` and ``team.csv`` in a folder apply to the
    transcripts in that folder and below (a nearer folder's rows win); a file
    given on its own uses the sidecars beside it. Each file is read once,
    even when reached twice. One bad file never stops the others: it comes
    back with ``quarantined`` set, saying what was expected and the fix.

    Args:
        paths: files or folders.
        max_file_bytes: files larger than this are quarantined unread.
        max_line_bytes: line-based files with a longer line are quarantined.

    Returns:
        One FileResult per file, in walk order (sidecars first in each folder).

    Raises:
        InputError: a given path does not exist.
    """
    resolved = [Path(p) for p in paths]
    for path in resolved:
        if not path.exists():
            raise InputError(str(path), "no such file or folder",
                             fix="check the --source path")
    limits = _Limits(max_file_bytes, max_line_bytes)
    if csv.field_size_limit() < max_file_bytes:
        csv.field_size_limit(max_file_bytes)  # a long quoted note must not fail the CSV reader
    walker = _Walker(limits)
    for path in resolved:
        if path.is_dir():
            walker.walk(path, Sidecars())
        else:
            walker.read_one(path)
    return walker.results
