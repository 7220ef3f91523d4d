"""Fuzz every reader and the strategy parser with format-aware hostile input (hypothesis).

Each property writes a generated file (with sidecars where the format has
them) and reads it the way a run does. A reader may return documents or
quarantine the file with a reason; it may never raise, never call its own
failure an internal error, and never take longer than ``TIME_LIMIT_S`` on
one small file. The strategy parser may only raise ``StrategyError``.

``tests/faults/test_fuzz.py`` runs every property with a few dozen
examples; this module's command line runs them longer::

    .venv/bin/python -m evaluation.fuzz --examples 2000
    .venv/bin/python -m evaluation.fuzz --examples 500 --only gong_json notes_csv

It prints each property's example count and time, and exits 1 with
hypothesis's minimal failing example when one fails.
"""

from __future__ import annotations

import argparse
import base64
import csv
import io
import json
import logging
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlp.errors import StrategyError
from nlp.strategy import parse_strategy
from pipelines.readers import ReadFailure, ReadLimits, plan_sources, stream_file

__all__ = ["PROPERTIES", "TIME_LIMIT_S", "check_files", "check_strategy", "main"]

TIME_LIMIT_S = 10.0
_LIMITS = ReadLimits(max_file_bytes=200_000, max_line_bytes=20_000)
OUTCOMES: Counter[str] = Counter()  # what the checks saw: files read, quarantined; strategies parsed, refused

# -- building blocks -------------------------------------------------------------------------

_ODD = ["", " ", "\t", "\ufeff", "\u202e", "\u2028", "é", "😀", "-->", "<v", "</v>", "<b>", ":", ",",
        '"', "'", "\\", "\r", "\n", "\r\n", "{", "}", "[", "]", "&amp;", "<script>alert(1)</script>",
        "=1+1", "../", "%s", "NaN", "null", "-1", "1e309", "9" * 30]
_plain = st.sampled_from(["pricing", "invoice", "SSO", "Jane", "Acme", "approval", "we", "need", "the", "slow"])
_word = st.one_of(_plain, _plain, _plain, st.sampled_from(_ODD),  # mostly words, at times anything
                  st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12))
_sentence = st.lists(_word, max_size=12).map(" ".join)
_name = st.one_of(st.sampled_from(["Jane Doe", "Sam Seller", "Pat", "A", "Dr. Ann O'Neil", ""]),
                  st.text(max_size=20))


def _clock(sep: str) -> st.SearchStrategy[str]:
    good = st.builds(lambda h, m, s, ms: f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}",
                     st.integers(0, 99), st.integers(0, 59), st.integers(0, 59), st.integers(0, 999))
    short = st.builds(lambda m, s, ms: f"{m:02d}:{s:02d}{sep}{ms:03d}", st.integers(0, 59), st.integers(0, 59),
                      st.integers(0, 999))
    return st.one_of(good, short, st.sampled_from(["", "99:99:99.999", "-00:00:01.000", "00:00"]),
                     st.text(alphabet="0123456789:.,-", max_size=14))


def _cue_text(voice_tags: bool) -> st.SearchStrategy[str]:
    plain = st.builds(lambda n, t: f"{n}: {t}", _name, _sentence)
    tagged = st.builds(lambda n, t, close: f"<v {n}>{t}{'</v>' if close else ''}", _name, _sentence,
                       st.booleans())
    return st.one_of(tagged if voice_tags else plain, plain, _sentence)


@st.composite
def vtt_files(draw: st.DrawFn) -> dict[str, bytes]:
    """Teams (voice tags) and Zoom (``Name: text``) WebVTT, near-valid and broken."""
    header = draw(st.sampled_from(["WEBVTT", "WEBVTT - Teams", "\ufeffWEBVTT", "WEBVT", "", "WEBVTT\nKind: x"]))
    voice = draw(st.booleans())
    cues = []
    for i in range(draw(st.integers(0, 8))):
        ident = draw(st.one_of(st.just(str(i + 1)), st.just(""), _word))
        timing = f"{draw(_clock('.'))} --> {draw(_clock('.'))}{draw(st.sampled_from(['', ' align:start']))}"
        lines = draw(st.lists(_cue_text(voice), min_size=0, max_size=3))
        cues.append("\n".join(x for x in [ident, timing, *lines] if x != "" or draw(st.booleans())))
    text = header + "\n\n" + "\n\n".join(cues) + draw(st.sampled_from(["", "\n", "\n\nNOTE x"]))
    return {f"call{draw(st.sampled_from(['.vtt', '.webvtt']))}": _encode(draw, text), **draw(sidecars())}


