"""summary.md (headline findings, short enough for email or chat) and coaching.md."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from nlp.coaching import CoachingRow
from nlp.records import NO_THEME_REASONS, Bundle, Flag, FlagKind, Role, Run, Segment, Source, Theme
from pipelines.report.safety import format_offset, md_inline, shorten

__all__ = ["FLAG_TITLES", "coaching_md", "coverage_line", "evidence_quote", "summary_md"]

FLAG_TITLES = {
    FlagKind.FIELD_AHEAD: "Field ahead of strategy",
    FlagKind.OFF_STRATEGY: "Pulled off strategy",
    FlagKind.STRATEGY_UNHEARD: "Strategy unheard",
}
_SUMMARY_FLAGS = 6  # keeps summary.md to about a page
_SUMMARY_THEMES = 5
_QUOTE_CHARS = 200
_MAX_LINES = 60  # about a page


def coverage_line(bundle: Bundle) -> str:
    """How much of what customers said (and notes) the themes cover, and why the rest has no theme.

    "" when the run recorded no reasons (:data:`nlp.records.NO_THEME_REASONS`). Rep speech is never
    themed: it is counted apart, by speaker role.
    """
    if not bundle.no_theme:
        return ""
    reasons: dict[str, int] = {}
    themed = rep = 0
    for s in bundle.segments:
        if s.segment_id in bundle.assignments:
            themed += 1
        elif s.speaker_role == Role.REP:
            rep += 1
        else:
            why = bundle.no_theme.get(s.segment_id, NO_THEME_REASONS["noise"])
            reasons[why] = reasons.get(why, 0) + 1
    heard = len(bundle.segments) - rep
    share = f" ({100 * themed / heard:.0f}%)" if heard else ""
    rest = ", ".join(f"{n} {why}" for why, n in sorted(reasons.items(), key=lambda kv: (-kv[1], kv[0])))
    line = f"Themes cover {themed} of {heard} customer and note segments{share}"
    line += f"; the others: {rest}." if rest else "."
    return line + (f" Rep speech ({_plural(rep, 'segment')}) is never themed." if rep else "")


def summary_md(bundle: Bundle) -> str:
    """The run line, counts, flags in plain words with one quote each, and the top themes."""
    run = bundle.run
    segments = {s.segment_id: s for s in bundle.segments}
    statements = {s.id: s.text for s in bundle.strategy.statements}
    company = f" for {md_inline(bundle.strategy.company)}" if bundle.strategy.company else ""
    counts = run.counts
    lines = [
        f"# groundswell{company}: field themes as of {run.as_of.isoformat()}",
        "",
        f"Run {md_inline(run.id)}, finished {_when(run)}. "
        f"{counts.get('documents', 0)} documents, {counts.get('segments', 0)} segments, "
        f"{len(bundle.themes)} themes, {len(bundle.flags)} flags"
        + (
            f", {_plural(counts['quarantined'], 'file')} quarantined (see report.html)."
            if counts.get("quarantined")
            else "."
        ),
        "",
    ]
    coverage = coverage_line(bundle)
    if coverage:
        lines += [coverage, ""]
    lines += [
        f"## Flags ({len(bundle.flags)})",
        "",
    ]
    if not bundle.flags:
        lines += ["No flags: what customers raise lines up with the stated strategy.", ""]
    for n, flag in enumerate(bundle.flags[:_SUMMARY_FLAGS], start=1):
        lines.append(f"{n}. **{FLAG_TITLES[flag.kind]}** (score {flag.score:.2f}): {md_inline(flag.summary)}")
        quote = evidence_quote(flag, segments)
        if quote is not None:
            said = md_inline(shorten(quote.text, _QUOTE_CHARS))
            lead = "Nearest a customer came: " if flag.kind == FlagKind.STRATEGY_UNHEARD else ""
            lines.append(f"   > {lead}\u201c{said}\u201d {md_inline(_attribution(quote))}")
        lines.append("")
    if len(bundle.flags) > _SUMMARY_FLAGS:
        lines += [f"And {len(bundle.flags) - _SUMMARY_FLAGS} more in report.html.", ""]

    top = sorted(bundle.themes, key=lambda t: (-t.size, t.id))[:_SUMMARY_THEMES]
    if top:
        lines += [
            "## Top themes",
            "",
            "| theme | status | size | customer share | strategy match |",
            "| --- | --- | ---: | ---: | --- |",
        ]
        for theme in top:
            match = theme.strategy_match
            said = statements.get(match.statement_id, match.statement_id) if match else ""
            matched = f"{match.kind.value}: {md_inline(shorten(said, 60))}" if match else "none"
            lines.append(
                f"| {md_inline(theme.label)} | {theme.status.value} | {theme.size} "
                f"| {theme.customer_share:.0%} | {matched} |"
            )
        lines.append("")
    if bundle.changes:
        lines += ["## Since the last run", ""]
        lines += [f"- {md_inline(shorten(change, 200))}" for change in bundle.changes[:5]]
        if len(bundle.changes) > 5:
            lines.append(f"- and {len(bundle.changes) - 5} more in report.html")
        lines.append("")
    if len(lines) > _MAX_LINES:
        lines = [*lines[: _MAX_LINES - 2], "", "More in report.html."]
    return "\n".join(lines)


def coaching_md(rows: Sequence[CoachingRow], themes: Sequence[Theme], as_of: str) -> str:
    """Per theme: the customer's turn, the rep's answer, who and when, the outcome and why."""
    by_theme: dict[str, list[CoachingRow]] = {}
    for row in rows:
        by_theme.setdefault(row.theme_id, []).append(row)
    lines = [
        "# Coaching snippets",
        "",
        f"Rep answers to customer themes, as of {as_of}: won deals first, then open, then lost. "
        f"{len(rows)} snippets across {len(by_theme)} themes.",
        "",
    ]
    for theme in themes:
        theme_rows = by_theme.get(theme.id)
        if not theme_rows:
            continue
        match = theme.strategy_match
        lines += [
            f"## {md_inline(theme.label)}",
            "",
            f"Theme {md_inline(theme.id)}, {theme.status.value}, {theme.size} segments. "
            + (
                f"Closest strategy statement: {md_inline(match.statement_id)} ({match.kind.value})."
                if match
                else "No strategy statement covers it."
            ),
            "",
        ]
        for n, row in enumerate(theme_rows, start=1):
            at = f" at {format_offset(row.start_s)}" if row.start_s is not None else ""
            outcome = row.outcome or "outcome unknown"
            lines += [
                f"### {n}. {md_inline(row.speaker or 'Rep')}{at} in call {md_inline(row.doc_id)} ({outcome})",
                "",
                f"> **Customer:** {md_inline(row.customer_text)}",
                ">",
                f"> **{md_inline(row.speaker or 'Rep')}:** {md_inline(row.text)}",
                "",
                f"*Why:* {md_inline(row.why)}. Segment {md_inline(row.segment_id)}.",
                "",
            ]
    if not rows:
        lines += ["No customer theme was answered by a rep in a call yet.", ""]
    return "\n".join(lines)


def evidence_quote(flag: Flag, segments: Mapping[str, Segment]) -> Segment | None:
    """The flag's first evidence segment present in the bundle, customer speech preferred."""
    found = [segments[sid] for sid in flag.evidence if sid in segments]
    for segment in found:
        if segment.speaker_role != Role.REP:
            return segment
    return found[0] if found else None


def _attribution(segment: Segment) -> str:
    if segment.source == Source.NOTE:
        parts = [f"CRM note by {segment.speaker}" if segment.speaker else "CRM note"]
    else:
        parts = [segment.speaker or "unknown speaker"]
    if segment.account_name:
        parts.append(segment.account_name)
    parts.append(segment.created_at.date().isoformat())
    if segment.start_s is not None:
        parts.append(f"at {format_offset(segment.start_s)}")
    return "\u2014 " + ", ".join(parts)


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _when(run: Run) -> str:
    moment = run.finished_at or run.started_at
    return moment.isoformat(sep=" ", timespec="minutes")
