"""Issue #6, held-out calls cases: do the three flags land right on *calls* with a Markdown strategy?

Run from the repository root (under a minute on 2 cores: ``groundswell mine`` took 20 s with
MiniLM, 33 s with mpnet)::

    .venv/bin/python -m evaluation.alignment_calls --data /work/shared/datasets/clinc150
    .venv/bin/python -m evaluation.alignment_calls --data /work/shared/datasets/clinc150 --model all-mpnet-base-v2

The case ``calls_holdout`` (Quorum, a voice assistant for offices and hybrid
teams) and its Markdown strategy (:data:`STRATEGY_MD`) were written on
2026-11-27, before the case was ever run, with clinc150 intents that no case
of ``evaluation/alignment_eval.py`` uses. It was run once per model (the same
day) and nothing (case, strategy, harness, product) was changed after seeing
the results (``results/alignment-calls-<model>.md``).

A second held-out calls case, ``calls_holdout2`` (Roadtalk, an in-car voice
assistant; :data:`CASE2`, :data:`STRATEGY_MD2`), was written in the fourth
session, after the rules for split pieces were decided on the development
cases (``calls_holdout`` among them) and before it was ever built; ``--case
calls_holdout2`` runs it (``results/alignment-calls_holdout2-<model>.md``).

How it is built (``alignment_eval`` is reused, not copied):

- :func:`evaluation.alignment_eval.build_case` plans the needs exactly as for
  the notes cases: covered and refused-steady intents 15 a month over
  2026-01..04, each emerging intent once in Feb/Mar and 38 times in the last
  ~3 weeks before 2026-04-30, the refused growing intent 3, 4, 8, 32 a month
  (the rise in the last 25 days). Each planned note (an intent, a date, an
  account and a clinc150 query) becomes **one call** here.
- A call is a Microsoft Teams WebVTT transcript (``<v Name>text</v>`` voice
  tags, SPEC.md "Call transcripts"): the rep greets, the customer makes one or
  two small-talk turns (``evaluation/smalltalk_dev.txt`` templates, filled by
  :func:`evaluation.calls_dev.small_talk_turns`), the rep asks, the customer
  states the need (the clinc150 query; in about a third of the calls a second
  query of the same intent follows after a rep line), one more small-talk turn,
  the rep closes. A rep line stands between any two customer turns, so each
  customer turn is its own segment. Reps' lines are :data:`REP_LINES`.
- ``calls.csv`` dates each call and gives the account (invented names), stage,
  outcome, amount and rep; ``team.csv`` names the reps, so every other
  speaker is a customer. The strategy is ``strategy.md`` in SPEC.md's
  Markdown format; each planted statement's id is found by parsing it with
  :func:`pipelines.readers.strategy.read_strategy` (the slug of the bullet).
- ``groundswell mine`` runs as a subprocess (the command users run) on a fresh
  store, ``PREFECT_HOME`` and ``GROUNDSWELL_HOME`` in a temporary folder, with
  ``GROUNDSWELL_EMBED__MODEL`` set to ``--model`` and every other
  ``GROUNDSWELL_*`` variable removed.

How it is scored: each ``segments.csv`` row is mapped to the transcript turn
its ``start_s`` falls in (turns start on whole seconds; text is never compared,
PII redaction changes it). A theme's majority intent is taken over its
customer segments that are needs only (:func:`evaluation.alignment_eval._theme_intents`
on those rows); a theme holding no need is ``(small talk)``. The flags are
scored by :func:`evaluation.alignment_eval.score_flags`: ``field_ahead``
precision / recall and flags per real theme, ``off_strategy`` right when its
theme's majority intent is the refused growing one and its statement refuses
that intent, ``strategy_unheard`` precision / recall / F1 and the heard
statements flagged. Also reported: every flag and theme, the share of
small-talk segments inside a theme and of needs left without one.

Data: CLINC150 (Larson et al. 2019, CC BY 3.0), read in place; no text of it
is written into the repository (the transcripts live in a temporary folder).
"""

from __future__ import annotations

import argparse
import bisect
import csv
import html
import json
import logging
import os
import platform
import random
import re
import sys
import tempfile
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from evaluation.alignment_eval import AS_OF, Built, Case, _load_clinc, _theme_intents, build_case, score_flags
from evaluation.calls_dev import small_talk_turns
from evaluation.mine_process import run_mine
from nlp.embed import DEFAULT_MODEL, MODELS

__all__ = [
    "CALLS_CASES", "CASE", "CASE2", "CallsBuilt", "REP_LINES", "REP_NAMES", "STRATEGY_MD", "STRATEGY_MD2", "TurnTruth",
    "build_calls_case",
    "main", "map_segments", "planted_statement_ids", "run_mine", "score_case", "vtt_text",
]

