"""Alignment benchmark: do the three flags land right on a replayed clinc150 case?

A *case* is a fictional company: intents of clinc150 (Larson et al. 2019,
CC BY 3.0) become customer needs written into CRM notes over four months,
and a hand-written strategy covers some of them, says no to others and
claims values nobody asks about. What is planted:

- steady intents, spread evenly over the four months, each covered by a
  statement (no flag expected); one steady intent the strategy says no to
  (stable, so no flag either);
- intents that emerge in the last four weeks, covered by nothing
  (``field_ahead`` expected);
- one intent that grows and that the strategy says no to (``off_strategy``);
- two or three values or priorities nobody asks about (``strategy_unheard``);
  every other value and priority is heard.

The notes are written as a canonical notes CSV in a temporary folder and run
through :func:`pipelines.mine.mine`, the path users run. A flag is right when
its theme's majority intent is the planted one. Each flag kind gets precision
and recall; ``field_ahead`` also gets flags per real (planted) theme.

The ``dev`` and ``holdout`` cases were used to develop the matching (``holdout``
was written blind, then its first run shaped the "heard" rule); ``holdout2``
was written before its first run, with the rule fixed, and nothing was changed
after seeing it. ``holdout3`` was written before its first run (with a lexical
"heard" rule then in the code, its threshold set on ``dev`` only) and measured
once; that rule was then taken out because it also heard the sample data's
planted unheard value (see ``evaluation/README.md``), and nothing was tuned on
``holdout3``. All four are development cases now (the family-level rules were
developed on them together). ``holdout4`` was written before the family-level
rules were measured on it and run once, at the end; nothing was tuned on it.

Run from the repository root::

    .venv/bin/python -m evaluation.alignment_eval --data /work/shared/datasets/clinc150

It writes ``evaluation/results/alignment-clinc150.json`` and ``.md``.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import platform
import random
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from nlp.embed import DEFAULT_MODEL, MODELS

__all__ = ["Case", "CASES", "build_case", "run_case", "main"]

logger = logging.getLogger(__name__)

RESULTS = Path(__file__).resolve().parent / "results"
START = date(2026, 1, 1)
AS_OF = date(2026, 4, 30)  # four months; the recent window is the last 28 days


@dataclass(frozen=True)
class Case:
    """One fictional company: planted intents and its strategy.

    ``covered`` maps each steady intent to the statement (kind, text) that
    covers it; ``refused_steady`` and ``refused_growing`` map an intent to
    the ``non_target`` text that says no to it.
    """

    name: str
    company: str
    covered: dict[str, tuple[str, str]]
    refused_steady: dict[str, str]
    refused_growing: dict[str, str]
    emerging: tuple[str, ...]
    unheard: tuple[str, ...]  # value texts nobody asks about
    extra: tuple[tuple[str, str], ...] = ()  # (kind, text): objectives, targets, competitors
    notes: str = ""
    unheard_priorities: tuple[str, ...] = ()  # priority texts nobody raises


CASES: dict[str, Case] = {
    "dev": Case(
        name="dev",
        company="Wayfare (a travel card and booking app)",
        covered={
            "book_flight": ("value", "Book any flight in two taps, on any airline"),
            "book_hotel": ("value", "Hotel bookings at member rates worldwide"),
            "car_rental": ("priority", "Sell rental cars with every trip booking"),
            "flight_status": ("value", "Live flight status and gate-change alerts"),
            "lost_luggage": ("priority", "Resolve lost or delayed baggage claims within a day"),
            "exchange_rate": ("value", "Real exchange rates with no currency markup"),
            "travel_suggestion": ("priority", "Push personalised destination ideas for the next trip"),
            "redeem_rewards": ("value", "Redeem points for travel with no blackout dates"),
            "card_declined": ("priority", "Fix declined card payments abroad on the first call"),
            "report_lost_card": ("value", "Freeze a lost card and get a replacement anywhere in the world"),
            "balance": ("value", "See your account balance in every currency at a glance"),
            "pay_bill": ("priority", "Grow bill payments from the app"),
        },
        refused_steady={"international_visa": "We do not handle visa applications or immigration paperwork"},
        refused_growing={"translate": "We do not offer translation or language services"},
        emerging=("vaccines", "plug_type", "report_fraud"),
        unheard=("Airport lounge access included with the premium card",
                 "Every trip carbon-offset automatically at no extra cost"),
        extra=(("objective", "Reach two million active cardholders by the end of 2027"),
               ("target", "Frequent travellers in Europe and North America"),
               ("competitor", "Revolut"), ("competitor", "Expedia")),
    ),
    "holdout": Case(
        name="holdout",
        company="Homebase (a household and payroll assistant)",
        covered={
            "play_music": ("value", "Play any song, album or playlist by voice"),
            "smart_home": ("value", "Control lights, thermostat and locks from one place"),
            "calendar": ("value", "One shared family calendar that everyone can check"),
            "reminder": ("priority", "Get every household to set reminders in the first week"),
            "shopping_list": ("value", "Shopping lists that the whole family can add to"),
            "todo_list": ("priority", "Drive daily use of the to-do list"),
            "alarm": ("value", "Wake-up alarms that adapt to your schedule"),
            "timer": ("value", "Hands-free kitchen timers"),
            "weather": ("value", "Hyper-local weather forecasts for your street"),
            "pto_request": ("priority", "Make requesting time off painless for small employers"),
            "payday": ("value", "Tell employees exactly when they get paid"),
            "direct_deposit": ("priority", "Move every employer onto direct deposit of wages"),
        },
        refused_steady={"taxes": "We do not give tax advice or prepare tax returns"},
        refused_growing={"rollover_401k": "We do not manage retirement accounts or 401(k) plans"},
        emerging=("insurance", "order_status", "share_location"),
        unheard=("Works fully offline with no cloud account required",
                 "Bank-grade end-to-end encryption of every household's data"),
        extra=(("objective", "Be in one million homes by 2028"),
               ("target", "Families and small employers in the United States"),
               ("competitor", "Alexa"), ("competitor", "Gusto")),
    ),
    # written before its first run; nothing was changed after seeing its figures
    "holdout2": Case(
        name="holdout2",
        company="Roadmate (a connected-car and road-trip companion)",
        covered={
            "gas": ("value", "See your fuel level from your phone before you leave"),
            "mpg": ("value", "Track the fuel economy of every car you own"),
            "oil_change_when": ("value", "Know when your next oil change is due"),
            "last_maintenance": ("value", "Full service history of your car in one place"),
            "schedule_maintenance": ("priority", "Book every workshop service through the app"),
            "tire_pressure": ("value", "Live tyre pressure readings on your phone"),
            "jump_start": ("priority", "Get drivers with a dead battery back on the road fast"),
            "traffic": ("value", "Real-time traffic on your route before you set off"),
            "directions": ("value", "Directions to the nearest place you need, wherever you are"),
            "uber": ("priority", "Sell rides with partner drivers when the car stays at home"),
            "restaurant_reservation": ("priority", "Grow table bookings at restaurants along the route"),
            "how_busy": ("value", "Know how long the wait is before you get there"),
        },
        refused_steady={"tire_change": "We do not sell or fit new tyres"},
        refused_growing={"improve_credit_score": "We do not offer credit repair or credit score coaching"},
        emerging=("sync_device", "spending_history", "measurement_conversion"),
        unheard=("Dashcam footage backed up to the cloud automatically",
                 "Reserved parking paid for before you arrive"),
        unheard_priorities=("Sign every fleet manager up for the business plan",),
        extra=(("objective", "Half a million connected cars on the road by 2028"),
               ("target", "Commuters and families who drive every day"),
               ("competitor", "Waze"), ("competitor", "AAA")),
    ),
    # written before its first run; two heard values are marketing copy, worded unlike
    # what customers ask
    "holdout3": Case(
        name="holdout3",
        company="Larder (a meal-planning and kitchen companion)",
        covered={
            "recipe": ("value", "Thousands of step-by-step recipes for any dish"),
            "ingredients_list": ("value", "See every ingredient a dish needs before you start"),
            "cook_time": ("value", "Exact cooking times for anything you put in the oven"),
            "calories": ("value", "Calorie counts for every meal you eat"),
            "nutrition_info": ("priority", "Grow use of nutrition facts among health-minded households"),
            "meal_suggestion": ("value", "Dinner ideas picked for you every evening"),
            "ingredient_substitution": ("value", "Never let a missing ingredient stop dinner"),
            "food_last": ("value", "Know how long leftovers stay safe in the fridge"),
            "restaurant_reviews": ("priority", "Push restaurant reviews to diners choosing where to eat"),
            "restaurant_suggestion": ("value", "Recommendations for restaurants near you"),
            "shopping_list_update": ("priority", "Get families to keep their grocery list up to date in the app"),
            "measurement_conversion": ("value", "Every recipe in the measures your kitchen speaks"),
        },
        refused_steady={"restaurant_reservation": "We do not take restaurant reservations or table bookings"},
        refused_growing={"smart_home": "We do not control smart home devices or kitchen appliances"},
        emerging=("next_holiday", "timezone", "definition"),
        unheard=("Every recipe tested three times by professional chefs",
                 "Carbon-neutral grocery delivery to your door"),
        unheard_priorities=("Sign up corporate cafeterias for the enterprise plan",),
        extra=(("objective", "Ten million weekly cooks by 2029"),
               ("target", "Home cooks and busy parents in the UK and Ireland"),
               ("competitor", "Yummly"), ("competitor", "HelloFresh")),
    ),
    # written before its first run, after the family-level rules were in place; measured
    # once and never tuned on. Intents no other case uses; three heard values are
    # marketing copy, worded unlike what customers ask
    "holdout4": Case(
        name="holdout4",
        company="Tallyline (a credit card and current account for freelancers)",
        covered={
            "credit_limit": ("value", "Know your spending limit at any moment"),
            "apr": ("value", "One simple, low interest rate on every purchase"),
            "min_payment": ("priority", "Show every cardholder the minimum they owe each month"),
            "bill_due": ("value", "Never be caught out by a due date again"),
            "transactions": ("value", "Every purchase listed the moment it happens"),
            "transfer": ("priority", "Grow money transfers between accounts"),
            "pin_change": ("value", "Change your PIN in seconds from the app"),
            "damaged_card": ("value", "A worn-out card replaced before it lets you down"),
            "rewards_balance": ("value", "Watch your points pile up with every swipe"),
            "routing": ("value", "Your account and routing numbers always at hand"),
            "order_checks": ("priority", "Sell cheque books to small business customers"),
            "freeze_account": ("value", "Lock your account with one tap when something feels wrong"),
        },
        refused_steady={"w2": "We do not prepare tax forms or payroll paperwork"},
        refused_growing={"insurance_change": "We do not sell or change insurance policies"},
        emerging=("international_fees", "application_status", "find_phone"),
        unheard=("Metal cards made from recycled ocean plastic",
                 "A personal concierge that books theatre tickets for you"),
        unheard_priorities=("Sign up every accountant in the partner programme",),
        extra=(("objective", "Three hundred thousand freelancers banking with us by 2028"),
               ("target", "Freelancers and sole traders in the United States"),
               ("competitor", "Chase"), ("competitor", "Amex")),
    ),
}
DEVELOPMENT_CASES = ("dev", "holdout", "holdout2", "holdout3")


@dataclass
class Built:
    """A case written out: notes, strategy and the truth."""

    notes_csv: Path
    strategy_yaml: Path
    intent_of_doc: dict[str, str]
    statement_intent: dict[str, str]  # statement id -> intent it covers or refuses
    unheard_ids: tuple[str, ...]
    heard_ids: tuple[str, ...]  # value/priority statements customers do raise
    counts: dict[str, list[int]] = field(default_factory=dict)  # intent -> per-month counts


def _slug(text: str) -> str:
    import re

    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]


def _load_clinc(folder: Path) -> dict[str, list[str]]:
    data = json.loads((Path(folder) / "data_full.json").read_text(encoding="utf-8"))
    by_intent: dict[str, list[str]] = defaultdict(list)
    for split in ("train", "val", "test"):
        for text, intent in data[split]:
            by_intent[intent].append(text)
    return by_intent


def _dates(rng: random.Random, n: int, lo: date, hi: date) -> list[date]:
    span = (hi - lo).days
    return [lo + timedelta(days=rng.randint(0, span)) for _ in range(n)]


def build_case(case: Case, clinc: dict[str, list[str]], folder: Path, seed: int = 0) -> Built:
    """Write the case's notes CSV and strategy YAML into ``folder``."""
    rng = random.Random(f"{case.name}-{seed}")
    recent_from = AS_OF - timedelta(days=23)  # emerging mentions: the last ~3 weeks
    months = [(date(2026, m, 1), date(2026, m + 1, 1) - timedelta(days=1)) for m in range(1, 5)]
    plan: list[tuple[str, date]] = []
    counts: dict[str, list[int]] = {}
    for intent in [*case.covered, *case.refused_steady]:
        per = [15, 15, 15, 15]
        for (lo, hi), n in zip(months, per):
            plan += [(intent, d) for d in _dates(rng, n, lo, hi)]
        counts[intent] = per
    for intent in case.emerging:
        baseline = _dates(rng, 1, date(2026, 2, 1), date(2026, 3, 15))
        recent = _dates(rng, 38, recent_from, AS_OF)
        plan += [(intent, d) for d in baseline + recent]
        counts[intent] = [0, int(baseline[0].month == 2), int(baseline[0].month == 3), 38]
    for intent in case.refused_growing:
        per = [3, 4, 8, 32]
        for (lo, hi), n in zip(months, per):
            if n == 32:  # the rise sits in the recent window
                plan += [(intent, d) for d in _dates(rng, n, AS_OF - timedelta(days=25), hi)]
            else:
                plan += [(intent, d) for d in _dates(rng, n, lo, hi)]
        counts[intent] = per
    pools = {i: rng.sample(clinc[i], len(clinc[i])) for i in counts}
    accounts = [(f"001A{n:04d}", f"Account {n:02d}", rng.choice(["smb", "mid-market", "enterprise"]),
                 rng.choices(["won", "lost", "open"], [0.35, 0.25, 0.4])[0]) for n in range(60)]
    rng.shuffle(plan)
    plan.sort(key=lambda p: p[1])
    intent_of_doc: dict[str, str] = {}
    notes = folder / "notes.csv"
    with notes.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["id", "created_at", "text", "account_id", "account_name", "segment", "opportunity_id",
                    "stage", "outcome", "amount", "author"])
        for n, (intent, d) in enumerate(plan):
            acc = rng.choice(accounts)
            doc = f"N{n:05d}"
            intent_of_doc[doc] = intent
            stamp = datetime(d.year, d.month, d.day, rng.randint(8, 18), rng.randint(0, 59))
            w.writerow([doc, stamp.isoformat(), pools[intent].pop(), acc[0], acc[1], acc[2], f"006{acc[0][4:]}",
                        {"won": "Closed Won", "lost": "Closed Lost", "open": "Negotiation"}[acc[3]], acc[3],
                        rng.choice([12000, 24000, 48000]), rng.choice(["Avery", "Blake", "Casey"])])
    statements: list[dict[str, str]] = []
    statement_intent: dict[str, str] = {}
    heard: list[str] = []
    for intent, (kind, text) in case.covered.items():
        sid = _slug(text)
        statements.append({"id": sid, "kind": kind, "text": text})
        statement_intent[sid] = intent
        heard.append(sid)
    for intent, text in {**case.refused_steady, **case.refused_growing}.items():
        sid = _slug(text)
        statements.append({"id": sid, "kind": "non_target", "text": text})
        statement_intent[sid] = intent
    unheard = []
    for kind, text in [*(("value", t) for t in case.unheard), *(("priority", t) for t in case.unheard_priorities)]:
        statements.append({"id": _slug(text), "kind": kind, "text": text})
        unheard.append(_slug(text))
    for kind, text in case.extra:
        statements.append({"id": _slug(text), "kind": kind, "text": text})
    strategy = folder / "strategy.yaml"
    strategy.write_text(json.dumps({"company": case.company, "statements": statements}, indent=1),
                        encoding="utf-8")  # JSON is YAML
    return Built(notes, strategy, intent_of_doc, statement_intent, tuple(unheard), tuple(heard), counts)


