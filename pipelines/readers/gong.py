"""Gong transcript JSON (``callTranscripts``), with optional ``parties`` naming speakers."""

from __future__ import annotations

import json
from typing import Any

from pipelines.readers.base import Cue, RawCall, Reject
from pipelines.readers.values import parse_datetime

__all__ = ["is_gong_json", "load_json", "parse_gong"]

_SHAPE_FIX = (
    "export the transcript with Gong's /v2/calls/transcript API, which gives "
    "{'callTranscripts': [{'callId', 'transcript': [{'speakerId', 'sentences': "
    "[{'start', 'end', 'text'}]}]}]}"
)


def is_gong_json(data: object) -> bool:
    """Whether parsed JSON has Gong's top-level ``callTranscripts`` key."""
    return isinstance(data, dict) and "callTranscripts" in data


def _require(cond: bool, reason: str, where: str) -> None:
    if not cond:
        raise Reject(reason, field=where, fix=_SHAPE_FIX)


def _parties(items: object, where: str) -> dict[str, tuple[str, str]]:
    """Map speakerId -> (name, affiliation) from a ``parties`` list."""
    if items is None:
        return {}
    _require(isinstance(items, list), "'parties' must be a list", where)
    out: dict[str, tuple[str, str]] = {}
    for party in items:  # type: ignore[union-attr]
        if not isinstance(party, dict) or party.get("speakerId") in (None, ""):
            continue  # parties without a speakerId (invitees who never spoke)
        name = str(party.get("name") or party.get("emailAddress") or "").strip()
        affiliation = str(party.get("affiliation") or "").strip().lower()
        out[str(party["speakerId"])] = (name, affiliation)
    return out


def _call_details(data: dict[str, Any]) -> dict[str, tuple[dict[str, tuple[str, str]], Any]]:
    """Per-call parties and start time from an optional Gong ``calls[]`` block."""
    details: dict[str, tuple[dict[str, tuple[str, str]], Any]] = {}
    calls = data.get("calls")
    if not isinstance(calls, list):
        return details
    for index, call in enumerate(calls):
        if not isinstance(call, dict):
            continue
        meta = call.get("metaData") if isinstance(call.get("metaData"), dict) else call
        call_id = meta.get("id")
        if call_id is None:
            continue
        parties = _parties(call.get("parties"), f"calls[{index}].parties")
        details[str(call_id)] = (parties, meta.get("started"))
    return details


def _ms(value: object, where: str) -> float:
    _require(
        isinstance(value, int | float) and not isinstance(value, bool) and value >= 0,
        f"expected a time in milliseconds (a number >= 0), got {value!r}",
        where,
    )
    return float(value) / 1000.0  # type: ignore[arg-type]


def _sentences_cue(speaker: str, sentences: list[Any], where: str) -> Cue | None:
    texts: list[str] = []
    start = end = None
    for index, sentence in enumerate(sentences):
        here = f"{where}.sentences[{index}]"
        _require(isinstance(sentence, dict), "each sentence must be an object", here)
        s_start = _ms(sentence.get("start"), f"{here}.start")
        s_end = _ms(sentence.get("end"), f"{here}.end")
        if s_end < s_start:
            raise Reject(
                f"sentence ends ({s_end:.3f}s) before it starts ({s_start:.3f}s)",
                field=here,
                fix="re-export the transcript from Gong",
            )
        text = str(sentence.get("text") or "").strip()
        if text:
            texts.append(text)
            start = s_start if start is None else start
            end = s_end
    if not texts:
        return None
    return Cue(speaker, " ".join(texts), start, end)


def parse_gong(data: object, stem: str) -> list[RawCall]:
    """Parse Gong transcript JSON into raw calls.

    One call keeps the file's name as ``call_id``; several give each
    ``<stem>-<callId>``. Speakers are named (and affiliated) by a top-level
    ``parties[]`` or per-call ``calls[].parties``; a speaker nobody names keeps
    its ``speakerId`` as the speaker label.

    Args:
        data: the parsed JSON.
        stem: the file's name without extension.

    Returns:
        The calls that hold speech, in file order.

    Raises:
        Reject: the JSON does not have the transcript shape, times are not
            milliseconds, or no call holds any speech.
    """
    _require(is_gong_json(data), "expected a top-level 'callTranscripts' list", "callTranscripts")
    assert isinstance(data, dict)
    transcripts = data["callTranscripts"]
    _require(isinstance(transcripts, list), "'callTranscripts' must be a list", "callTranscripts")
    top_parties = _parties(data.get("parties"), "parties")
    details = _call_details(data)
    several = len(transcripts) > 1
    calls: list[RawCall] = []
    for c_index, item in enumerate(transcripts):
        where = f"callTranscripts[{c_index}]"
        _require(isinstance(item, dict) and item.get("callId") not in (None, ""),
                 "each call needs a 'callId'", f"{where}.callId")
        source_id = str(item["callId"])
        parties, started = details.get(source_id, ({}, None))
        parties = {**top_parties, **parties}
        blocks = item.get("transcript")
        _require(isinstance(blocks, list), "'transcript' must be a list", f"{where}.transcript")
        cues: list[Cue] = []
        affiliations: dict[str, str] = {}
        for b_index, block in enumerate(blocks):
            here = f"{where}.transcript[{b_index}]"
            _require(isinstance(block, dict), "each transcript entry must be an object", here)
            sentences = block.get("sentences")
            _require(isinstance(sentences, list), "'sentences' must be a list", f"{here}.sentences")
            speaker_id = str(block.get("speakerId") or "")
            name, affiliation = parties.get(speaker_id, ("", ""))
            speaker = name or speaker_id
            if speaker and affiliation:
                affiliations[speaker] = affiliation
            cue = _sentences_cue(speaker, sentences, here)
            if cue is not None:
                cues.append(cue)
        if not cues:
            continue
        call_id = f"{stem}-{source_id}" if several else stem
        started_at = parse_datetime(started)
        calls.append(RawCall(call_id, tuple(cues), affiliations, started_at, source_id))
    if not calls:
        raise Reject("no call in the file holds any speech", field="callTranscripts",
                     fix="check that the calls were transcribed, then export them again")
    return calls


def load_json(text: str) -> object:
    """Parse JSON, turning syntax errors into a rejection naming the line."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise Reject(
            f"invalid or truncated JSON ({exc.msg})",
            line=exc.lineno,
            fix="re-export the file; it must be one complete JSON document",
        ) from exc
    except RecursionError as exc:
        raise Reject("JSON nested too deeply", fix="re-export the file") from exc