logger = logging.getLogger(__name__)

RESULTS = Path(__file__).resolve().parent / "results"
WRITTEN = "2026-11-27"  # the case and its strategy, before any run
SOURCE = "CLINC150 data_full.json (train+val+test, in-scope intents), Larson et al. 2019, CC BY 3.0"
SMALL_TALK = "(small talk)"

# --------------------------------------------------------------------------- the case (written before any run)

#: Quorum's case. Intents used by no case of ``alignment_eval.py``; statements
#: worded as a strategy document would word them, not as the intents are named.
CASE = Case(
    name="calls_holdout",
    company="Quorum (a voice assistant for offices and hybrid teams)",
    covered={
        "schedule_meeting": ("value", "Set up a meeting with anyone on the team in one sentence"),
        "make_call": ("value", "Call any colleague or client hands-free from the meeting room"),
        "change_language": ("value", "Talks and listens in the language your office works in"),
        "change_volume": ("value", "Louder or quieter the moment you ask"),
        "pto_balance": ("value", "Everyone knows how much leave they have left without asking HR"),
        "calculator": ("value", "Quick sums and percentages answered aloud"),
        "todo_list_update": ("value", "A shared team task list you can add to while you talk"),
        "reminder_update": ("priority", "Make voice reminders the first habit every new account forms"),
        "text": ("priority", "Grow messaging from the desk speaker among hybrid teams"),
        "next_song": ("priority", "Sell the background-music add-on to open-plan offices"),
    },
    refused_steady={"income": "We do not run payroll or tell employees what they earn"},
    refused_growing={"order": "We do not place orders or buy supplies on anyone's behalf"},
    emerging=("travel_alert", "new_card"),
    unheard=("Every conversation processed on the device, never in the cloud",),
    unheard_priorities=("Sign up every co-working space for the landlord plan",),
    extra=(("objective", "Be on the desks of fifty thousand companies by 2028"),
           ("objective", "Cut the time teams lose to admin by an hour a week"),
           ("target", "Hybrid teams of 20 to 500 people in the UK, Ireland and the Nordics"),
           ("target", "Offices that already run on Microsoft 365 or Google Workspace"),
           ("non_target", "We do not sell to households or for personal use at home"),
           ("competitor", "Google Assistant"), ("competitor", "Microsoft Teams Rooms"),
           ("competitor", "Owl Labs")),
    notes="calls held-out case for issue #6; written 2026-11-27 before its first run",
)

#: The strategy as its leadership would write it (SPEC.md "Strategy", Markdown).
STRATEGY_MD = """\
# Quorum strategy FY2027

Agreed at the leadership offsite, October 2026. Owner: Chief Commercial Officer.
Every bullet below is one statement; sales, product and marketing plan against it.

## Objectives

- Be on the desks of fifty thousand companies by 2028
- Cut the time teams lose to admin by an hour a week

## Where we compete

- Hybrid teams of 20 to 500 people in the UK, Ireland and the Nordics
- Offices that already run on Microsoft 365 or Google Workspace

## What we say no to

- We do not run payroll or tell employees what they earn
- We do not place orders or buy supplies on anyone's behalf
- We do not sell to households or for personal use at home

## Value proposition

- Set up a meeting with anyone on the team in one sentence
- Call any colleague or client hands-free from the meeting room
- Talks and listens in the language your office works in
- Louder or quieter the moment you ask
- Everyone knows how much leave they have left without asking HR
- Quick sums and percentages answered aloud
- A shared team task list you can add to while you talk
- Every conversation processed on the device, never in the cloud

## Priorities

- Make voice reminders the first habit every new account forms
- Grow messaging from the desk speaker among hybrid teams
- Sell the background-music add-on to open-plan offices
- Sign up every co-working space for the landlord plan

## Competitors

- Google Assistant
- Microsoft Teams Rooms
- Owl Labs
"""