def _prf(right: int, flagged: int, truth: int) -> dict[str, float | None]:
    p = right / flagged if flagged else None
    r = (truth and min(right, truth) / truth) or (None if not truth else 0.0)
    f1 = 2 * p * r / (p + r) if p and r else (0.0 if flagged or truth else None)
    return {"precision": None if p is None else round(p, 3), "recall": None if r is None else round(r, 3),
            "f1": None if f1 is None else round(f1, 3)}


def score_flags(built: Built, case: Case, flags: list[dict[str, Any]], theme_intent: dict[str, str]
                ) -> dict[str, Any]:
    """Precision and recall of each flag kind against what was planted."""
    out: dict[str, Any] = {}
    fa = [f for f in flags if f["kind"] == "field_ahead"]
    fa_right = [f for f in fa if theme_intent.get(f["theme_id"]) in case.emerging]
    fa_hit = {theme_intent[f["theme_id"]] for f in fa_right}
    out["field_ahead"] = {
        "flags": len(fa), "right": len(fa_right), "planted": len(case.emerging),
        "precision": round(len(fa_right) / len(fa), 3) if fa else None,
        "recall": round(len(fa_hit) / len(case.emerging), 3),
        "flags_per_real_theme": round(len(fa_right) / max(len(fa_hit), 1), 3),
        "flagged_intents": [theme_intent.get(f["theme_id"], "(noise)") for f in fa],
    }
    off = [f for f in flags if f["kind"] == "off_strategy"]
    grow = set(case.refused_growing)
    off_right = [f for f in off if theme_intent.get(f["theme_id"]) in grow
                 and built.statement_intent.get(f["statement_id"]) == theme_intent.get(f["theme_id"])]
    out["off_strategy"] = {
        "flags": len(off), "right": len(off_right), "planted": len(grow),
        "precision": round(len(off_right) / len(off), 3) if off else None,
        "recall": round(len({theme_intent[f["theme_id"]] for f in off_right}) / len(grow), 3),
        "flagged_intents": [theme_intent.get(f["theme_id"], "(noise)") for f in off],
    }
    un = {f["statement_id"] for f in flags if f["kind"] == "strategy_unheard"}
    right = un & set(built.unheard_ids)
    p = len(right) / len(un) if un else 0.0
    r = len(right) / len(built.unheard_ids)
    out["strategy_unheard"] = {
        "flags": len(un), "right": len(right), "planted": len(built.unheard_ids),
        "precision": round(p, 3), "recall": round(r, 3),
        "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
        "heard_flagged": sorted(un & set(built.heard_ids)),
    }
    return out


