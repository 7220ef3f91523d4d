"""Turn a file's bytes into text: BOMs, UTF-16 without BOM, cp1252 fallback.

Also tells text from binary content, so that readers never parse a PDF or an
image as if it were a transcript.
"""

from __future__ import annotations

import codecs
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from pipelines.readers.base import Reject

__all__ = ["DecodedText", "decode_bytes", "iter_lines", "sniff_encoding"]

logger = logging.getLogger(__name__)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # must come before UTF-16 LE: same prefix
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Signatures of common binary formats users drop into an export folder.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"PK\x03\x04", "a ZIP archive (e.g. .docx, .xlsx)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"SQLite format 3", "a SQLite database"),
)

_ALLOWED_CONTROLS = frozenset("\t\n\r\f\v")
_MAX_CONTROL_SHARE = 0.01


@dataclass(frozen=True)
class DecodedText:
    """A file's text and the encoding it was read with."""

    text: str
    encoding: str


def _utf16_without_bom(data: bytes) -> str | None:
    """Guess BOM-less UTF-16 from the NUL pattern of mostly-ASCII text."""
    sample = data[:4096]
    if len(sample) < 4 or len(sample) % 2:
        return None
    even_nul = sample[0::2].count(0) / (len(sample) // 2)
    odd_nul = sample[1::2].count(0) / (len(sample) // 2)
    if odd_nul > 0.6 and even_nul < 0.05:
        return "utf-16-le"
    if even_nul > 0.6 and odd_nul < 0.05:
        return "utf-16-be"
    return None


def _check_text(text: str) -> None:
    """Reject decoded text that is mostly control characters (binary)."""
    sample = text[:65536]
    if not sample:
        return
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in _ALLOWED_CONTROLS)
    if "\x00" in sample or controls / len(sample) > _MAX_CONTROL_SHARE:
        raise Reject(
            "the file holds binary data, not text",
            fix="export the transcript or notes as text (VTT, SRT, JSON, TXT or CSV)",
        )


def decode_bytes(data: bytes) -> DecodedText:
    """Decode a file's bytes to text.

    Tries, in order: a byte-order mark (UTF-8, UTF-16 LE/BE, UTF-32), UTF-16
    without a BOM, strict UTF-8, then cp1252 (Windows Western European).

    Args:
        data: the file's bytes.

    Returns:
        The text, without any BOM, and the encoding used.

    Raises:
        Reject: the bytes are binary (a known binary signature, NUL bytes or
            many control characters) or cannot be decoded.
    """
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise Reject(
                f"the file is {what}, not a text export",
                fix="export the transcript or notes as VTT, SRT, JSON, TXT or CSV",
            )
    encoding: str | None = None
    body = data
    for bom, name in _BOMS:
        if data.startswith(bom):
            encoding, body = name, data[len(bom) :]
            break
    if encoding is None:
        encoding = _utf16_without_bom(data)
    if encoding is not None:
        try:
            text = body.decode(encoding)
        except UnicodeDecodeError as exc:
            raise Reject(
                f"the file starts like {encoding} text but byte {exc.start} cannot be decoded "
                "(truncated or corrupt)",
                fix="re-export the file, or save it as UTF-8",
            ) from exc
        _check_text(text)
        return DecodedText(text, encoding)
    try:
        text = data.decode("utf-8")
        encoding = "utf-8"
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
        encoding = "cp1252"
    _check_text(text)
    return DecodedText(text, encoding)


_SNIFF_BYTES = 1 << 16
_CHUNK_BYTES = 1 << 20
# codecs that consume their own byte-order mark when a stream is opened with them
_STREAM_CODEC = {"utf-8": "utf-8-sig", "utf-16-le": "utf-16", "utf-16-be": "utf-16",
                 "utf-32-le": "utf-32", "utf-32-be": "utf-32"}


def _is_utf8(path: Path) -> bool:
    """Whether the whole file decodes as UTF-8, checked chunk by chunk."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        try:
            for chunk in iter(lambda: handle.read(_CHUNK_BYTES), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return True


def sniff_encoding(path: Path) -> str:
    """The codec to stream a file with, found without holding the file in memory.

    Same order as :func:`decode_bytes`: a binary signature is refused, then a
    byte-order mark, BOM-less UTF-16, UTF-8 (validated over the whole file in
    chunks), and cp1252 as the fallback. The codec returned consumes a BOM.

    Raises:
        Reject: the file is binary or empty.
        OSError: the file cannot be read.
    """
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if not head.strip():
        raise Reject("the file is empty", fix="export the transcript or notes again")
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise Reject(
                f"the file is {what}, not a text export",
                fix="export the transcript or notes as VTT, SRT, JSON, TXT or CSV",
            )
    encoding = next((name for bom, name in _BOMS if head.startswith(bom)), None)
    if encoding is not None:
        codec = _STREAM_CODEC[encoding]
    else:
        codec = _utf16_without_bom(head) or ("utf-8" if _is_utf8(path) else "cp1252")
    sample = codecs.getincrementaldecoder(codec)(errors="replace").decode(head)
    _check_text(sample)
    return codec


def iter_lines(handle: TextIO, max_line_bytes: int) -> Iterator[str]:
    """The lines of an open text file, each with its line ending, one at a time.

    A line is never read past the limit, so one huge line cannot fill memory.

    Raises:
        Reject: a line is longer than ``max_line_bytes`` (counted in UTF-8),
            or the bytes stop decoding part-way (a truncated or corrupt file).
    """
    number = 0
    while True:
        try:
            line = handle.readline(max_line_bytes + 1)
        except UnicodeDecodeError as exc:
            raise Reject(
                f"byte {exc.start} of a chunk near line {number + 1} cannot be decoded "
                f"as {handle.encoding} (truncated or corrupt)",
                line=number + 1, fix="re-export the file, or save it as UTF-8",
            ) from exc
        if not line:
            return
        number += 1
        content = line.rstrip("\r\n")
        if len(content) > max_line_bytes or (
            len(content) > max_line_bytes // 4 and len(content.encode("utf-8")) > max_line_bytes
        ):
            raise Reject(
                f"line is longer than {max_line_bytes:,} bytes, which no transcript or note export has",
                line=number,
                fix="check that this is a text export and not a binary or minified file, "
                "or raise max_line_bytes",
            )
        yield line
