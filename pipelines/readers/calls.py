"""Turn raw calls into Documents: roles, merged turns, dates and CRM context."""

from __future__ import annotations

import logging
from datetime import datetime

from nlp.records import Document, Role, Source, Turn
from pipelines.readers.base import Cue, RawCall
from pipelines.readers.sidecars import Sidecars, normalize_name

__all__ = ["build_call", "merge_cues", "speaker_role"]

logger = logging.getLogger(__name__)


def speaker_role(
    speaker: str, *, affiliation: str, sidecars: Sidecars, has_parties: bool, rep: str = ""
) -> Role:
    """A speaker's role from ``team.csv``, Gong affiliation and the call's rep.

    In ``team.csv`` (name or email, case-insensitive), Gong ``Internal``, or the
    call's ``rep`` in ``calls.csv``: rep. Gong ``External``: customer. Any other
    named speaker is a customer when ``team.csv`` or Gong parties say who the
    company's people are, and unknown otherwise. An unnamed speaker is unknown.
    """
    if not speaker:
        return Role.UNKNOWN
    key = normalize_name(speaker)
    if key in sidecars.team or affiliation == "internal" or (rep and key == normalize_name(rep)):
        return Role.REP
    if affiliation == "external" or sidecars.has_team or has_parties:
        return Role.CUSTOMER
    return Role.UNKNOWN


def merge_cues(cues: tuple[Cue, ...] | list[Cue], roles: dict[str, Role]) -> tuple[Turn, ...]:
    """Merge consecutive cues of the same named speaker into one Turn.

    A merged turn starts with its first cue and ends with its last. Cues with
    no speaker are never merged (nothing says they are one person's turn).
    """
    turns: list[Turn] = []
    for cue in cues:
        text = cue.text.strip()
        if not text:
            continue
        last = turns[-1] if turns else None
        if last is not None and cue.speaker and last.speaker == cue.speaker:
            end = cue.end_s if cue.end_s is not None else last.end_s
            turns[-1] = Turn(last.speaker, last.role, f"{last.text} {text}", last.start_s, end)
        else:
            role = roles.get(cue.speaker, Role.UNKNOWN)
            turns.append(Turn(cue.speaker, role, text, cue.start_s, cue.end_s))
    return tuple(turns)


def build_call(raw: RawCall, *, path: str, sidecars: Sidecars, mtime: datetime) -> Document:
    """Make a call Document, dated by ``calls.csv``, the export, or the file's mtime.

    Args:
        raw: the parsed call.
        path: its file.
        sidecars: the ``calls.csv``/``team.csv`` in force for its folder.
        mtime: the file's modification time (naive UTC), the last resort date.

    Returns:
        The Document; a call dated by mtime is logged as a warning.
    """
    info = sidecars.calls.get(raw.call_id) or (
        sidecars.calls.get(raw.source_id) if raw.source_id else None
    )
    has_parties = any(aff in ("internal", "external") for aff in raw.affiliations.values())
    rep = info.rep if info else ""
    roles = {
        cue.speaker: speaker_role(
            cue.speaker,
            affiliation=raw.affiliations.get(cue.speaker, ""),
            sidecars=sidecars,
            has_parties=has_parties,
            rep=rep,
        )
        for cue in raw.cues
    }
    turns = merge_cues(raw.cues, roles)
    if info is not None:
        created_at, dated_by = info.started_at, "calls.csv"
    elif raw.started_at is not None:
        created_at, dated_by = raw.started_at, "export"
    else:
        created_at, dated_by = mtime, "file mtime"
        logger.warning(
            "call %r (%s) is not in calls.csv; dated by its file's modification time %s. "
            "Add it to calls.csv (call_id, started_at) to date it exactly",
            raw.call_id, path, created_at.isoformat(timespec="seconds"),
        )
    return Document(
        doc_id=raw.call_id,
        source=Source.CALL,
        created_at=created_at,
        turns=turns,
        path=path,
        account_id=info.account_id if info else "",
        account_name=info.account_name if info else "",
        segment=info.segment if info else "",
        opportunity_id=info.opportunity_id if info else "",
        stage=info.stage if info else "",
        outcome=info.outcome if info else "",
        amount=info.amount if info else None,
        author=rep,
        dated_by=dated_by,
    )
