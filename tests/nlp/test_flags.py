"""Tests of nlp.flags on hand-made vectors and themes (no model needed)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import numpy as np
import pytest

from nlp.alignment import align_themes
from nlp.flags import FlagParams, group_near_duplicates, raise_flags
from nlp.records import FlagKind, Statement, StatementKind, Theme, ThemeStatus, Trend

from tests.nlp.vectors import DIM, _axis, _unit


STATEMENTS = (
    Statement("sso", StatementKind.VALUE, "Enterprise-grade security with SSO"),
    Statement("smb", StatementKind.NON_TARGET, "We do not serve very small businesses"),
    Statement("payroll", StatementKind.PRIORITY, "Push global payroll"),
    Statement("rival", StatementKind.COMPETITOR, "Rippling"),
)
STATEMENT_VECTORS = np.vstack([_axis(0), _axis(1), _axis(2), _axis(7)])


def _theme(tid: str, status: ThemeStatus, *, growth: float = 5.0, accounts: int = 6) -> Theme:
    trend = Trend(window_days=28, recent=0.2, baseline=0.02, growth=growth, p_value=1e-4,
                  recent_count=20, baseline_count=2, recent_accounts=accounts, top_account_share=0.2)
    return Theme(id=tid, label=f"Label of {tid}", keywords=("kw",), size=20, customer_share=1.0,
                 first_seen=date(2024, 1, 1), last_seen=date(2024, 6, 30), status=status, trend=trend,
                 strategy_match=None, exemplars=())


def _run(themes, centroids, *, candidates=None, heard=None, n_customer=1000, params=FlagParams()):
    centroids = np.asarray(centroids, dtype=np.float64)
    alignment = align_themes(centroids @ STATEMENT_VECTORS.T, STATEMENTS)
    if heard is None:  # every statement well heard unless a test says otherwise
        heard = [(100, [f"h{j}#1"]) for j in range(len(STATEMENTS))]
    return raise_flags(themes, centroids, STATEMENTS, alignment, candidates or {}, heard, n_customer, params)


# Five themes along their own axes; theme t0 is about SSO (a value), t1 about small businesses.
def _centroids() -> np.ndarray:
    return np.vstack([_axis(0), _axis(1), _axis(3), _axis(4), _axis(5)])


def test_raise_flags_rising_theme_covered_by_a_value_statement_is_not_flagged() -> None:
    themes = [_theme("t0", ThemeStatus.GROWING)] + [_theme(f"t{i}", ThemeStatus.STABLE) for i in range(1, 5)]
    assert _run(themes, _centroids()) == []


def test_raise_flags_rising_uncovered_theme_is_field_ahead() -> None:
    themes = [_theme(f"t{i}", ThemeStatus.STABLE) for i in range(5)]
    themes[2] = _theme("t2", ThemeStatus.EMERGING)
    flags = _run(themes, _centroids(), candidates={"t2": [("c1#3", "acct-a"), ("c2#1", "acct-b")]})
    assert [(f.kind, f.theme_id, f.statement_id) for f in flags] == [(FlagKind.FIELD_AHEAD, "t2", None)]
    f = flags[0]
    assert f.id == "field_ahead:t2"
    assert f.evidence == ("c1#3", "c2#1")
    assert 0 < f.score <= 1
    assert "Label of t2" in f.summary


def test_raise_flags_rising_theme_matching_a_non_target_is_off_strategy() -> None:
    themes = [_theme(f"t{i}", ThemeStatus.STABLE) for i in range(5)]
    themes[1] = _theme("t1", ThemeStatus.GROWING, growth=2.0)
    flags = _run(themes, _centroids(), candidates={"t1": [("n1#1", "acct-a")]})
    off = [f for f in flags if f.kind == FlagKind.OFF_STRATEGY]
    assert len(off) == 1
    assert (off[0].id, off[0].theme_id, off[0].statement_id) == ("off_strategy:t1", "t1", "smb")
    assert off[0].evidence == ("n1#1",)
    assert "We do not serve very small businesses" in off[0].summary
    # the strategy has addressed it (by saying no): it is not also "field ahead"
    assert [f.kind for f in flags] == [FlagKind.OFF_STRATEGY]


def test_raise_flags_competitor_match_does_not_cover_a_theme() -> None:
    cents = _centroids()
    cents[2] = _axis(7)  # t2 is about the competitor
    themes = [_theme(f"t{i}", ThemeStatus.STABLE) for i in range(5)]
    themes[2] = _theme("t2", ThemeStatus.GROWING)
    flags = _run(themes, cents)
    assert [(f.kind, f.theme_id) for f in flags] == [(FlagKind.FIELD_AHEAD, "t2")]


def test_raise_flags_unheard_value_statement() -> None:
    themes = [_theme(f"t{i}", ThemeStatus.STABLE) for i in range(5)]
    cents = np.vstack([_axis(i) for i in (3, 4, 5, 6, 8)])  # no theme near any statement
    heard = [(1, ["u1#1", "u2#4"]), (0, []), (50, ["p#1"]), (0, [])]
    flags = _run(themes, cents, heard=heard, n_customer=1000)
    # the value statement heard once in 1000 segments is unheard; the well-heard priority is not;
    # non_target and competitor statements are never "unheard"
    assert [(f.kind, f.statement_id, f.theme_id) for f in flags] == [
        (FlagKind.STRATEGY_UNHEARD, "sso", None)
    ]
    assert flags[0].id == "strategy_unheard:sso"
    assert flags[0].evidence == ("u1#1", "u2#4")
    assert flags[0].score == pytest.approx(1 - (1 / 1000) / 0.005)
    assert "no theme matches it, and at most 1 customer segment of any one theme (1000 in all)" in flags[0].summary


def test_raise_flags_value_statement_matched_by_a_theme_is_heard() -> None:
    themes = [_theme(f"t{i}", ThemeStatus.STABLE) for i in range(5)]
    heard = [(0, []), (0, []), (100, ["p#1"]), (0, [])]
    flags = _run(themes, _centroids(), heard=heard)  # t0 matches "sso"
    assert flags == []


def test_raise_flags_near_duplicate_rising_themes_share_one_flag() -> None:
    rng = np.random.default_rng(0)
    cents = _centroids()
    cents[3] = _unit(cents[2] + rng.normal(scale=0.05, size=DIM))  # t3 is almost t2
    assert cents[2] @ cents[3] > 0.85
    themes = [_theme(f"t{i}", ThemeStatus.STABLE) for i in range(5)]
    themes[2] = _theme("t2", ThemeStatus.EMERGING)
    themes[3] = _theme("t3", ThemeStatus.GROWING)
    flags = _run(themes, cents)
    assert [(f.kind, f.theme_id) for f in flags] == [(FlagKind.FIELD_AHEAD, "t2")]


def test_raise_flags_distinct_rising_themes_get_their_own_flags() -> None:
    themes = [_theme(f"t{i}", ThemeStatus.STABLE) for i in range(5)]
    themes[2] = _theme("t2", ThemeStatus.EMERGING, growth=8.0, accounts=10)
    themes[3] = _theme("t3", ThemeStatus.GROWING, growth=2.0, accounts=3)
    flags = _run(themes, _centroids())
    # strongest first
    assert [f.theme_id for f in flags] == ["t2", "t3"]
    assert flags[0].score > flags[1].score


def test_raise_flags_evidence_from_distinct_accounts_first() -> None:
    themes = [_theme(f"t{i}", ThemeStatus.STABLE) for i in range(5)]
    themes[2] = _theme("t2", ThemeStatus.EMERGING)
    candidates = {"t2": [("s1", "A"), ("s2", "A"), ("s3", "A"), ("s4", "B"), ("s5", "C"), ("s6", "B")]}
    flags = _run(themes, _centroids(), candidates=candidates, params=FlagParams(max_evidence=4))
    assert flags[0].evidence == ("s1", "s4", "s5", "s2")
    flags = _run(themes, _centroids(), candidates=candidates, params=FlagParams(max_evidence=2))
    assert flags[0].evidence == ("s1", "s4")


@pytest.mark.parametrize(
    "status",
    [
        ThemeStatus.STABLE,  # holds its share: nothing new
        ThemeStatus.DECLINING,  # fading: nothing new
    ],
)
def test_raise_flags_stable_and_declining_themes_never_flagged(status: ThemeStatus) -> None:
    # t1 matches the non-target, t2..t4 are uncovered: flagged only if rising
    themes = [_theme(f"t{i}", status) for i in range(5)]
    assert _run(themes, _centroids()) == []


def test_raise_flags_orders_kinds() -> None:
    themes = [_theme(f"t{i}", ThemeStatus.STABLE) for i in range(5)]
    themes[1] = _theme("t1", ThemeStatus.GROWING)
    themes[4] = _theme("t4", ThemeStatus.EMERGING)
    heard = [(100, ["x"]), (0, []), (0, []), (0, [])]
    flags = _run(themes, _centroids(), heard=heard)
    kinds = [f.kind for f in flags]
    assert kinds == sorted(kinds, key=[FlagKind.FIELD_AHEAD, FlagKind.OFF_STRATEGY,
                                       FlagKind.STRATEGY_UNHEARD].index)
    assert (FlagKind.OFF_STRATEGY, "t1") in [(f.kind, f.theme_id) for f in flags]
    assert (FlagKind.FIELD_AHEAD, "t4") in [(f.kind, f.theme_id) for f in flags]
    assert (FlagKind.STRATEGY_UNHEARD, "payroll") in [(f.kind, f.statement_id) for f in flags]


@pytest.mark.parametrize(
    "threshold, groups",
    [
        (0.99, [0, 1, 2]),  # nothing that alike
        (0.85, [0, 0, 2]),  # the first two are near-duplicates
        (0.0, [0, 0, 0]),  # everything is alike at a zero threshold
    ],
)
def test_group_near_duplicates(threshold: float, groups: list[int]) -> None:
    cents = np.vstack([_axis(0), _unit(_axis(0) + 0.3 * _axis(1)), _unit(_axis(2) + 0.1 * _axis(0))])
    assert group_near_duplicates(cents, threshold) == groups


def test_group_near_duplicates_is_transitive() -> None:
    a = _axis(0)
    b = _unit(a + 0.5 * _axis(1))
    c = _unit(a + 1.0 * _axis(1))
    cents = np.vstack([a, b, c])
    assert a @ c < 0.75 < a @ b
    assert group_near_duplicates(cents, 0.75) == [0, 0, 0]


# --- families judged on their rising members; CRM context; min_heard ---

from datetime import datetime  # noqa: E402

from nlp.flags import is_price_theme, theme_context  # noqa: E402
from nlp.records import Role, Segment, Source  # noqa: E402


def _seg(sid: str, doc: str, account: str, outcome: str, text: str = "we need this") -> Segment:
    return Segment(segment_id=sid, doc_id=doc, source=Source.NOTE, speaker="", speaker_role=Role.UNKNOWN,
                   created_at=datetime(2024, 6, 1), text=text, account_id=account, outcome=outcome)


def test_raise_flags_stable_sibling_match_does_not_cover_a_rising_member() -> None:
    # t0 (stable, matches "sso") and t2 (emerging, uncovered) are one family
    themes = [_theme(f"t{i}", ThemeStatus.STABLE) for i in range(5)]
    themes[2] = _theme("t2", ThemeStatus.EMERGING)
    flags = raise_flags(themes, _centroids(), STATEMENTS, align_themes(_centroids() @ STATEMENT_VECTORS.T, STATEMENTS),
                        {}, [(100, ["h"])] * 4, 1000, families=[0, 1, 0, 3, 4])
    assert [(f.kind, f.theme_id, f.related_themes) for f in flags] == [(FlagKind.FIELD_AHEAD, "t2", ("t0",))]


@pytest.mark.parametrize(
    "covered_recent, uncovered_recent, flagged",
    [
        (10, 30, "t2"),  # most of the family's rise is uncovered: flagged, on the uncovered member
        (30, 10, None),  # most of it is covered: the strategy addresses the need
    ],
)
def test_raise_flags_rising_family_is_covered_by_majority(covered_recent: int, uncovered_recent: int,
                                                          flagged: str | None) -> None:
    themes = [_theme(f"t{i}", ThemeStatus.STABLE) for i in range(5)]
    themes[0] = replace(_theme("t0", ThemeStatus.GROWING), trend=replace(themes[0].trend, recent_count=covered_recent))
    themes[2] = replace(_theme("t2", ThemeStatus.EMERGING),
                        trend=replace(themes[2].trend, recent_count=uncovered_recent))
    flags = raise_flags(themes, _centroids(), STATEMENTS, align_themes(_centroids() @ STATEMENT_VECTORS.T, STATEMENTS),
                        {}, [(100, ["h"])] * 4, 1000, families=[0, 1, 0, 3, 4])
    assert [f.theme_id for f in flags] == ([flagged] if flagged else [])


@pytest.mark.parametrize(
    "count, n_customer, unheard",
    [
        (2, 100, True),  # a small corpus: under min_heard (3)
        (3, 100, False),  # min_heard reached, share 3%
        (4, 1000, True),  # min_heard reached but under 0.5% of 1000
        (5, 1000, False),  # 0.5% of 1000
    ],
)
def test_raise_flags_unheard_needs_min_heard_and_share(count: int, n_customer: int, unheard: bool) -> None:
    themes = [_theme(f"t{i}", ThemeStatus.STABLE) for i in range(5)]
    cents = np.vstack([_axis(i) for i in (3, 4, 5, 6, 8)])
    heard = [(count, ["u#1"]), (0, []), (100, ["p#1"]), (0, [])]
    flags = _run(themes, cents, heard=heard, n_customer=n_customer)
    assert [f.statement_id for f in flags] == (["sso"] if unheard else [])
    if unheard:
        assert flags[0].context == {"segments_raising": count, "customer_segments": n_customer,
                                    "share": round(count / n_customer, 5)}


def test_theme_context_outcomes_per_document_against_the_baseline() -> None:
    theme = _theme("t2", ThemeStatus.EMERGING)
    segs = [_seg("a#1", "a", "A", "lost", "Stampli quoted less"), _seg("a#2", "a", "A", "lost"),
            _seg("b#1", "b", "B", "lost", "they are looking at stampli and at Coupa"),
            _seg("c#1", "c", "C", "won"), _seg("d#1", "d", "", "")]
    corpus = segs + [_seg(f"z{i}#1", f"z{i}", "Z", "won") for i in range(6)]
    rivals = [Statement("stampli", StatementKind.COMPETITOR, "Stampli"),
              Statement("coupa", StatementKind.COMPETITOR, "Coupa"),
              Statement("tipalti", StatementKind.COMPETITOR, "Tipalti")]
    ctx = theme_context(theme, segs, corpus, rivals)
    assert (ctx["segments"], ctx["documents"], ctx["accounts"]) == (5, 4, 3)
    assert ctx["outcomes"] == {"won": 1, "lost": 2, "open": 0, "unknown": 1}  # doc "a" counts once
    assert ctx["baseline_outcomes"] == {"won": 7, "lost": 2, "open": 0, "unknown": 1}
    assert ctx["lost_rate"] == pytest.approx(2 / 3, abs=1e-3)
    assert ctx["baseline_lost_rate"] == pytest.approx(2 / 9, abs=1e-3)
    assert [(c["statement_id"], c["mentions"], c["outcomes"]["lost"]) for c in ctx["competitors"]] == [
        ("stampli", 2, 2), ("coupa", 1, 1)]
    assert "pricing" not in ctx


@pytest.mark.parametrize(
    "label, keywords, price",
    [
        ("Seat price / budget", ("price", "budget"), True),  # price objection
        ("Discount / renewal", ("discount",), True),  # discounting
        ("Ai assistant / copilot", ("ai", "assistant"), False),  # a product need
    ],
)
def test_is_price_theme(label: str, keywords: tuple[str, ...], price: bool) -> None:
    theme = replace(_theme("t", ThemeStatus.STABLE), label=label, keywords=keywords)
    assert is_price_theme(theme) is price


def test_raise_flags_theme_flag_carries_crm_context_and_says_it() -> None:
    themes = [_theme(f"t{i}", ThemeStatus.STABLE) for i in range(5)]
    themes[2] = replace(_theme("t2", ThemeStatus.EMERGING), label="Seat price / budget")
    segs = {"t2": [_seg("a#1", "a", "A", "lost"), _seg("b#1", "b", "B", "won")]}
    corpus = segs["t2"] + [_seg("z#1", "z", "Z", "won")]
    cents = _centroids()
    flags = raise_flags(themes, cents, STATEMENTS, align_themes(cents @ STATEMENT_VECTORS.T, STATEMENTS), {},
                        [(100, ["h"])] * 4, 1000, theme_segments=segs, corpus_segments=corpus)
    ctx = flags[0].context
    assert ctx["accounts"] == 2 and ctx["outcomes"]["lost"] == 1
    assert ctx["pricing"]["lost_rate"] == 0.5
    assert "from 2 accounts" in flags[0].summary


# --- competitors named by entity recognition (the real spaCy pipeline that load_resources loads) ---

from nlp.flags import entity_filter, named_organisations  # noqa: E402


def _crm(sid: str, doc: str, account: str, outcome: str, text: str, account_name: str = "") -> Segment:
    return replace(_seg(sid, doc, account, outcome, text), account_name=account_name)


NER_SEGMENTS = (
    _crm("a#1", "a", "A", "lost", "They compared us with SAP Concur and with Oracle NetSuite.", "Harbor Freight"),
    _crm("b#1", "b", "B", "lost", "Last year they piloted SAP Concur for expenses and hated it."),
    _crm("c#1", "c", "C", "won", "The CFO said Northwind quoted them more than SAP Concur did."),
    _crm("c#2", "c", "C", "won", "Our controller wants the NetSuite sync to work on day one with Northwind."),
    _crm("d#1", "d", "D", "open", "The AP Specialist at Harbor Freight asked about approvals."),
    _crm("e#1", "e", "E", "open", "Harbor Freight wants the approvals in the tool they use today."),
)
NER_STRATEGY = (Statement("ns", StatementKind.VALUE, "Native two-way sync with NetSuite"),)


def test_parser_of_the_resources_carries_a_disabled_ner(resources) -> None:
    # one spaCy copy: labels run without NER, flags call it
    assert "ner" in resources.parser.component_names
    assert "ner" not in resources.parser.pipe_names


def test_named_organisations_by_ner_less_own_names_partners_accounts_and_titles(resources) -> None:
    flt = entity_filter(NER_STRATEGY, NER_SEGMENTS, "Northwind (AP automation)")
    named = named_organisations(NER_SEGMENTS, resources.parser, flt)
    # spaCy also finds Northwind (the company), NetSuite and Oracle NetSuite (a partner the strategy
    # names), Harbor Freight (a customer account), CFO and "The AP Specialist" (titles): none is a competitor
    assert named == [{"statement_id": None, "name": "SAP Concur", "mentions": 3, "accounts": 3,
                      "outcomes": {"won": 1, "lost": 2, "open": 0, "unknown": 0}, "source": "entity"}]
    # deterministic, whatever order the segments come in
    assert named_organisations(NER_SEGMENTS[::-1], resources.parser, flt) == named


def test_named_organisations_needs_two_documents(resources) -> None:
    segs = NER_SEGMENTS[:1] + NER_SEGMENTS[3:]
    assert named_organisations(segs, resources.parser, entity_filter(NER_STRATEGY, segs, "Northwind")) == []


def test_theme_context_names_statement_competitors_and_ner_organisations_once(resources) -> None:
    theme = _theme("t2", ThemeStatus.EMERGING)
    segs = [*NER_SEGMENTS, _crm("f#1", "f", "F", "lost", "We compete with Coupa on every deal, they said.")]
    rivals = [Statement("coupa", StatementKind.COMPETITOR, "We compete with Coupa")]
    flt = entity_filter([*NER_STRATEGY, *rivals], segs, "Northwind")
    ctx = theme_context(theme, segs, segs, rivals, nlp=resources.parser, entities=flt)
    assert [(c["name"], c["statement_id"], c["source"], c["mentions"]) for c in ctx["competitors"]] == [
        ("SAP Concur", None, "entity", 3), ("Coupa", "coupa", "statement", 1)]
    # a competitor the strategy names is counted from its statement, not a second time by NER
    concur = [Statement("concur", StatementKind.COMPETITOR, "SAP Concur")]
    ctx = theme_context(theme, segs, segs, concur, nlp=resources.parser,
                        entities=entity_filter([*NER_STRATEGY, *concur], segs, "Northwind"))
    assert [(c["name"], c["source"]) for c in ctx["competitors"]] == [("SAP Concur", "statement")]
    # without a pipeline, competitors come from the statements only
    assert theme_context(theme, segs, segs, rivals)["competitors"][0]["name"] == "Coupa"
    assert len(theme_context(theme, segs, segs, rivals)["competitors"]) == 1


def test_raise_flags_names_ner_competitors_in_the_context_less_the_company(resources) -> None:
    themes = [_theme(f"t{i}", ThemeStatus.STABLE) for i in range(5)]
    themes[2] = _theme("t2", ThemeStatus.EMERGING)
    segs = {"t2": list(NER_SEGMENTS)}
    cents = _centroids()
    statements = (*STATEMENTS, *NER_STRATEGY)
    vectors = np.vstack([STATEMENT_VECTORS, _axis(9)])
    flags = raise_flags(themes, cents, statements, align_themes(cents @ vectors.T, statements), {},
                        [(100, ["h"])] * len(statements), 1000, theme_segments=segs,
                        corpus_segments=list(NER_SEGMENTS), nlp=resources.parser, company="Northwind")
    assert [(f.kind, f.theme_id) for f in flags] == [(FlagKind.FIELD_AHEAD, "t2")]
    assert [c["name"] for c in flags[0].context["competitors"]] == ["SAP Concur"]
    assert "competitors named: SAP Concur (3)" in flags[0].summary


def test_raise_flags_tie_at_half_is_not_covered() -> None:
    themes = [_theme(f"t{i}", ThemeStatus.STABLE) for i in range(5)]
    themes[0] = _theme("t0", ThemeStatus.GROWING)  # matches "sso", 20 recent
    themes[2] = _theme("t2", ThemeStatus.EMERGING)  # uncovered, 20 recent
    flags = raise_flags(themes, _centroids(), STATEMENTS, align_themes(_centroids() @ STATEMENT_VECTORS.T, STATEMENTS),
                        {}, [(100, ["h"])] * 4, 1000, families=[0, 1, 0, 3, 4])
    assert [(f.kind, f.theme_id) for f in flags] == [(FlagKind.FIELD_AHEAD, "t2")]


def test_raise_flags_family_whose_pooled_match_is_a_non_target_is_off_strategy() -> None:
    # t2 and t3 (one family, both rising) match nothing one by one; pooled, they read as "smb"
    from nlp.alignment import Alignment
    from nlp.records import ThemeMatch

    themes = [_theme(f"t{i}", ThemeStatus.STABLE) for i in range(5)]
    themes[2] = _theme("t2", ThemeStatus.EMERGING)
    themes[3] = _theme("t3", ThemeStatus.EMERGING)
    al = align_themes(_centroids() @ STATEMENT_VECTORS.T, STATEMENTS)
    matched = np.zeros((1, len(STATEMENTS)), dtype=bool)
    matched[0, 1] = True
    pooled = Alignment(similarity=np.array([[0.1, 0.5, 0.0, 0.0]]), z=np.full((1, 4), 3.0), matched=matched,
                       best=(ThemeMatch("smb", StatementKind.NON_TARGET, 0.5, 0.7),))
    flags = raise_flags(themes, _centroids(), STATEMENTS, al, {}, [(100, ["h"])] * 4, 1000,
                        families=[0, 1, 2, 2, 4], pooled={2: 0}, pooled_alignment=pooled)
    assert [(f.kind, f.theme_id, f.statement_id) for f in flags] == [(FlagKind.OFF_STRATEGY, "t2", "smb")]
    # without the pooled match the family is ahead of the strategy
    flags = raise_flags(themes, _centroids(), STATEMENTS, al, {}, [(100, ["h"])] * 4, 1000, families=[0, 1, 2, 2, 4])
    assert [(f.kind, f.theme_id) for f in flags] == [(FlagKind.FIELD_AHEAD, "t2")]


def _piece_centroids(sibling_close: bool) -> np.ndarray:
    cents = _centroids()
    cents[1] = _unit(_axis(1) + _axis(6))  # t1 says "small businesses" (matches the refusal "smb")
    if sibling_close:  # t2: another piece of the same need, weaker on the refusal's words
        cents[2] = _unit(0.3 * _axis(1) + 0.9 * _axis(6) + 0.3 * _axis(3))
    else:  # t2: a new need that merely resembles the refusal more than any other statement
        cents[2] = _unit(0.3 * _axis(1) + 0.95 * _axis(3))
    return cents


def test_raise_flags_rising_piece_of_a_refused_need_is_off_strategy() -> None:
    themes = [_theme(f"t{i}", ThemeStatus.STABLE) for i in range(5)]
    themes[2] = _theme("t2", ThemeStatus.EMERGING)
    cents = _piece_centroids(sibling_close=True)
    al = align_themes(cents @ STATEMENT_VECTORS.T, STATEMENTS)
    assert al.matched[1, 1] and not al.matched[2].any()  # the stable piece matches, the rising one nothing
    flags = _run(themes, cents)
    assert [(f.kind, f.theme_id, f.statement_id) for f in flags] == [(FlagKind.OFF_STRATEGY, "t2", "smb")]
    assert "close neighbour t1" in flags[0].summary


def test_raise_flags_rising_theme_near_a_refusal_without_a_close_sibling_is_field_ahead() -> None:
    themes = [_theme(f"t{i}", ThemeStatus.STABLE) for i in range(5)]
    themes[2] = _theme("t2", ThemeStatus.EMERGING)
    flags = _run(themes, _piece_centroids(sibling_close=False))
    assert [(f.kind, f.theme_id) for f in flags] == [(FlagKind.FIELD_AHEAD, "t2")]
    # nor with a close sibling when the piece_similarity asks for more
    flags = _run(themes, _piece_centroids(sibling_close=True), params=FlagParams(piece_similarity=0.95))
    assert [(f.kind, f.theme_id) for f in flags] == [(FlagKind.FIELD_AHEAD, "t2")]
