"""Transcript-folder sidecars: ``calls.csv`` (dates, CRM context) and ``team.csv`` (reps)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from pipelines.readers.base import Reject
from pipelines.readers.tables import Table
from pipelines.readers.values import DATE_FIX, parse_amount, parse_datetime, parse_outcome

__all__ = [
    "CALLS_FILE",
    "CallInfo",
    "Sidecars",
    "TEAM_FILE",
    "is_sidecar_name",
    "normalize_name",
    "parse_calls",
    "parse_team",
]

CALLS_FILE = "calls.csv"
TEAM_FILE = "team.csv"


def is_sidecar_name(name: str) -> bool:
    """Whether a file name is one of the sidecars (case-insensitive)."""
    return name.lower() in (CALLS_FILE, TEAM_FILE)


def normalize_name(name: str) -> str:
    """Case- and whitespace-insensitive key for matching speaker names."""
    return re.sub(r"\s+", " ", name).strip().casefold()


@dataclass(frozen=True)
class CallInfo:
    """One ``calls.csv`` row."""

    call_id: str
    started_at: datetime
    account_id: str = ""
    account_name: str = ""
    segment: str = ""
    opportunity_id: str = ""
    stage: str = ""
    outcome: str = ""
    amount: float | None = None
    rep: str = ""


@dataclass(frozen=True)
class Sidecars:
    """The sidecars in force for a folder: its own and its ancestors' (nearer wins)."""

    calls: dict[str, CallInfo] = field(default_factory=dict)
    team: frozenset[str] = frozenset()  # normalised names and emails
    has_team: bool = False

    def merged(self, nearer: Sidecars) -> Sidecars:
        """These sidecars overlaid by a sub-folder's."""
        return Sidecars(
            calls={**self.calls, **nearer.calls},
            team=self.team | nearer.team,
            has_team=self.has_team or nearer.has_team,
        )


def _require(table: Table, column: str, file: str) -> None:
    if column not in table.columns:
        raise Reject(
            f"{file} has no '{column}' column (found: {', '.join(table.columns) or 'none'})",
            line=1,
            field=column,
            fix=f"add a '{column}' column to the header row of {file}",
        )


def parse_calls(table: Table) -> dict[str, CallInfo]:
    """Read ``calls.csv`` rows keyed by ``call_id``.

    Raises:
        Reject: a missing ``call_id``/``started_at`` column, an empty call id or
            a date that cannot be read.
    """
    _require(table, "call_id", CALLS_FILE)
    _require(table, "started_at", CALLS_FILE)
    calls: dict[str, CallInfo] = {}
    for row in table.rows:
        call_id = str(row.get("call_id")).strip()
        if not call_id:
            raise Reject("a row has no call_id", line=row.line, field="call_id",
                         fix="give every row the transcript's file name without extension")
        started = parse_datetime(row.get("started_at"))
        if started is None:
            raise Reject(f"{str(row.get('started_at'))[:60]!r} is not a date", line=row.line,
                         field="started_at", fix=DATE_FIX)
        calls[call_id] = CallInfo(
            call_id=call_id,
            started_at=started,
            account_id=str(row.get("account_id")).strip(),
            account_name=str(row.get("account_name")).strip(),
            segment=str(row.get("segment")).strip(),
            opportunity_id=str(row.get("opportunity_id")).strip(),
            stage=str(row.get("stage")).strip(),
            outcome=parse_outcome(row.get("outcome")),
            amount=parse_amount(row.get("amount")),
            rep=str(row.get("rep")).strip(),
        )
    return calls


def parse_team(table: Table) -> frozenset[str]:
    """Read ``team.csv``: the normalised names (and emails) of the company's people.

    Raises:
        Reject: no ``name`` column.
    """
    _require(table, "name", TEAM_FILE)
    keys: set[str] = set()
    for row in table.rows:
        for column in ("name", "email"):
            value = normalize_name(str(row.get(column)))
            if value:
                keys.add(value)
    return frozenset(keys)
