"""Parse the stated strategy (YAML or Markdown) into Statements. Pure: text in.

YAML::

    company: Acme
    as_of: 2024-06-30
    statements:
      - {id: obj-1, kind: objective, text: Win mid-market logistics}

Markdown: each ``#``/``##`` heading names the kind of the bullets under it
(``## Objectives``, ``## What we say no to``...); each bullet is a statement
whose id is the slug of its text.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Any

import yaml

from nlp.errors import StrategyError
from nlp.records import Statement, StatementKind, Strategy

__all__ = ["HEADING_KINDS", "parse_strategy", "slugify"]

# SPEC.md "Strategy": the headings that name each kind (case-insensitive).
HEADING_KINDS: dict[str, StatementKind] = {
    "objectives": StatementKind.OBJECTIVE,
    "goals": StatementKind.OBJECTIVE,
    "where we compete": StatementKind.TARGET,
    "who we are for": StatementKind.TARGET,
    "target customers": StatementKind.TARGET,
    "segments": StatementKind.TARGET,
    "what we say no to": StatementKind.NON_TARGET,
    "not for us": StatementKind.NON_TARGET,
    "non-goals": StatementKind.NON_TARGET,
    "out of scope": StatementKind.NON_TARGET,
    "value proposition": StatementKind.VALUE,
    "why we win": StatementKind.VALUE,
    "differentiators": StatementKind.VALUE,
    "priorities": StatementKind.PRIORITY,
    "sales priorities": StatementKind.PRIORITY,
    "focus": StatementKind.PRIORITY,
    "competitors": StatementKind.COMPETITOR,
    "competition": StatementKind.COMPETITOR,
}

_KINDS = ", ".join(kind.value for kind in StatementKind)
_HEADINGS_HELP = "; ".join(
    f"{kind.value}: " + ", ".join(h for h, k in HEADING_KINDS.items() if k is kind)
    for kind in StatementKind
)
_YAML_FIX = "write 'statements:' as a list of {id, kind, text} entries"

_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET_RE = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+(.*\S)\s*$")
_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS_RE = re.compile(r"(\*\*|__|\*|_|`|~~)(.+?)\1")


def slugify(text: str) -> str:
    """Lower-case ``text``, fold accents, and turn runs of non-alphanumerics into ``-``.

    >>> slugify("Win mid-market logistics (EMEA)!")
    'win-mid-market-logistics-emea'
    """
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    return re.sub(r"[\W_]+", "-", folded).strip("-")


def parse_strategy(text: str, *, fmt: str, source: str = "") -> Strategy:
    """Parse a strategy document.

    Args:
        text: the document's text.
        fmt: ``"yaml"`` or ``"markdown"``.
        source: the file it came from, for error messages and ``Strategy.path``.

    Returns:
        The Strategy, statements in document order, each with its line number.

    Raises:
        StrategyError: empty text, YAML syntax errors (with the line), a
            statement without text, an unknown kind (the allowed kinds are
            listed), duplicate ids, a bad ``as_of``, or no statement at all.
    """
    if not text.strip():
        raise StrategyError(source, "the strategy file is empty",
                            fix="add statements (see SPEC.md 'Strategy')")
    fmt_key = fmt.strip().lower()
    if fmt_key in ("yaml", "yml"):
        return _parse_yaml(text, source)
    if fmt_key in ("markdown", "md"):
        return _parse_markdown(text, source)
    raise StrategyError(source, f"unknown strategy format {fmt!r}", field="fmt",
                        fix="use 'yaml' or 'markdown'")


# --- YAML -------------------------------------------------------------------


def _load_yaml(text: str, source: str) -> tuple[Any, yaml.Node | None]:
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise StrategyError(
            source,
            f"YAML syntax error: {problem}",
            line=mark.line + 1 if mark is not None else None,
            fix="check the indentation and quoting there (quote text that holds ': ' or '#')",
        ) from exc
    except RecursionError as exc:
        raise StrategyError(source, "YAML nested too deeply", fix=_YAML_FIX) from exc
    return data, node


def _mapping_value(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                return value_node
    return None


def _line(node: yaml.Node | None) -> int | None:
    return node.start_mark.line + 1 if node is not None else None


def _kind(value: Any, source: str, line: int | None) -> StatementKind:
    key = re.sub(r"[\s\-]+", "_", str(value or "").strip().lower())
    try:
        return StatementKind(key)
    except ValueError:
        raise StrategyError(
            source,
            f"unknown statement kind {value!r}",
            line=line,
            field="kind",
            fix=f"use one of: {_KINDS}",
        ) from None


def _as_of(value: Any, source: str, line: int | None) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise StrategyError(source, f"as_of {value!r} is not a date", line=line, field="as_of",
                            fix="write as_of as YYYY-MM-DD") from None


def _parse_yaml(text: str, source: str) -> Strategy:
    data, root = _load_yaml(text, source)
    if data is None:
        raise StrategyError(source, "the strategy file is empty",
                            fix="add statements (see SPEC.md 'Strategy')")
    if not isinstance(data, dict):
        raise StrategyError(
            source,
            f"expected a mapping with 'statements', got a {type(data).__name__}",
            line=1,
            fix=_YAML_FIX,
        )
    items = data.get("statements")
    items_node = _mapping_value(root, "statements")
    if not isinstance(items, list) or not items:
        raise StrategyError(source, "no statements: 'statements' must be a non-empty list",
                            line=_line(items_node) or 1, field="statements", fix=_YAML_FIX)
    nodes = list(items_node.value) if isinstance(items_node, yaml.SequenceNode) else []
    statements: list[Statement] = []
    seen: dict[str, int | None] = {}
    for index, item in enumerate(items):
        node = nodes[index] if index < len(nodes) else None
        line = _line(node)
        if not isinstance(item, dict):
            raise StrategyError(source, "each statement must be a mapping of id, kind and text",
                                line=line, field=f"statements[{index}]", fix=_YAML_FIX)
        body = item.get("text")
        if not isinstance(body, str | int | float) or not str(body).strip():
            raise StrategyError(source, "statement has no text", line=line,
                                field=f"statements[{index}].text",
                                fix="give every statement a non-empty 'text'")
        body = " ".join(str(body).split())
        kind = _kind(item.get("kind"), source, _line(_mapping_value(node, "kind")) or line)
        raw_id = item.get("id")
        statement_id = str(raw_id).strip() if raw_id not in (None, "") else slugify(body)
        if not statement_id:
            raise StrategyError(source, "statement has no id", line=line,
                                field=f"statements[{index}].id", fix="give the statement an 'id'")
        if statement_id in seen:
            raise StrategyError(
                source,
                f"duplicate statement id {statement_id!r} (first on line {seen[statement_id]})",
                line=_line(_mapping_value(node, "id")) or line,
                field="id",
                fix="give each statement a unique id",
            )
        seen[statement_id] = line
        statements.append(Statement(statement_id, kind, body, line))
    company = data.get("company")
    return Strategy(
        statements=tuple(statements),
        company="" if company is None else str(company).strip(),
        as_of=_as_of(data.get("as_of"), source, _line(_mapping_value(root, "as_of"))),
        path=source,
    )


# --- Markdown ---------------------------------------------------------------


def _heading_kind(title: str) -> StatementKind | None:
    plain = _EMPHASIS_RE.sub(r"\2", title)
    plain = re.sub(r"^\s*\d+[.)]\s*", "", plain)  # "1. Objectives"
    plain = re.sub(r"\s+", " ", plain).strip().rstrip(":").strip().lower()
    return HEADING_KINDS.get(plain)


def _inline_text(text: str) -> str:
    text = _LINK_RE.sub(r"\1", text)
    text = _EMPHASIS_RE.sub(r"\2", text)
    return " ".join(text.split())


def _front_matter(lines: list[str], source: str) -> tuple[dict[str, Any], int]:
    """YAML front matter between ``---`` lines at the top: (data, lines used)."""
    if not lines or lines[0].strip() != "---":
        return {}, 0
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            data, _ = _load_yaml("\n".join(lines[1:end]), source)
            return (data if isinstance(data, dict) else {}), end + 1
    return {}, 0


def _parse_markdown(text: str, source: str) -> Strategy:
    lines = text.splitlines()
    meta, skip = _front_matter(lines, source)
    kind: StatementKind | None = None
    pending: list[tuple[StatementKind, str, int]] = []  # kind, raw text, line
    in_fence = False
    continues = False  # whether an indented line would continue the last bullet
    for number, line in enumerate(lines, start=1):
        if number <= skip:
            continue
        if line.lstrip().startswith(("```", "~~~")):
            in_fence, continues = not in_fence, False
            continue
        heading = None if in_fence else _HEADING_RE.match(line)
        bullet = None if in_fence else _BULLET_RE.match(line)
        if in_fence or not line.strip():
            continues = False
        elif heading:
            continues = False
            if len(heading.group(1)) <= 2:  # '###' and deeper are sub-sections
                kind = _heading_kind(heading.group(2))
        elif bullet:
            continues = kind is not None
            if kind is not None:
                pending.append((kind, bullet.group(2), number))
        elif continues and line[:1].isspace():
            last_kind, last_text, last_line = pending[-1]
            pending[-1] = (last_kind, f"{last_text} {line.strip()}", last_line)
        else:
            continues = False
    statements: list[Statement] = []
    ids: set[str] = set()
    for stmt_kind, raw, number in pending:
        body = _inline_text(raw)
        if not body:
            continue
        base = slugify(body) or "statement"
        statement_id, count = base, 1
        while statement_id in ids:
            count += 1
            statement_id = f"{base}-{count}"
        ids.add(statement_id)
        statements.append(Statement(statement_id, stmt_kind, body, number))
    if not statements:
        raise StrategyError(
            source,
            "no statements: no bullet sits under a heading that names a kind",
            fix=f"put bullets under '#'/'##' headings such as '## Objectives'. Headings by kind: "
            f"{_HEADINGS_HELP}",
        )
    company = meta.get("company")
    return Strategy(
        statements=tuple(statements),
        company="" if company is None else str(company).strip(),
        as_of=_as_of(meta.get("as_of"), source, None),
        path=source,
    )