def _theme_intents(bundle: Path, intent_of_doc: dict[str, str]) -> tuple[dict[str, str], dict[str, float]]:
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    with (bundle / "segments.csv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if row["theme_id"]:
                votes[row["theme_id"]][intent_of_doc.get(row["doc_id"], "?")] += 1
    major = {t: c.most_common(1)[0][0] for t, c in votes.items()}
    purity = {t: round(c.most_common(1)[0][1] / sum(c.values()), 3) for t, c in votes.items()}
    return major, purity


def run_case(case: Case, clinc: dict[str, list[str]], resources: Any, *, bertopic: bool = False,
             seed: int = 0, settings: Any = None) -> dict[str, Any]:
    """Build the case, mine it as users do, and score the flags."""
    from pipelines.mine import mine
    from pipelines.settings import Settings

    with tempfile.TemporaryDirectory(prefix=f"gs-align-{case.name}-") as tmp:
        root = Path(tmp)
        built = build_case(case, clinc, root, seed)
        t0 = time.perf_counter()
        result = mine([built.notes_csv], built.strategy_yaml, root / "bundle",
                      store_url=f"sqlite:///{root / 'store.db'}", as_of=AS_OF, settings=settings or Settings(),
                      resources=resources)
        seconds = time.perf_counter() - t0
        doc = json.loads((result.bundle_dir / "flags.json").read_text(encoding="utf-8"))
        theme_intent, purity = _theme_intents(result.bundle_dir, built.intent_of_doc)
        flags = doc["flags"]
        scores = score_flags(built, case, flags, theme_intent)
        themes = [{"id": t.id, "label": t.label, "status": t.status.value, "size": t.size,
                   "intent": theme_intent.get(t.id), "purity": purity.get(t.id),
                   "match": None if t.strategy_match is None else
                   {"statement_id": t.strategy_match.statement_id, "similarity": t.strategy_match.similarity,
                    "confidence": t.strategy_match.confidence}} for t in result.themes]
        out: dict[str, Any] = {
            "case": case.name, "company": case.company, "notes": len(built.intent_of_doc),
            "planted": {"emerging": list(case.emerging), "refused_growing": list(case.refused_growing),
                        "refused_steady": list(case.refused_steady), "unheard": list(built.unheard_ids)},
            "groundswell": {"scores": scores, "seconds": round(seconds, 1),
                            "flags": [{k: f[k] for k in ("kind", "theme_id", "statement_id", "score")}
                                      | {"intent": theme_intent.get(f["theme_id"])} for f in flags],
                            "themes": themes},
        }
        if bertopic:
            out["bertopic_cosine_0.7"] = _bertopic_recipe(built, case, resources, result)
        return out


def _bertopic_recipe(built: Built, case: Case, resources: Any, result: Any) -> dict[str, Any]:
    """BERTopic topics, the same trend test, and a fixed cosine threshold of 0.7."""
    import numpy as np

    try:
        from bertopic import BERTopic
    except ImportError:  # the eval extra is not installed
        return {"skipped": "bertopic is not installed (pip install -e '.[eval]')"}
    from nlp.embed import embed_texts
    from nlp.flags import COVERING_KINDS, HEARD_KINDS, RISING
    from nlp.records import StatementKind
    from nlp.trends import Mention, TrendParams, measure_trend
    from pipelines.mine import load_strategy
    from pipelines.settings import Settings

    rows = []
    with built.notes_csv.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    texts = [r["text"] for r in rows]
    vecs = embed_texts(resources.model, texts)
    t0 = time.perf_counter()
    topics, _ = BERTopic(embedding_model=None).fit_transform(texts, vecs)
    topics = np.asarray(topics)
    statements = load_strategy(built.strategy_yaml).statements
    svec = embed_texts(resources.model, [s.text for s in statements])
    docs_per_day: Counter[date] = Counter(datetime.fromisoformat(r["created_at"]).date() for r in rows)
    params = TrendParams(**Settings().trends.model_dump())
    flags: list[dict[str, Any]] = []
    theme_intent: dict[str, str] = {}
    heard_cols: set[int] = set()
    for t in sorted(set(topics.tolist()) - {-1}):
        idx = np.flatnonzero(topics == t)
        cen = vecs[idx].mean(axis=0)
        cen /= np.linalg.norm(cen)
        sims = svec @ cen
        tid = f"B{t}"
        theme_intent[tid] = Counter(built.intent_of_doc[rows[i]["id"]] for i in idx).most_common(1)[0][0]
        mentions = [Mention(rows[i]["id"], datetime.fromisoformat(rows[i]["created_at"]).date(),
                            rows[i]["account_id"]) for i in idx]
        _, status, _ = measure_trend(mentions, docs_per_day, AS_OF, params)
        matched = [j for j in range(len(statements)) if sims[j] >= 0.7]
        heard_cols.update(matched)
        if status not in RISING:
            continue
        refused = [j for j in matched if statements[j].kind == StatementKind.NON_TARGET]
        covered = [j for j in matched if statements[j].kind in COVERING_KINDS]
        if refused:
            flags.append({"kind": "off_strategy", "theme_id": tid, "statement_id": statements[refused[0]].id})
        elif not covered:
            flags.append({"kind": "field_ahead", "theme_id": tid, "statement_id": None})
    for j, st in enumerate(statements):
        if st.kind in HEARD_KINDS and j not in heard_cols:
            flags.append({"kind": "strategy_unheard", "theme_id": None, "statement_id": st.id})
    return {"scores": score_flags(built, case, flags, theme_intent),
            "seconds": round(time.perf_counter() - t0, 1), "topics": int(len(set(topics.tolist()) - {-1}))}


def _md(results: list[dict[str, Any]]) -> str:
    lines = ["# Alignment benchmark on clinc150 replay cases", "",
             "Generated by `python -m evaluation.alignment_eval`; see `evaluation/README.md`.", "",
             "| case | method | field_ahead P / R | flags per real theme | off_strategy P / R "
             "| unheard P / R / F1 | heard statements flagged |",
             "| --- | --- | --- | ---: | --- | --- | --- |"]
    for res in results:
        for method in ("groundswell", "bertopic_cosine_0.7"):
            if method not in res or "scores" not in res[method]:
                continue
            s = res[method]["scores"]
            fa, off, un = s["field_ahead"], s["off_strategy"], s["strategy_unheard"]
            lines.append(
                f"| {res['case']} | {method} | {fa['precision']} / {fa['recall']} | {fa['flags_per_real_theme']} "
                f"| {off['precision']} / {off['recall']} | {un['precision']} / {un['recall']} / {un['f1']} "
                f"| {', '.join(un['heard_flagged']) or 'none'} |")
    lines.append("")
    for res in results:
        lines += [f"## {res['case']}: {res['company']}", "",
                  f"{res['notes']} notes; planted: emerging {', '.join(res['planted']['emerging'])}; "
                  f"growing and refused {', '.join(res['planted']['refused_growing'])}; "
                  f"steady and refused {', '.join(res['planted']['refused_steady'])}; "
                  f"unheard values {', '.join(res['planted']['unheard'])}.", "",
                  "| flag | theme | intent | statement | score |", "| --- | --- | --- | --- | ---: |"]
        for f in res["groundswell"]["flags"]:
            lines.append(f"| {f['kind']} | {f['theme_id'] or ''} | {f['intent'] or ''} "
                         f"| {f['statement_id'] or ''} | {f['score']} |")
        lines.append("")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command line: build and score every case, write the results."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, required=True, help="the clinc150 folder (data_full.json)")
    ap.add_argument("--case", choices=sorted(CASES), action="append", help="cases to run (default: all)")
    ap.add_argument("--bertopic", action="store_true", help="also run the BERTopic + cosine 0.7 recipe")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--model", default=DEFAULT_MODEL, choices=list(MODELS),
                    help="packaged embedding model (embed.model; default %(default)s)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    from pipelines.mine import load_resources
    from pipelines.settings import Settings

    clinc = _load_clinc(args.data)
    settings = Settings(embed={"model": args.model})
    resources = load_resources(settings)
    results = [run_case(CASES[c], clinc, resources, bertopic=args.bertopic, seed=args.seed, settings=settings)
               for c in (args.case or sorted(CASES))]
    args.out.mkdir(parents=True, exist_ok=True)
    stem = "alignment-clinc150" + ("" if args.model == DEFAULT_MODEL else f"-{args.model}")
    doc = {"data": "clinc150 data_full.json (train+val+test, in-scope), Larson et al. 2019, CC BY 3.0",
           "as_of": AS_OF.isoformat(), "seed": args.seed, "python": platform.python_version(),
           "results": results}
    (args.out / f"{stem}.json").write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")
    (args.out / f"{stem}.md").write_text(_md(results), encoding="utf-8")
    print(_md(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
