"""Tests for nlp.strategy: YAML and Markdown strategies, slugs, errors."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlp.errors import StrategyError
from nlp.records import StatementKind
from nlp.strategy import parse_strategy, slugify

YAML = """\
company: Acme
as_of: 2024-06-30
statements:
  - id: obj-1
    kind: objective
    text: Win mid-market logistics
  - id: no-gov
    kind: Non-Target
    text: >
      We do not sell to
      the public sector
  - kind: value
    text: Set up in a day
"""


def test_parse_strategy_yaml_reads_statements_with_lines() -> None:
    strategy = parse_strategy(YAML, fmt="yaml", source="s.yaml")
    assert (strategy.company, strategy.as_of) == ("Acme", date(2024, 6, 30))
    assert strategy.path == "s.yaml"
    assert [(s.id, s.kind, s.text, s.line) for s in strategy.statements] == [
        ("obj-1", StatementKind.OBJECTIVE, "Win mid-market logistics", 4),
        ("no-gov", StatementKind.NON_TARGET, "We do not sell to the public sector", 7),
        ("set-up-in-a-day", StatementKind.VALUE, "Set up in a day", 12),  # id from the slug
    ]


@pytest.mark.parametrize(
    ("text", "reason", "line", "field"),
    [
        # nothing at all
        ("", "empty", None, None),
        # only a comment: YAML loads None
        ("# nothing yet\n", "empty", None, None),
        # a kind that is not in the table; the message lists the allowed ones
        ("statements:\n  - {id: a, kind: vision, text: x}\n", "unknown statement kind", 2, "kind"),
        # a statement without text
        ("statements:\n  - id: a\n    kind: value\n", "no text", 2, "statements[0].text"),
        # blank text
        ("statements:\n  - {id: a, kind: value, text: '  '}\n", "no text", 2, "statements[0].text"),
        # two statements share an id
        ("statements:\n  - {id: a, kind: value, text: x}\n  - {id: a, kind: value, text: y}\n",
         "duplicate statement id 'a'", 3, "id"),
        # a syntax error, with its line
        ("statements:\n  - id: a\n   kind: [value\n", "YAML syntax error", 3, None),
        # statements is not a list
        ("statements: hello\n", "no statements", 1, "statements"),
        # the top level is a list
        ("- {id: a, kind: value, text: x}\n", "expected a mapping", 1, None),
        # an item that is a plain string
        ("statements:\n  - just text\n", "must be a mapping", 2, "statements[0]"),
        # a date that is not a date
        ("as_of: soon\nstatements:\n  - {id: a, kind: value, text: x}\n", "not a date", 1, "as_of"),
    ],
)
def test_parse_strategy_yaml_errors(
    text: str, reason: str, line: int | None, field: str | None
) -> None:
    with pytest.raises(StrategyError) as info:
        parse_strategy(text, fmt="yaml", source="strategy.yaml")
    error = info.value
    assert reason in error.reason
    assert (error.line, error.field) == (line, field)
    assert error.path == "strategy.yaml"
    assert error.fix
    assert "strategy.yaml" in str(error)


def test_parse_strategy_unknown_kind_lists_allowed_kinds() -> None:
    with pytest.raises(StrategyError) as info:
        parse_strategy("statements:\n  - {id: a, kind: vision, text: x}\n", fmt="yaml")
    for kind in StatementKind:
        assert kind.value in info.value.fix


MARKDOWN = """\
---
company: Acme
as_of: 2024-01-31
---
# Acme strategy

- ignored: the title names no kind

## Goals
- Win **mid-market** logistics
- Win mid-market logistics

### Detail (a sub-section keeps the kind)
- Grow NRR to 120%

## what we say no to:
* Public sector
  and agencies