@st.composite
def srt_files(draw: st.DrawFn) -> dict[str, bytes]:
    """SubRip, near-valid and broken."""
    blocks = []
    for i in range(draw(st.integers(0, 8))):
        number = draw(st.one_of(st.just(str(i + 1)), _word))
        timing = f"{draw(_clock(','))} --> {draw(_clock(','))}"
        lines = draw(st.lists(_cue_text(False), max_size=3))
        blocks.append("\n".join([number, timing, *lines]))
    return {"call.srt": _encode(draw, "\n\n".join(blocks)), **draw(sidecars())}


@st.composite
def text_files(draw: st.DrawFn) -> dict[str, bytes]:
    """``Name: text`` lines or Otter-style ``Name  0:05`` headers."""
    if draw(st.booleans()):
        lines = draw(st.lists(_cue_text(False), max_size=12))
    else:
        lines = []
        for _ in range(draw(st.integers(0, 6))):
            stamp = draw(st.one_of(st.builds(lambda m, s: f"{m}:{s:02d}", st.integers(0, 300), st.integers(0, 59)),
                                   st.sampled_from(["", "1:2:3", "99:99"])))
            lines += [f"{draw(_name)}  {stamp}", *draw(st.lists(_sentence, max_size=3)), ""]
    return {"call.txt": _encode(draw, "\n".join(lines)), **draw(sidecars())}


_json_scalar = st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70),
                         st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=20),
                         st.sampled_from(["../../etc/x", "/abs/path", "", "0", "-5", "1e400"]))
_any_json = st.recursive(_json_scalar, lambda c: st.one_of(st.lists(c, max_size=3),
                                                           st.dictionaries(st.text(max_size=8), c, max_size=3)),
                         max_leaves=8)


def _maybe(draw: st.DrawFn, good: st.SearchStrategy) -> object:
    """Mostly a well-typed value, sometimes anything at all."""
    return draw(st.one_of(good, good, good, _any_json))


@st.composite
def gong_files(draw: st.DrawFn) -> dict[str, bytes]:
    """Gong transcript JSON: well-shaped, with any field any JSON value at times."""
    def sentence() -> object:
        return _maybe(draw, st.fixed_dictionaries({
            "start": st.one_of(st.integers(-1000, 10**9), _json_scalar),
            "end": st.one_of(st.integers(-1000, 10**9), _json_scalar), "text": _sentence}))

    def block() -> object:
        return _maybe(draw, st.builds(lambda sid, topic, n: {"speakerId": sid, "topic": topic,
                                                             "sentences": [sentence() for _ in range(n)]},
                                      st.one_of(st.sampled_from(["1", "2", 3]), _json_scalar), _json_scalar,
                                      st.integers(0, 3)))

    calls = [_maybe(draw, st.builds(lambda cid, n: {"callId": cid, "transcript": [block() for _ in range(n)]},
                                    st.one_of(st.sampled_from(["123", 456, "../../etc/x", "a/b"]), _json_scalar),
                                    st.integers(0, 4)))
             for _ in range(draw(st.integers(0, 3)))]
    parties = [_maybe(draw, st.fixed_dictionaries({
        "speakerId": st.one_of(st.sampled_from(["1", "2"]), _json_scalar), "name": _name,
        "affiliation": st.sampled_from(["Internal", "External", "", "x"])})) for _ in range(draw(st.integers(0, 3)))]
    data: dict = {"callTranscripts": calls if draw(st.integers(0, 9)) else _maybe(draw, _any_json)}
    if draw(st.booleans()):
        data["parties"] = parties
    if draw(st.integers(0, 4)) == 0:
        data["calls"] = _maybe(draw, st.lists(_any_json, max_size=2))
    text = json.dumps(data, allow_nan=True)
    if draw(st.integers(0, 9)) == 0:  # truncated or mangled
        text = text[: draw(st.integers(0, len(text)))]
    return {"gong.json": text.encode("utf-8"), **draw(sidecars())}