#: Roadtalk's case: the third held-out case (calls_holdout became development data after
#: its first run). Written 2026-11-27 in the fourth session, after the rules for split
#: rising pieces, refused pieces and go-to-market priorities were decided on the
#: development cases and before this case was ever built or run. Intents used by no
#: other case; statements worded as a strategy document would word them.
CASE2 = Case(
    name="calls_holdout2",
    company="Roadtalk (an in-car voice assistant for company-car and fleet drivers)",
    covered={
        "distance": ("value", "Know how far the next stop is without taking your eyes off the road"),
        "current_location": ("value", "Tells you exactly where you are, even on unfamiliar roads"),
        "gas_type": ("value", "The right fuel for every car in the fleet, answered at the pump"),
        "what_song": ("value", "Name any song that comes on the radio"),
        "whisper_mode": ("value", "Speaks softly when passengers are asleep"),
        "change_speed": ("value", "Talks at the pace each driver prefers"),
        "meeting_schedule": ("value", "The day's appointments read out before you start the engine"),
        "spelling": ("value", "Dictate messages with every name spelled right"),
        "calendar_update": ("priority", "Grow calendar use among field sales drivers"),
        "update_playlist": ("priority", "Sell the premium music tier to drivers on long routes"),
    },
    refused_steady={"oil_change_how": "We do not give vehicle maintenance or repair instructions"},
    refused_growing={"credit_limit_change": "We do not manage fuel cards, credit limits or payments"},
    emerging=("travel_notification", "pto_request_status"),
    unheard=("Works offline in tunnels and remote valleys",),
    unheard_priorities=("Sign up every car-rental desk at major airports for the partner plan",),
    extra=(("objective", "Be in half the company cars of Germany and the Benelux by 2029"),
           ("objective", "Cut drivers' phone handling at the wheel to zero"),
           ("target", "Fleet managers running 50 to 5,000 company cars"),
           ("target", "Field sales and service teams who spend their day driving"),
           ("non_target", "We do not build self-driving or driver-assistance features"),
           ("competitor", "Android Auto"), ("competitor", "Apple CarPlay"), ("competitor", "Cerence")),
    notes="second calls held-out case for issue #6; written 2026-11-27 before its first run",
)

STRATEGY_MD2 = """\
# Roadtalk: strategy 2027

Signed off by the executive team in November 2026. Owner: VP Strategy.
Sales, product and marketing plan against each bullet below.

## Objectives

- Be in half the company cars of Germany and the Benelux by 2029
- Cut drivers' phone handling at the wheel to zero

## Who we are for

- Fleet managers running 50 to 5,000 company cars
- Field sales and service teams who spend their day driving

## Not for us

- We do not give vehicle maintenance or repair instructions
- We do not manage fuel cards, credit limits or payments
- We do not build self-driving or driver-assistance features

## Why we win

- Know how far the next stop is without taking your eyes off the road
- Tells you exactly where you are, even on unfamiliar roads
- The right fuel for every car in the fleet, answered at the pump
- Name any song that comes on the radio
- Speaks softly when passengers are asleep
- Talks at the pace each driver prefers
- The day's appointments read out before you start the engine
- Dictate messages with every name spelled right
- Works offline in tunnels and remote valleys

## Priorities

- Grow calendar use among field sales drivers
- Sell the premium music tier to drivers on long routes
- Sign up every car-rental desk at major airports for the partner plan

## Competitors

- Android Auto
- Apple CarPlay
- Cerence
"""

#: The held-out calls cases: name -> (case, Markdown strategy).
CALLS_CASES: dict[str, tuple[Case, str]] = {"calls_holdout": (CASE, STRATEGY_MD),
                                            "calls_holdout2": (CASE2, STRATEGY_MD2)}

#: The reps, by the author names ``alignment_eval.build_case`` gives its notes.
REP_NAMES = {"Avery": "Avery Holmqvist", "Blake": "Blake Duarte", "Casey": "Casey Whitford"}

#: Generic rep lines: ``{first}`` is the customer's first name.
REP_GREETINGS = ("Hi {first}, thanks for making the time today.",
                 "Good to see you, {first}. How has your week been?",
                 "Hello {first}, thanks for joining. Can you hear me all right?")
REP_ASKS = ("So, what's top of mind for your team at the moment?",
            "What would you most like to get out of {product}?",
            "Tell me what your people keep asking for.")
REP_LINES = ("Got it, let me make a note of that.",
             "That makes sense. Can you tell me a bit more?",
             "Okay, I'll check with our product team and come back to you.",
             "Understood. A lot of teams we work with say the same.",
             "Good to know, thanks.",
             "Right, I'll put that in the summary for this call.",
             "Sure, I can send you something on that after the call.",
             "Interesting. How are you handling that today?",
             "Okay, that's helpful context.",
             "Perfect. Is there anything else on your list?")
REP_CLOSINGS = ("Thanks, {first}. I'll send a recap and we'll pick this up next week.",
                "Great talking to you, {first}. You'll have the notes by tomorrow.")

_ACCOUNT_A = ("Alder", "Birchway", "Cobalt", "Dunmore", "Embervale", "Fernhill", "Granite Bay", "Harrowgate",
              "Ivybridge", "Juniper")
_ACCOUNT_B = ("Analytics", "Studios", "Partners", "Logistics", "Health", "Legal")
_CUSTOMER_FIRST = ("Dana", "Imogen", "Rafael", "Siobhan", "Tobias", "Ingrid", "Kwame", "Leona", "Mateo", "Noor",
                   "Petra", "Quentin", "Rosalind", "Soren", "Thea", "Ulrich", "Vera", "Wilhelmina", "Yusuf", "Zara")
