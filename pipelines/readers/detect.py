"""Find a file's format from its extension and its content."""

from __future__ import annotations

import enum
import json
from pathlib import PurePath

from pipelines.readers.base import Reject
from pipelines.readers.srt import looks_like_srt

__all__ = ["Format", "LINE_FORMATS", "SUPPORTED", "check_extension", "detect_format"]


class Format(str, enum.Enum):
    """The input families the readers know."""

    VTT = "vtt"
    SRT = "srt"
    GONG = "gong"
    TEXT = "text"
    CSV = "csv"
    JSONL = "jsonl"


LINE_FORMATS = frozenset({Format.VTT, Format.SRT, Format.TEXT, Format.CSV, Format.JSONL})

_BY_EXTENSION: dict[str, Format] = {
    ".vtt": Format.VTT,
    ".webvtt": Format.VTT,
    ".srt": Format.SRT,
    ".txt": Format.TEXT,
    ".csv": Format.CSV,
    ".tsv": Format.CSV,
    ".jsonl": Format.JSONL,
    ".ndjson": Format.JSONL,
}

SUPPORTED = (
    "WebVTT (.vtt), SubRip (.srt), Gong transcript JSON (.json), plain-text "
    "transcripts (.txt), CRM notes as CSV (.csv) or JSON Lines (.jsonl)"
)


_SNIFFED = ("", ".log", ".webvtt")


def check_extension(name: str) -> None:
    """Reject a file whose extension no reader supports (before reading it).

    Raises:
        Reject: the extension is not one of the supported ones.
    """
    suffix = PurePath(name).suffix.lower()
    if suffix in _BY_EXTENSION or suffix == ".json" or suffix in _SNIFFED:
        return
    raise Reject(
        f"unsupported file type {suffix!r}",
        fix=f"export the transcript or notes in a supported format: {SUPPORTED}",
    )


def _json_family(text: str, *, strict: bool = False) -> Format | None:
    """Gong JSON, or note records (JSON Lines / an array); ``None`` if not JSON.

    Raises:
        Reject: ``strict`` and the text is neither JSON nor JSON Lines; the
            message names the line where parsing failed.
    """
    stripped = text.lstrip()
    if not stripped.startswith(("{", "[")):
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        first = stripped.splitlines()[0]
        try:
            json.loads(first)
        except json.JSONDecodeError:
            if strict:
                raise Reject(
                    f"invalid or truncated JSON ({exc.msg})",
                    line=exc.lineno,
                    fix="re-export the file; it must be one complete JSON document "
                    "or one JSON object per line",
                ) from exc
            return None
        return Format.JSONL  # several objects, one a line
    if isinstance(data, dict) and "callTranscripts" in data:
        return Format.GONG
    if isinstance(data, dict) and len([ln for ln in stripped.splitlines() if ln.strip()]) > 1:
        if strict:
            keys = ", ".join(str(key) for key in list(data)[:8]) or "none"
            raise Reject(
                f"a JSON object that is not Gong transcript JSON (its keys: {keys})",
                line=1,
                fix="give Gong transcripts their top-level 'callTranscripts', and notes as "
                "JSON Lines (one object per line) or an array of objects",
            )
        return None
    return Format.JSONL


def detect_format(name: str, text: str) -> Format:
    """Decide a file's format.

    Content that is unambiguous wins over the extension (a ``.txt`` that starts
    with ``WEBVTT`` is read as WebVTT); otherwise the extension decides.

    Args:
        name: the file name.
        text: its decoded text.

    Returns:
        The format family.

    Raises:
        Reject: the extension is not supported and the content is not
            recognisable, or a ``.json`` file is neither Gong JSON nor notes.
    """
    suffix = PurePath(name).suffix.lower()
    head = text.lstrip("\ufeff \t\r\n")
    if head.startswith("WEBVTT"):
        return Format.VTT
    if suffix in (".srt", ".txt", "") and looks_like_srt(head):
        return Format.SRT
    if suffix == ".json":
        family = _json_family(text, strict=True)
        if family is None:
            raise Reject(
                "a .json file must hold Gong transcript JSON ('callTranscripts') "
                "or CRM notes (JSON Lines or an array of objects)",
                line=1,
                fix="export the file again, or give it the extension of its real format",
            )
        return family
    if suffix in _BY_EXTENSION:
        fmt = _BY_EXTENSION[suffix]
        if fmt is Format.JSONL and _json_family(text) is Format.GONG:
            return Format.GONG
        return fmt
    if suffix in _SNIFFED and _json_family(text) is Format.GONG:
        return Format.GONG
    raise Reject(
        f"unsupported file type {suffix or '(no extension)'!r}",
        fix=f"export the transcript or notes in a supported format: {SUPPORTED}",
    )