_NOTE_HEADERS = {
    "canonical": ["id", "created_at", "text", "account_id", "account_name", "segment", "opportunity_id",
                  "stage", "outcome", "amount", "author"],
    "salesforce_task": ["Id", "CreatedDate", "ActivityDate", "Description", "AccountId", "WhatId", "OwnerId",
                        "Subject"],
    "salesforce_contentnote": ["Id", "CreatedDate", "Title", "Content", "OwnerId", "LinkedEntityId"],
    "hubspot_ui": ["Note ID", "Create date", "Note body", "Associated Company", "Activity assigned to"],
    "hubspot_api": ["hs_object_id", "hs_timestamp", "hs_note_body", "hubspot_owner_id", "associatedcompanyids"],
}
_good_dates = st.sampled_from(["2026-10-01", "2026-10-01T10:00:00Z", "2026-10-01 16:30", "10/1/2026",
                               "1790000000000", "2026-10-01T10:00:00.123+02:00"])
_bad_dates = st.one_of(st.sampled_from(["", "not a date", "2026-13-45", "0", "-1", "9" * 20,
                                        "2026-10-01T25:00:00+99:00"]), st.text(max_size=16))
_dates = st.one_of(*[_good_dates] * 9, _bad_dates)  # mostly readable
_bodies = st.one_of(
    _sentence,
    _sentence.map(lambda t: f"<p>{t}</p><script>x</script><br/>&nbsp;&lt;"),
    _sentence.map(lambda t: base64.b64encode(t.encode("utf-8", "surrogatepass")).decode("ascii")),
    st.sampled_from(["<", "<![CDATA[", "<!--", "&#xD800;", "&#99999999;", "=cmd|' /C calc'!A0"]),
)


def _cell(draw: st.DrawFn, column: str) -> str:
    low = column.lower()
    if "date" in low or "timestamp" in low or low == "created_at":
        return draw(_dates)
    if low in {"text", "description", "content", "note body", "hs_note_body"}:
        return draw(_bodies)
    if low == "amount":
        return draw(st.sampled_from(["", "12000", "-5", "1e400", "$1,200.50", "NaN", "x"]))
    if low == "outcome":
        return draw(st.sampled_from(["", "won", "Closed Lost", "open", "??"]))
    if low in {"id", "note id", "hs_object_id"}:
        return draw(st.one_of(*[st.integers(1, 10**6).map(str)] * 4,
                              st.sampled_from(["x'); DROP TABLE gs_documents;--", "../../etc/x", ""])))
    return draw(st.one_of(_word, st.sampled_from(["x'); DROP TABLE gs_documents;--", "../../etc/x"])))


@st.composite
def notes_csv_files(draw: st.DrawFn) -> dict[str, bytes]:
    """Canonical, Salesforce Task and ContentNote, HubSpot notes as CSV; columns shuffled, dropped, broken."""
    header = list(_NOTE_HEADERS[draw(st.sampled_from(sorted(_NOTE_HEADERS)))])
    header = draw(st.permutations(header))
    if draw(st.integers(0, 3)) == 0:  # columns missing
        header = header[: draw(st.integers(1, len(header)))]
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator=draw(st.sampled_from(["\n", "\r\n"])))
    writer.writerow(header)
    for _ in range(draw(st.integers(0, 6))):
        row = [_cell(draw, c) for c in header]
        writer.writerow(row + draw(st.lists(_word, max_size=2)) if draw(st.integers(0, 5)) == 0 else row)
    text = buf.getvalue()
    if draw(st.integers(0, 7)) == 0:  # an unclosed quote or a cut-off export
        text = text[: draw(st.integers(0, len(text)))] + draw(st.sampled_from(['"', "", '\n"x']))
    name = draw(st.sampled_from(["notes.csv", "notes.tsv"]))
    if name.endswith(".tsv"):
        text = text.replace(",", "\t")
    return {name: _encode(draw, text)}