## Why We Win
1. [Fast setup](https://example.com)

```
## Competitors
- inside a code fence: ignored
```

## Appendix
- not a kind: ignored
"""


def test_parse_strategy_markdown_headings_bullets_and_slugs() -> None:
    strategy = parse_strategy(MARKDOWN, fmt="markdown", source="s.md")
    assert (strategy.company, strategy.as_of) == ("Acme", date(2024, 1, 31))
    assert [(s.id, s.kind, s.text, s.line) for s in strategy.statements] == [
        ("win-mid-market-logistics", StatementKind.OBJECTIVE, "Win mid-market logistics", 10),
        ("win-mid-market-logistics-2", StatementKind.OBJECTIVE, "Win mid-market logistics", 11),
        ("grow-nrr-to-120", StatementKind.OBJECTIVE, "Grow NRR to 120%", 14),
        ("public-sector-and-agencies", StatementKind.NON_TARGET, "Public sector and agencies", 17),
        ("fast-setup", StatementKind.VALUE, "Fast setup", 21),
    ]


@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("# Objectives", StatementKind.OBJECTIVE),  # top-level heading
        ("## GOALS", StatementKind.OBJECTIVE),  # case-insensitive
        ("## Where we compete", StatementKind.TARGET),  # target, first spelling
        ("## Segments", StatementKind.TARGET),  # target, last spelling
        ("## Not for us", StatementKind.NON_TARGET),  # non_target
        ("## Non-goals", StatementKind.NON_TARGET),  # hyphenated
        ("## Out of scope", StatementKind.NON_TARGET),  # non_target, last spelling
        ("## Value proposition", StatementKind.VALUE),  # value
        ("## Differentiators:", StatementKind.VALUE),  # a trailing colon is ignored
        ("## Sales priorities", StatementKind.PRIORITY),  # priority
        ("## **Focus**", StatementKind.PRIORITY),  # emphasis is ignored
        ("## 2. Competition", StatementKind.COMPETITOR),  # numbering is ignored
    ],
)
def test_parse_strategy_markdown_heading_table(heading: str, kind: StatementKind) -> None:
    strategy = parse_strategy(f"{heading}\n- A statement\n", fmt="markdown")
    assert [s.kind for s in strategy.statements] == [kind]


@pytest.mark.parametrize(
    "text",
    [
        "# Acme strategy\n- a bullet under the title only\n",  # title names no kind
        "## Objectives\nProse, but no bullet.\n",  # a kind, but no bullet
        "   \n\n",  # blank
    ],
)
def test_parse_strategy_markdown_without_statements_is_an_error(text: str) -> None:
    with pytest.raises(StrategyError) as info:
        parse_strategy(text, fmt="markdown", source="s.md")
    assert "## Objectives" in info.value.fix or "empty" in info.value.reason


def test_parse_strategy_unknown_format() -> None:
    with pytest.raises(StrategyError, match="unknown strategy format"):
        parse_strategy("x", fmt="toml")


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("Win mid-market logistics (EMEA)!", "win-mid-market-logistics-emea"),  # punctuation runs
        ("  --Hello__World--  ", "hello-world"),  # underscores and edges
        ("Réduire les coûts", "reduire-les-couts"),  # accents folded
        ("Grow NRR to 120%", "grow-nrr-to-120"),  # digits kept
        ("!!!", ""),  # nothing alphanumeric
        ("日本市場", "日本市場"),  # non-Latin letters are alphanumeric
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=300), fmt=st.sampled_from(["yaml", "markdown"]))
def test_parse_strategy_raises_only_strategy_error(text: str, fmt: str) -> None:
    try:
        strategy = parse_strategy(text, fmt=fmt)
    except StrategyError:
        return
    assert strategy.statements
    assert len({s.id for s in strategy.statements}) == len(strategy.statements)


_YAMLISH = st.text(alphabet=st.sampled_from(list("statemnts:id kindvaluobjectxt-\n{}[],'\"#&*!")),
                   max_size=200)


@settings(max_examples=300, deadline=None)
@given(text=_YAMLISH)
def test_parse_strategy_yamlish_raises_only_strategy_error(text: str) -> None:
    try:
        parse_strategy("statements:\n" + text, fmt="yaml")
    except StrategyError:
        pass
