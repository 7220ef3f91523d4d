"""How well the bundled sample's themes match the needs planted in it.

Run from the repository root::

    .venv/bin/python -m evaluation.sample_themes [--set section.field=value]

The sample's generator (``data/generate_sample.py``) builds every customer
mention from one of a few core phrasings per planted theme (``THEMES``: spoken
ones for calls, terse ones for notes), wrapped in openers, prefixes and a rep's
next step. This runs ``groundswell mine``'s stages on ``data/sample`` as of
2026-10-31 on a fresh store, gives each stored customer or note segment the
planted themes whose phrasings it holds (:func:`planted_patterns`, read from the
generator, which is imported, never run), and reports:

- on the planted mentions (one per planted need a segment holds): NMI / ARI of
  their segments' themes against the needs (no theme counts as one more label),
  and how many are in a theme; a note that lists two needs has one theme, so at
  most one of its mentions can score;
- the segments that hold two or more planted needs (a note listing several),
  and how many of them carry a theme;
- the themes: how many there are, how many are mostly one planted need (80% or
  more of their members that hold one), and how many are mostly segments that
  hold none (small talk, admin notes, headers, next steps);
- the labels: of the themes that are mostly one planted need, how many have a
  label holding one of that need's keywords (``planted.json``: the words its
  mentions use again and again; a plural counts as its singular).

Development data only: the phrasings are the sample's own. Results:
``results/sample-themes[-SETTINGS].{json,md}``.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

from evaluation.admin_notes import AS_OF, GENERATOR, mine_sample
from evaluation.mine_process import in_process_harness, settings_suffix

__all__ = ["planted_patterns", "planted_needs", "main"]

RESULTS_DIR = Path(__file__).resolve().parent / "results"
#: A theme is "mostly one need" when at least this share of its members that hold one planted need hold the same.
PURE_SHARE = 0.8


def planted_patterns(generator: Path = GENERATOR) -> dict[str, list[re.Pattern[str]]]:
    """Planted theme name -> one case-blind pattern per core phrasing (spoken and terse) of the sample's
    generator: its literal words in order, each ``{slot}`` matching anything, the final stop optional."""
    spec = importlib.util.spec_from_file_location("_groundswell_sample_generator", generator)
    if spec is None or spec.loader is None:
        raise ValueError(f"{generator} cannot be imported")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    try:
        spec.loader.exec_module(module)
    finally:
        sys.modules.pop(spec.name, None)
    return {theme.name: [re.compile(".*?".join(_literal(p) for p in re.split(r"\{[a-z0-9_]+\}", t.rstrip(".?"))),
                                    re.IGNORECASE) for t in [*theme.spoken, *theme.terse]]
            for theme in module.THEMES}


def _literal(part: str) -> str:
    """``part`` as a pattern, where a capitalised word may also have been redacted ("heard <PERSON> has...")."""
    pieces = re.split(r"(\b[A-Z][A-Za-z]+\b)", part)
    return "".join(f"(?:{re.escape(p)}|<[A-Z_]+>)" if i % 2 else re.escape(p) for i, p in enumerate(pieces))


def planted_needs(text: str, patterns: dict[str, list[re.Pattern[str]]]) -> frozenset[str]:
    """The planted themes whose phrasings ``text`` holds (empty: none; two or more: a note listing several)."""
    return frozenset(name for name, pats in patterns.items() if any(p.search(text) for p in pats))


def label_names(label: str, keywords: list[str]) -> bool:
    """Whether a word of ``label`` (hyphenated words also in parts) is one of ``keywords``; a plural counts
    as its singular ("Approvals" names "approval")."""
    def stem(w: str) -> str:
        return w[:-1] if len(w) > 3 and w.endswith("s") else w
    words = {stem(w) for w in re.findall(r"[a-z0-9]+", label.lower())}
    return bool(words & {stem(k.lower()) for k in keywords})


def main(argv: list[str] | None = None) -> int:
    args, settings = in_process_harness(__doc__.splitlines()[0], RESULTS_DIR, argv)
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    patterns = planted_patterns()
    need_keywords = {t["name"]: t["keywords"] for t in
                     json.loads((GENERATOR.parent / "sample" / "planted.json").read_text(encoding="utf-8"))["themes"]}
    with tempfile.TemporaryDirectory(prefix="gs-sample-") as tmp:
        result, segments = mine_sample(settings, Path(tmp))
    stored = [s for s in segments if s.speaker_role.value != "rep"]
    theme_of = {m: t.id for t in result.themes for m in t.members}
    needs = {s.segment_id: planted_needs(s.text, patterns) for s in stored}
    single = sorted(sid for sid, n in needs.items() if len(n) == 1)
    several = sorted(sid for sid, n in needs.items() if len(n) > 1)
    # one row per planted mention: a segment that holds two needs counts once for each, with its one theme
    mentions = [(need, theme_of.get(sid, "-")) for sid in sorted(needs) for need in sorted(needs[sid])]
    gold = [g for g, _ in mentions]
    found = [f for _, f in mentions]
    themes = []
    for t in result.themes:
        held = Counter(next(iter(needs[m])) for m in t.members if len(needs.get(m, ())) == 1)
        top, count = held.most_common(1)[0] if held else ("-", 0)
        with_need = sum(1 for m in t.members if needs.get(m))
        themes.append({"id": t.id, "label": t.label, "size": len(t.members), "need": top,
                       "purity": round(count / max(sum(held.values()), 1), 3),
                       "with_a_need": round(with_need / max(len(t.members), 1), 3)})
    pure = [t for t in themes if t["purity"] >= PURE_SHARE and t["with_a_need"] >= 0.5]
    for t in pure:
        t["label_names_need"] = label_names(t["label"], need_keywords[t["need"]])
    no_need = [t for t in themes if t["with_a_need"] < 0.5]
    report = {
        "settings": args.settings, "as_of": AS_OF.isoformat(), "segments": len(stored),
        "mentions": {"count": len(mentions), "themed": sum(f != "-" for f in found),
                     "nmi": round(float(normalized_mutual_info_score(gold, found)), 4),
                     "ari": round(float(adjusted_rand_score(gold, found)), 4)},
        "one_need": {"segments": len(single), "themed": sum(sid in theme_of for sid in single)},
        "several_needs": {"segments": len(several), "themed": sum(sid in theme_of for sid in several)},
        "themes": len(themes), "themes_mostly_one_need": len(pure), "themes_mostly_no_need": len(no_need),
        "labels_naming_their_need": sum(t["label_names_need"] for t in pure),
        "flags": [f"{f.kind.value} {f.theme_id or f.statement_id}" for f in result.flags], "per_theme": themes,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    stem = "sample-themes" + settings_suffix(args.settings)
    (args.out / f"{stem}.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    one, many, said = report["one_need"], report["several_needs"], report["mentions"]
    lines = ["# The sample's themes against the needs planted in it", "",
             f"Settings: {', '.join(args.settings) or 'defaults'}. Generated by `python -m evaluation.sample_themes"
             f"{''.join(' --set ' + p for p in args.settings)}` (data/sample, as of {AS_OF}, fresh store).", "",
             f"- customer and note segments: {len(stored)}",
             f"- planted mentions found: {said['count']}; in a theme {said['themed']}; NMI {said['nmi']:.3f}, "
             f"ARI {said['ari']:.3f} of their themes against the planted needs (no theme counts as one more "
             f"label; a segment that holds two needs counts once for each, with its one theme)",
             f"- segments holding one planted need: {one['segments']}; in a theme {one['themed']}",
             f"- segments holding two or more planted needs: {many['segments']}; in a theme {many['themed']}",
             f"- themes: {len(themes)}; mostly one need ({PURE_SHARE:.0%} or more): {len(pure)}; "
             f"mostly segments with no planted need: {len(no_need)}",
             f"- labels that hold a keyword of their planted need (of the themes mostly one need): "
             f"{report['labels_naming_their_need']} of {len(pure)}",
             f"- flags: {', '.join(report['flags'])}", "",
             "| theme | label | members | planted need | purity | with a need | label names the need |",
             "| --- | --- | ---: | --- | ---: | ---: | --- |"]
    lines += [f"| {t['id']} | {t['label']} | {t['size']} | {t['need']} | {t['purity']:.2f} | {t['with_a_need']:.2f} | "
              f"{ {True: 'yes', False: 'no'}.get(t.get('label_names_need'), '') } |" for t in themes]
    (args.out / f"{stem}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