@st.composite
def notes_jsonl_files(draw: st.DrawFn) -> dict[str, bytes]:
    """Canonical and HubSpot API records as JSON Lines; any value any JSON at times."""
    header = _NOTE_HEADERS[draw(st.sampled_from(["canonical", "hubspot_api", "salesforce_task"]))]
    lines = []
    for _ in range(draw(st.integers(0, 6))):
        keys = (list(header) if draw(st.booleans())
                else draw(st.lists(st.sampled_from(header), unique=True, max_size=len(header))))
        record: object = {k: _maybe(draw, st.just(_cell(draw, k))) for k in keys}
        if draw(st.integers(0, 4)) == 0:
            record = {"id": _maybe(draw, st.just("601")), "properties": record}
        if draw(st.integers(0, 9)) == 0:
            record = draw(_any_json)
        lines.append(json.dumps(record, allow_nan=True))
    if draw(st.integers(0, 7)) == 0:
        lines.append(draw(st.sampled_from(["{", "[1,", "", "null", '"x"', "{\"id\": 1} trailing"])))
    return {draw(st.sampled_from(["notes.jsonl", "notes.ndjson"])): _encode(draw, "\n".join(lines))}


@st.composite
def sidecars(draw: st.DrawFn) -> dict[str, bytes]:
    """Optional calls.csv and team.csv beside a transcript, near-valid and broken."""
    out: dict[str, bytes] = {}
    if draw(st.integers(0, 2)) == 0:
        cols = draw(st.permutations(["call_id", "started_at", "account_id", "account_name", "segment",
                                     "opportunity_id", "stage", "outcome", "amount", "rep"]))
        cols = cols[: draw(st.integers(1, len(cols)))]
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(cols)
        for _ in range(draw(st.integers(0, 3))):
            w.writerow([draw(st.sampled_from(["call", "gong-123", ""])) if c == "call_id" else _cell(draw, c)
                        for c in cols])
        out["calls.csv"] = _encode(draw, buf.getvalue())
    if draw(st.integers(0, 2)) == 0:
        rows = ["name,email", *(f"{draw(_name)},{draw(_word)}" for _ in range(draw(st.integers(0, 3))))]
        out["team.csv"] = _encode(draw, "\n".join(rows[: draw(st.integers(0, len(rows)))]))
    return out


def _encode(draw: st.DrawFn, text: str) -> bytes:
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]))
    data = text.encode(encoding, errors="replace")
    if draw(st.integers(0, 11)) == 0:  # a flipped or cut byte
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        data = data[:at] + draw(st.binary(max_size=3)) + data[at + 1:]
    return data


_STRATEGY_HEADINGS = ["Objectives", "Goals", "Where we compete", "What we say no to", "Non-goals",
                      "Value proposition", "Why we win", "Priorities", "Competitors", "Unknown", ""]


@st.composite
def strategy_texts(draw: st.DrawFn) -> tuple[str, str]:
    """(format, text): Markdown with headings and bullets, or YAML statements, near-valid and broken."""
    if draw(st.booleans()):
        parts = []
        for _ in range(draw(st.integers(0, 5))):
            level = draw(st.sampled_from(["#", "##", "###", "####", ""]))
            parts.append(f"{level} {draw(st.one_of(st.sampled_from(_STRATEGY_HEADINGS), _sentence))}")
            for _ in range(draw(st.integers(0, 4))):
                bullet = draw(st.sampled_from(["-", "*", "1.", "+", "  -", ""]))
                parts.append(f"{bullet} {draw(_sentence)}" + draw(st.sampled_from(["", "\n  continued", ""])))
        return "markdown", "\n".join(parts)
    statements = [
        _maybe(draw, st.fixed_dictionaries({
            "id": st.one_of(_word, st.integers()),
            "kind": st.sampled_from(["objective", "target", "non_target", "value", "priority", "competitor",
                                     "wishlist", ""]),
            "text": _sentence}))
        for _ in range(draw(st.integers(0, 5)))]
    doc = {"statements": statements if draw(st.integers(0, 7)) else _maybe(draw, _any_json)}
    if draw(st.booleans()):
        doc["company"] = _maybe(draw, _word)
    text = json.dumps(doc, allow_nan=True)  # JSON is YAML
    if draw(st.integers(0, 7)) == 0:
        text = text[: draw(st.integers(0, len(text)))]
    return "yaml", text