_CUSTOMER_LAST = ("Achterberg", "Brannigan", "Castellano", "Dahlgren", "Eriksen", "Fairweather", "Gallagher",
                  "Halvorsen", "Iwu", "Jansson", "Kavanagh", "Lindqvist", "Moreau", "Nakamura", "O'Rourke")


# --------------------------------------------------------------------------- building


@dataclass(frozen=True)
class TurnTruth:
    """One transcript turn: when it starts, who speaks, and what it is.

    ``kind`` is ``rep``, ``small_talk`` or ``need``; ``intent`` is the need's
    clinc150 intent ("" otherwise).
    """

    start_s: int
    speaker: str
    kind: str
    text: str
    intent: str = ""


@dataclass(frozen=True)
class CallsBuilt:
    """A case written out as calls: where everything is, and the truth.

    ``built`` is ``alignment_eval``'s record with the Markdown statement ids
    (``statement_intent``, ``unheard_ids``, ``heard_ids``) that ``score_flags`` reads.
    """

    calls_dir: Path
    strategy_md: Path
    built: Built
    turns: dict[str, tuple[TurnTruth, ...]]  # call_id -> turns in order
    statement_ids: dict[str, str]  # planted statement text -> id in the parsed strategy


def planted_statement_ids(strategy_path: Path, case: Case) -> dict[str, str]:
    """The id the product gives each planted statement of ``case``, found by parsing the Markdown.

    Raises:
        ValueError: a planted statement is not a bullet of the strategy, or sits under the wrong heading.
    """
    from pipelines.readers.strategy import read_strategy

    parsed = {s.text: s for s in read_strategy(strategy_path).statements}
    planted = [*case.covered.values(), *(("non_target", t) for t in case.refused_steady.values()),
               *(("non_target", t) for t in case.refused_growing.values()),
               *(("value", t) for t in case.unheard), *(("priority", t) for t in case.unheard_priorities),
               *case.extra]
    ids: dict[str, str] = {}
    for kind, text in planted:
        st = parsed.get(text)
        if st is None:
            raise ValueError(f"planted statement {text!r} is not a bullet of {strategy_path}")
        if st.kind.value != kind:
            raise ValueError(f"planted statement {text!r} is a {st.kind.value} in {strategy_path}, not a {kind}")
        ids[text] = st.id
    return ids


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}.000"


def vtt_text(turns: Sequence[TurnTruth]) -> str:
    """A Microsoft Teams WebVTT transcript: one cue per turn, ``<v Name>text</v>``, text HTML-escaped."""
    out = ["WEBVTT", ""]
    for n, (turn, nxt) in enumerate(zip(turns, [*turns[1:], None]), start=1):
        end = nxt.start_s - 1 if nxt is not None else turn.start_s + _duration(turn.text)
        out += [str(n), f"{_clock(turn.start_s)} --> {_clock(end)}",
                f"<v {turn.speaker}>{html.escape(turn.text, quote=False)}</v>", ""]
    return "\n".join(out)


def _duration(text: str) -> int:
    return max(2, round(len(text.split()) / 2.5))


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _account_name(account_id: str) -> str:
    n = int(account_id[-4:])
    return f"{_ACCOUNT_A[n % len(_ACCOUNT_A)]} {_ACCOUNT_B[n // len(_ACCOUNT_A) % len(_ACCOUNT_B)]}"


def _contacts(account_id: str) -> tuple[str, str]:
    rng = random.Random(f"contacts-{account_id}")
    first = rng.sample(_CUSTOMER_FIRST, 2)
    return f"{first[0]} {rng.choice(_CUSTOMER_LAST)}", f"{first[1]} {rng.choice(_CUSTOMER_LAST)}"


