"""Read a strategy file (YAML or Markdown) from disk."""

from __future__ import annotations

import re
from pathlib import Path

from nlp.errors import StrategyError
from nlp.records import Strategy
from nlp.strategy import parse_strategy
from pipelines.readers.base import Reject
from pipelines.readers.encoding import decode_bytes

__all__ = ["read_strategy"]

_FORMATS = {".yaml": "yaml", ".yml": "yaml", ".md": "markdown", ".markdown": "markdown"}


def _sniff_format(text: str) -> str:
    """YAML when a top-level ``statements:`` key appears, else Markdown."""
    return "yaml" if re.search(r"^statements\s*:", text, re.MULTILINE) else "markdown"


def read_strategy(path: str | Path) -> Strategy:
    """Read and parse a strategy file.

    The format comes from the extension (``.yaml``/``.yml``, ``.md``/``.markdown``);
    other extensions are YAML when a top-level ``statements:`` key appears,
    otherwise Markdown.

    Args:
        path: the strategy file.

    Returns:
        The Strategy, with ``path`` set.

    Raises:
        StrategyError: the file is missing, unreadable, binary, or malformed;
            the message names the file, the line or field, and the fix.
    """
    file = Path(path)
    source = str(file)
    if not file.is_file():
        raise StrategyError(source, "no such strategy file",
                            fix="pass the path of a YAML or Markdown strategy with --strategy")
    try:
        data = file.read_bytes()
    except OSError as exc:
        raise StrategyError(source, f"cannot read the file ({exc.strerror or exc})",
                            fix="check the file's permissions") from exc
    try:
        text = decode_bytes(data).text
    except Reject as reject:
        raise StrategyError(source, reject.reason, fix=reject.fix) from reject
    fmt = _FORMATS.get(file.suffix.lower()) or _sniff_format(text)
    return parse_strategy(text, fmt=fmt, source=source)