# -- the properties ----------------------------------------------------------------------------


class ReaderHang(AssertionError):
    """A reader or parser took longer than ``TIME_LIMIT_S`` on one small input."""


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    def expire(_signum: int, _frame: object) -> None:
        raise ReaderHang(f"took longer than {seconds:.0f} s on one small input")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def check_files(files: dict[str, bytes]) -> None:
    """Read generated files as a run does: documents or a quarantine, nothing else, in bounded time."""
    with tempfile.TemporaryDirectory() as folder, _time_limit(TIME_LIMIT_S):
        root = Path(folder)
        for name, data in files.items():
            (root / name).write_bytes(data)
        for source in plan_sources([root]):
            try:
                streamed = stream_file(source, limits=_LIMITS)
                docs = list(streamed.documents)
            except ReadFailure as failure:
                reason = failure.quarantined.reason
                assert reason and "internal error" not in reason, reason
                assert failure.quarantined.content_hash == source.content_hash
                OUTCOMES["quarantined"] += 1
                continue
            OUTCOMES["read"] += 1
            for doc in docs:
                assert doc.doc_id and isinstance(doc.doc_id, str)
                assert doc.turns, f"{doc.doc_id} has no turns"
                assert all(isinstance(t.text, str) and t.text.strip() for t in doc.turns)


def check_strategy(case: tuple[str, str]) -> None:
    """The strategy parser returns a strategy or raises StrategyError, in bounded time."""
    fmt, text = case
    with _time_limit(TIME_LIMIT_S):
        try:
            strategy = parse_strategy(text, fmt=fmt, source="strategy")
        except StrategyError as exc:
            assert exc.message
            OUTCOMES["refused"] += 1
            return
    OUTCOMES["parsed"] += 1
    assert strategy.statements
    assert len({s.id for s in strategy.statements}) == len(strategy.statements)


PROPERTIES: dict[str, tuple[st.SearchStrategy, Callable[[object], None]]] = {
    "vtt": (vtt_files(), check_files),
    "srt": (srt_files(), check_files),
    "text": (text_files(), check_files),
    "gong_json": (gong_files(), check_files),
    "notes_csv": (notes_csv_files(), check_files),
    "notes_jsonl": (notes_jsonl_files(), check_files),
    "strategy": (strategy_texts(), check_strategy),
}


def run_property(name: str, examples: int, seed: int | None = None) -> float:
    """Run one property with ``examples`` examples; returns the seconds it took (raises on a failure)."""
    strategy, check = PROPERTIES[name]
    test = settings(max_examples=examples, deadline=None, database=None, derandomize=seed is None,
                    suppress_health_check=list(HealthCheck))(given(strategy)(check))
    if seed is not None:
        from hypothesis import seed as with_seed

        test = with_seed(seed)(test)
    t0 = time.perf_counter()
    test()
    return time.perf_counter() - t0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evaluation.fuzz", description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=2000, help="examples per property (default 2000)")
    parser.add_argument("--only", nargs="*", choices=sorted(PROPERTIES), help="run only these properties")
    parser.add_argument("--seed", type=int, help="a random seed (default: derandomized, the same every time)")
    args = parser.parse_args(argv)
    logging.getLogger("pipelines").setLevel(logging.ERROR)  # quarantines are expected here
    failed = 0
    for name in args.only or list(PROPERTIES):
        OUTCOMES.clear()
        try:
            seconds = run_property(name, args.examples, args.seed)
        except Exception as exc:  # noqa: BLE001 -- report every property's outcome
            failed += 1
            print(f"{name}: FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
            continue
        seen = ", ".join(f"{v} {k}" for k, v in sorted(OUTCOMES.items()))
        print(f"{name}: {args.examples} examples passed in {seconds:.1f} s ({seen})")
    return 1 if failed else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