def build_calls_case(case: Case, clinc: Mapping[str, Sequence[str]], folder: Path, seed: int = 0,
                     strategy_md: str = STRATEGY_MD, second_need_share: float = 0.35) -> CallsBuilt:
    """Plan the case with ``alignment_eval.build_case`` and write each planned need as one call.

    Writes ``folder/calls/`` (one ``.vtt`` per call, ``calls.csv``, ``team.csv``),
    ``folder/strategy.md`` and ``build_case``'s own plan under ``folder/plan/``
    (its notes CSV and YAML strategy: not an input of the run).

    Args:
        case: the planted intents and statements.
        clinc: intent -> texts (clinc150's, or an invented stand-in in tests).
        folder: an empty folder.
        seed: the plan's and the calls' seed.
        strategy_md: the Markdown strategy holding every planted statement as a bullet.
        second_need_share: the share of calls whose customer states a second need of the same intent.

    Returns:
        The paths and the truth.
    """
    product = case.company.split(" (")[0].strip()
    (folder / "plan").mkdir(parents=True, exist_ok=True)
    plan = build_case(case, {k: list(v) for k, v in clinc.items()}, folder / "plan", seed)
    (folder / "strategy.md").write_text(strategy_md, encoding="utf-8")
    ids = planted_statement_ids(folder / "strategy.md", case)
    statement_intent = {ids[text]: intent for intent, (_, text) in case.covered.items()}
    statement_intent |= {ids[text]: intent for intent, text in {**case.refused_steady, **case.refused_growing}.items()}
    unheard = tuple(ids[t] for t in (*case.unheard, *case.unheard_priorities))
    heard = tuple(ids[text] for _, text in case.covered.values())

    with plan.notes_csv.open(newline="", encoding="utf-8") as fh:
        notes = list(csv.DictReader(fh))
    rng = random.Random(f"{case.name}-calls-{seed}")
    used = Counter(n["text"] for n in notes)
    spare = {i: rng.sample([t for t in clinc[i] if t not in used], len([t for t in clinc[i] if t not in used]))
             for i in sorted(set(plan.intent_of_doc.values()))}
    chatter = small_talk_turns(3 * len(notes), seed=seed + 1, templates="dev")
    calls_dir = folder / "calls"
    calls_dir.mkdir(parents=True, exist_ok=True)
    turns_of: dict[str, tuple[TurnTruth, ...]] = {}
    intent_of_call: dict[str, str] = {}
    rows = []
    for n, note in enumerate(notes):
        intent = plan.intent_of_doc[note["id"]]
        account = _account_name(note["account_id"])
        customer = rng.choice(_contacts(note["account_id"]))
        first = customer.split()[0]
        rep = REP_NAMES[note["author"]]
        script: list[tuple[str, str, str]] = [("rep", rng.choice(REP_GREETINGS).format(first=first), "")]
        for _ in range(rng.choice((1, 2))):
            script += [("small_talk", chatter.pop(), ""), ("rep", rng.choice(REP_LINES), "")]
        script[-1] = ("rep", rng.choice(REP_ASKS).format(product=product), "")
        script += [("need", note["text"], intent), ("rep", rng.choice(REP_LINES), "")]
        if spare[intent] and rng.random() < second_need_share:
            script += [("need", spare[intent].pop(), intent), ("rep", rng.choice(REP_LINES), "")]
        script += [("small_talk", chatter.pop(), ""), ("rep", rng.choice(REP_CLOSINGS).format(first=first), "")]
        clock = rng.randint(2, 6)
        turns = []
        for kind, text, need_intent in script:
            turns.append(TurnTruth(clock, rep if kind == "rep" else customer, kind, text, need_intent))
            clock += _duration(text) + rng.randint(1, 3)
        started = datetime.fromisoformat(note["created_at"])
        call_id = f"{started.date().isoformat()}_{_slug(account)}_{n:04d}"
        (calls_dir / f"{call_id}.vtt").write_text(vtt_text(turns), encoding="utf-8")
        turns_of[call_id] = tuple(turns)
        intent_of_call[call_id] = intent
        rows.append([call_id, started.strftime("%Y-%m-%dT%H:%M:%SZ"), note["account_id"], account,
                     note["segment"], note["opportunity_id"], note["stage"], note["outcome"], note["amount"], rep])
    with (calls_dir / "calls.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["call_id", "started_at", "account_id", "account_name", "segment", "opportunity_id", "stage",
                    "outcome", "amount", "rep"])
        w.writerows(rows)
    with (calls_dir / "team.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["name", "email"])
        for name in REP_NAMES.values():
            w.writerow([name, name.lower().replace(" ", ".") + f"@{product.lower()}.example"])
    built = replace(plan, notes_csv=calls_dir, strategy_yaml=folder / "strategy.md", intent_of_doc=intent_of_call,
                    statement_intent=statement_intent, unheard_ids=unheard, heard_ids=heard)
    return CallsBuilt(calls_dir, folder / "strategy.md", built, turns_of, ids)


# --------------------------------------------------------------------------- running


# --------------------------------------------------------------------------- scoring


def map_segments(segments_csv: Path, turns: Mapping[str, Sequence[TurnTruth]]) -> list[dict[str, str]]:
    """The rows of ``segments.csv``, each with ``truth_kind`` and ``truth_intent`` of the turn it starts in.

    A segment takes the turn whose start is the last at or before its ``start_s``
    (same call); one without ``start_s`` or of an unknown call gets kind ``?``.
    """
    out = []
    with segments_csv.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            call = turns.get(row["doc_id"])
            kind, intent = "?", ""
            if call is not None and row["start_s"]:
                pos = bisect.bisect_right([t.start_s for t in call], float(row["start_s"]) + 0.01) - 1
                if pos >= 0:
                    kind, intent = call[pos].kind, call[pos].intent
            out.append({**row, "truth_kind": kind, "truth_intent": intent})
    return out


def _role_of(kind: str) -> str:
    return {"rep": "rep", "small_talk": "customer", "need": "customer"}.get(kind, "?")


def score_case(calls: CallsBuilt, case: Case, bundle: Path, work: Path) -> dict[str, Any]:
    """Score one run's bundle against the plan: flags, themes and where the segments went."""
    rows = map_segments(bundle / "segments.csv", calls.turns)
    needs_dir = work / "need-segments"
    needs_dir.mkdir(parents=True, exist_ok=True)
    need_rows = [r for r in rows if r["truth_kind"] == "need" and r["speaker_role"] == "customer"]
    with (needs_dir / "segments.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]) if rows else ["doc_id", "theme_id"])
        w.writeheader()
        w.writerows(need_rows)
    theme_intent, purity = _theme_intents(needs_dir, calls.built.intent_of_doc)
    members: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        if r["theme_id"]:
            members[r["theme_id"]][r["truth_intent"] if r["truth_kind"] == "need" else r["truth_kind"]] += 1
    for tid in members:
        theme_intent.setdefault(tid, SMALL_TALK)
    flags = json.loads((bundle / "flags.json").read_text(encoding="utf-8"))["flags"]
    themes = json.loads((bundle / "themes.json").read_text(encoding="utf-8"))["themes"]
    scores = score_flags(calls.built, case, flags, theme_intent)

    role_of_intent = {i: f"covered ({k})" for i, (k, _) in case.covered.items()}
    role_of_intent |= {i: "refused, steady" for i in case.refused_steady}
    role_of_intent |= {i: "refused, growing" for i in case.refused_growing}
    role_of_intent |= {i: "emerging" for i in case.emerging}
    planted_of_statement = {sid: f"covers {i}" for sid, i in calls.built.statement_intent.items()}
    planted_of_statement |= {sid: f"refuses {i}" for sid, i in calls.built.statement_intent.items()
                             if i in case.refused_steady or i in case.refused_growing}
    planted_of_statement |= {sid: "planted unheard" for sid in calls.built.unheard_ids}
    label = {t["id"]: t["label"] for t in themes}

    def right(f: dict[str, Any]) -> bool:
        intent = theme_intent.get(f["theme_id"] or "")
        if f["kind"] == "field_ahead":
            return intent in case.emerging
        if f["kind"] == "off_strategy":
            return intent in case.refused_growing and calls.built.statement_intent.get(f["statement_id"]) == intent
        return f["statement_id"] in calls.built.unheard_ids

    flag_rows = [{"kind": f["kind"], "theme_id": f["theme_id"], "label": label.get(f["theme_id"] or ""),
                  "intent": theme_intent.get(f["theme_id"] or ""),
                  "intent_planted": role_of_intent.get(theme_intent.get(f["theme_id"] or "") or "", ""),
                  "statement_id": f["statement_id"],
                  "statement_planted": planted_of_statement.get(f["statement_id"] or "", ""),
                  "score": f["score"], "related_themes": f.get("related_themes", []), "right": right(f)}
                 for f in flags]
    theme_rows = []
    for t in sorted(themes, key=lambda t: -t["size"]):
        c = members.get(t["id"], Counter())
        major = theme_intent.get(t["id"], SMALL_TALK)
        match = t.get("strategy_match") or {}
        theme_rows.append({
            "id": t["id"], "label": t["label"], "status": t["status"], "size": t["size"], "intent": major,
            "planted_as": role_of_intent.get(major, ""), "purity_needs": purity.get(t["id"]),
            "purity_all": round(c[major] / sum(c.values()), 3) if c else None,
            "small_talk_members": c["small_talk"], "rep_members": c["rep"],
            "match": match.get("statement_id"), "match_similarity": match.get("similarity"),
            "match_confidence": match.get("confidence")})
    customer = [r for r in rows if r["truth_kind"] in ("need", "small_talk")]
    small = [r for r in customer if r["truth_kind"] == "small_talk"]
    needs = [r for r in customer if r["truth_kind"] == "need"]
    segments = {
        "segments": len(rows), "customer_segments": len(customer), "need_segments": len(needs),
        "small_talk_segments": len(small),
        "small_talk_in_theme_share": round(sum(bool(r["theme_id"]) for r in small) / max(1, len(small)), 4),
        "needs_without_theme_share": round(sum(not r["theme_id"] for r in needs) / max(1, len(needs)), 4),
        "rep_segments_in_a_theme": sum(bool(r["theme_id"]) for r in rows if r["truth_kind"] == "rep"),
        "role_mismatches": sum(r["speaker_role"] != _role_of(r["truth_kind"]) for r in rows),
        "unmapped_segments": sum(r["truth_kind"] == "?" for r in rows),
        "themes": len(themes),
        "themes_mostly_small_talk": sum(1 for c in members.values() if c["small_talk"] * 2 > sum(c.values())),
    }
    fa, off, un = scores["field_ahead"], scores["off_strategy"], scores["strategy_unheard"]
    acceptance = {
        "field_ahead": bool(fa["flags"]) and fa["right"] == fa["flags"] and fa["recall"] == 1.0,
        "off_strategy": bool(off["flags"]) and off["right"] == off["flags"] and off["recall"] == 1.0,
        "strategy_unheard": bool(un["flags"]) and un["right"] == un["flags"] and un["recall"] == 1.0,
    }
    return {"scores": scores, "acceptance": acceptance, "segments": segments, "flags": flag_rows,
            "themes": theme_rows}


# --------------------------------------------------------------------------- report


def _md(report: dict[str, Any]) -> str:
    s = report["scores"]
    fa, off, un = s["field_ahead"], s["off_strategy"], s["strategy_unheard"]
    acc = report["acceptance"]
    seg = report["segments"]
    case = report["case"]
    lines = [
        f"# Alignment on calls: held-out case `{case['name']}` ({report['model']})", "",
        f"Generated by `{report['command']}` (written {WRITTEN}, run once per model, nothing tuned after). "
        f"Data: {SOURCE}. See `evaluation/alignment_calls.py`.", "",
        f"{case['company']}: {case['calls']} calls (Teams WebVTT, calls.csv, team.csv), "
        f"{case['need_turns']} need turns and {case['small_talk_turns']} small-talk turns from "
        f"`smalltalk_dev.txt`, Markdown strategy of {case['statements']} statements; as-of {report['as_of']}, "
        f"seed {report['seed']}. `groundswell mine` took {report['mine']['wall_s']} s on {report['machine']}.", "",
        "| field_ahead P / R | flags per real theme | off_strategy | unheard P / R / F1 | heard statements flagged |",
        "| --- | ---: | --- | --- | --- |",
        f"| {fa['precision']} / {fa['recall']} | {fa['flags_per_real_theme']} "
        f"| {'right' if acc['off_strategy'] else 'wrong' if off['flags'] else 'missed'} "
        f"({off['right']} of {off['flags']} flags right, recall {off['recall']}) "
        f"| {un['precision']} / {un['recall']} / {un['f1']} | {', '.join(un['heard_flagged']) or 'none'} |", "",
        "Each kind on the right theme or statement: " + ", ".join(
            f"{k} {'yes' if v else 'no'}" for k, v in acc.items()) + ".", "",
        f"Planted: emerging {', '.join(case['emerging'])}; refused and growing {', '.join(case['refused_growing'])}; "
        f"refused and steady {', '.join(case['refused_steady'])}; unheard {', '.join(case['unheard_ids'])}.", "",
        f"Segments: {seg['customer_segments']} customer ({seg['need_segments']} needs, {seg['small_talk_segments']} "
        f"small talk); small talk in a theme {seg['small_talk_in_theme_share']:.1%}; needs without a theme "
        f"{seg['needs_without_theme_share']:.1%}; rep segments in a theme {seg['rep_segments_in_a_theme']}; "
        f"role mismatches {seg['role_mismatches']}; {seg['themes']} themes "
        f"({seg['themes_mostly_small_talk']} mostly small talk).", "",
        "## Flags", "",
        "| kind | theme | label | majority intent (planted as) | statement | statement planted as | score | right |",
        "| --- | --- | --- | --- | --- | --- | ---: | --- |",
    ]
    for f in report["flags"]:
        intent = f"{f['intent']} ({f['intent_planted'] or 'not planted'})" if f["intent"] else ""
        lines.append(f"| {f['kind']} | {f['theme_id'] or ''} | {f['label'] or ''} | {intent} "
                     f"| {f['statement_id'] or ''} | {f['statement_planted']} | {f['score']} "
                     f"| {'yes' if f['right'] else 'no'} |")
    lines += ["", "## Themes", "",
              "| theme | label | status | size | majority intent | planted as | purity (needs) | purity (all) "
              "| small talk | match | similarity |",
              "| --- | --- | --- | ---: | --- | --- | ---: | ---: | ---: | --- | ---: |"]
    for t in report["themes"]:
        lines.append(f"| {t['id']} | {t['label']} | {t['status']} | {t['size']} | {t['intent']} | {t['planted_as']} "
                     f"| {t['purity_needs']} | {t['purity_all']} | {t['small_talk_members']} | {t['match'] or ''} "
                     f"| {t['match_similarity'] if t['match_similarity'] is not None else ''} |")
    lines += ["", "## Statement ids (parsed from the Markdown strategy)", ""]
    lines += [f"- `{sid}`: {text}" for text, sid in case["statement_ids"].items()]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command line: build the held-out calls case, run ``groundswell mine`` once, score, write the results."""
    parser = argparse.ArgumentParser(
        prog="python -m evaluation.alignment_calls",
        description="Issue #6, second held-out case: clinc150 needs in sales calls (Teams WebVTT with calls.csv "
                    "and team.csv) against a Markdown strategy, through `groundswell mine`; scores whether "
                    "field_ahead, off_strategy and strategy_unheard land on the planted theme or statement.",
        epilog="Writes <out>/alignment-calls-<model>.json and .md. Takes minutes; progress on stderr. The case "
               f"was written on {WRITTEN} before its first run; do not tune on it.",
    )
    parser.add_argument("--data", type=Path, required=True, help="the clinc150 folder holding data_full.json")
    parser.add_argument("--case", default="calls_holdout", choices=list(CALLS_CASES),
                        help="which held-out calls case (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=0, help="plan and call seed (default: %(default)s)")
    parser.add_argument("--model", default=DEFAULT_MODEL, choices=list(MODELS),
                        help="embedding model, passed as GROUNDSWELL_EMBED__MODEL (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results folder (default: evaluation/results)")
    parser.add_argument("--slot-answers", action="store_true",
                        help="run mine with themes.slot_answers on (GROUNDSWELL_THEMES__SLOT_ANSWERS=true); "
                             "results named ...-slot-answers")
    parser.add_argument("--keep", type=Path, default=None,
                        help="keep the built calls and the bundle in this folder (outside the repository)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    if not (args.data / "data_full.json").is_file():
        parser.error(f"{args.data / 'data_full.json'} does not exist: --data must be the clinc150 folder")
    command = "python -m evaluation.alignment_calls " + " ".join(argv if argv is not None else sys.argv[1:])
    clinc = _load_clinc(args.data)
    case, strategy_md = CALLS_CASES[args.case]
    ctx = tempfile.TemporaryDirectory(prefix="gs-align-calls-") if args.keep is None else None
    work = Path(ctx.name) if ctx else args.keep
    try:
        calls = build_calls_case(case, clinc, work / "case", args.seed, strategy_md=strategy_md)
        turns = [t for ts in calls.turns.values() for t in ts]
        logger.info("wrote %d calls (%d need turns, %d small-talk turns) and strategy.md to %s", len(calls.turns),
                    sum(t.kind == "need" for t in turns), sum(t.kind == "small_talk" for t in turns), work / "case")
        run = run_mine(calls.calls_dir, calls.strategy_md, work / "run", args.model, AS_OF,
                       {"GROUNDSWELL_THEMES__SLOT_ANSWERS": "true"} if args.slot_answers else None)
        logger.info("groundswell mine done in %.1f s", run["wall_s"])
        result = score_case(calls, case, run.pop("bundle"), work / "run")
    finally:
        if ctx:
            ctx.cleanup()
    report: dict[str, Any] = {
        "command": command, "model": args.model, "seed": args.seed, "as_of": AS_OF.isoformat(),
        "data": SOURCE, "written": WRITTEN, "started": datetime.now().isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "case": {"name": case.name, "company": case.company, "calls": len(calls.turns),
                 "need_turns": sum(t.kind == "need" for t in turns),
                 "small_talk_turns": sum(t.kind == "small_talk" for t in turns),
                 "statements": len(calls.statement_ids), "covered": {i: calls.statement_ids[t]
                                                                     for i, (_, t) in case.covered.items()},
                 "emerging": list(case.emerging), "refused_growing": list(case.refused_growing),
                 "refused_steady": list(case.refused_steady), "unheard_ids": list(calls.built.unheard_ids),
                 "statement_ids": calls.statement_ids, "counts_per_month": calls.built.counts},
        "mine": {k: v for k, v in run.items()},
        **result,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    stem = f"alignment-calls-{args.model}" if args.case == "calls_holdout" else f"alignment-{args.case}-{args.model}"
    stem += "-slot-answers" if args.slot_answers else ""
    (args.out / f"{stem}.json").write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    (args.out / f"{stem}.md").write_text(_md(report), encoding="utf-8")
    logger.info("wrote %s.json and .md in %s", stem, args.out)
    sys.stderr.write(_md(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
