"""Parse the values that exports spell in many ways: dates, amounts, outcomes."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime

__all__ = ["parse_amount", "parse_datetime", "parse_outcome"]

logger = logging.getLogger(__name__)

_EPOCH_RE = re.compile(r"^\d{9,13}(?:\.\d+)?$")
_SLASH_RE = re.compile(
    r"^(\d{1,2})/(\d{1,2})/(\d{4})"
    r"(?:[ T,]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$"
)
_SF_OFFSET_RE = re.compile(r"([+-]\d{2})(\d{2})$")

DATE_FIX = (
    "write dates as ISO 8601 (2024-03-05, 2024-03-05T14:30:00Z or "
    "2024-03-05T14:30:00+01:00), M/D/YYYY, or epoch milliseconds"
)


def _to_naive_utc(value: datetime) -> datetime:
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def parse_datetime(value: object) -> datetime | None:
    """Parse an export's timestamp to a timezone-naive UTC datetime.

    Accepts ISO 8601 (with ``Z`` or an offset, which is converted to UTC; a
    naive time is taken as UTC), Salesforce's ``+0000`` offsets, ``M/D/YYYY``
    with an optional ``h:mm[:ss] [AM|PM]`` (read as ``D/M/YYYY`` when the first
    number is over 12), and epoch seconds or milliseconds (numbers or digits).

    Args:
        value: the raw value (string, int or float).

    Returns:
        The datetime, or ``None`` when the value is not a date.
    """
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    text = str(value).strip()
    if not text:
        return None
    if _EPOCH_RE.match(text):
        return _from_epoch(float(text))
    try:
        return _to_naive_utc(datetime.fromisoformat(text))
    except ValueError:
        pass
    candidate = _SF_OFFSET_RE.sub(r"\1:\2", text.replace(" UTC", "+00:00"))
    try:
        return _to_naive_utc(datetime.fromisoformat(candidate))
    except ValueError:
        pass
    match = _SLASH_RE.match(text)
    if match:
        return _from_slashes(match)
    return None


def _from_epoch(seconds: float) -> datetime | None:
    if seconds > 1e11:  # milliseconds (HubSpot, Gong)
        seconds /= 1000.0
    try:
        return datetime.fromtimestamp(seconds, tz=UTC).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        return None


def _from_slashes(match: re.Match[str]) -> datetime | None:
    first, second, year = int(match[1]), int(match[2]), int(match[3])
    month, day = (second, first) if first > 12 else (first, second)
    hour = int(match[4] or 0)
    minute = int(match[5] or 0)
    sec = int(match[6] or 0)
    meridiem = (match[7] or "").lower()
    if meridiem == "pm" and hour < 12:
        hour += 12
    elif meridiem == "am" and hour == 12:
        hour = 0
    try:
        return datetime(year, month, day, hour, minute, sec)
    except ValueError:
        return None


def parse_amount(value: object) -> float | None:
    """Parse a deal amount such as ``12500``, ``"$12,500.00"`` or ``"EUR 9.000"``.

    Returns:
        The amount, or ``None`` when empty or not a number (logged).
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    text = re.sub(r"[^\d.,\-]", "", str(value))
    if not text:
        return None
    if "," in text and "." in text:
        text = text.replace(",", "") if text.rfind(".") > text.rfind(",") else (
            text.replace(".", "").replace(",", ".")
        )
    elif "," in text:
        head, _, tail = text.rpartition(",")
        text = f"{head.replace(',', '')}.{tail}" if len(tail) != 3 else text.replace(",", "")
    try:
        return float(text)
    except ValueError:
        logger.warning("amount %r is not a number; left empty", value)
        return None


_OUTCOMES = {"won": "won", "closed won": "won", "closedwon": "won", "win": "won",
             "lost": "lost", "closed lost": "lost", "closedlost": "lost", "loss": "lost",
             "open": "open", "in progress": "open", "pending": "open"}


def parse_outcome(value: object) -> str:
    """Normalise a deal outcome to ``won``, ``lost``, ``open`` or ``""``.

    Unknown values are logged and left empty rather than guessed.
    """
    text = re.sub(r"[\s_\-]+", " ", str(value or "")).strip().lower()
    if not text:
        return ""
    outcome = _OUTCOMES.get(text)
    if outcome is None:
        logger.warning("outcome %r is not won, lost or open; left empty", value)
        return ""
    return outcome
