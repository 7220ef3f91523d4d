"""Shared types of the readers: the rejection signal, cues and raw calls."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

__all__ = ["Cue", "RawCall", "Reject"]


class Reject(Exception):
    """A file cannot be read; the reader turns this into a quarantine record.

    Args:
        reason: what was wrong and what was expected.
        line: 1-based line number, when known.
        field: the column, key or field, when known.
        fix: what the user should do about it.
    """

    def __init__(
        self,
        reason: str,
        *,
        line: int | None = None,
        field: str | None = None,
        fix: str = "",
    ) -> None:
        self.reason = reason
        self.line = line
        self.field = field
        self.fix = fix
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """The reason followed by the fix, as one sentence for the user."""
        text = self.reason
        if self.line is not None:
            text = f"line {self.line}: {text}"
        if self.fix:
            text += f". Fix: {self.fix}"
        return text


@dataclass(frozen=True)
class Cue:
    """One timed (or untimed) piece of speech with its speaker's name."""

    speaker: str
    text: str
    start_s: float | None = None
    end_s: float | None = None


@dataclass(frozen=True)
class RawCall:
    """A call as parsed from one file, before sidecars and roles apply.

    ``affiliations`` maps a speaker name to Gong's ``Internal``/``External``
    (lower-cased); ``started_at`` is set when the export itself dates the call.
    """

    call_id: str
    cues: tuple[Cue, ...]
    affiliations: dict[str, str] = field(default_factory=dict)
    started_at: datetime | None = None
    source_id: str = ""  # the export's own id for the call (Gong callId)
