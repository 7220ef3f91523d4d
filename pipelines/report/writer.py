"""Render every bundle file, then swap them into the output folder at once."""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

from nlp.coaching import competitor_names, select_coaching
from nlp.records import Bundle
from pipelines.report.csv_out import coaching_csv, segments_csv
from pipelines.report.html import render_html
from pipelines.report.json_out import dumps_json, flags_document, themes_document
from pipelines.report.markdown import coaching_md, summary_md

__all__ = ["BUNDLE_FILES", "render_bundle", "write_bundle"]

logger = logging.getLogger(__name__)

BUNDLE_FILES = (
    "report.html",
    "summary.md",
    "themes.json",
    "flags.json",
    "segments.csv",
    "coaching.csv",
    "coaching.md",
)
_COACHING_PER_THEME = 3


def render_bundle(bundle: Bundle) -> dict[str, bytes]:
    """Every bundle file's name and UTF-8 content; the same bundle always gives the same bytes.

    Args:
        bundle: the run's bundle.

    Returns:
        File name -> content, for exactly the names in `BUNDLE_FILES`.
    """
    coaching = select_coaching(
        bundle.segments,
        bundle.assignments,
        bundle.themes,
        per_theme=_COACHING_PER_THEME,
        competitors=competitor_names(bundle.strategy.statements),
    )
    texts = {
        "report.html": render_html(bundle),
        "summary.md": summary_md(bundle),
        "themes.json": dumps_json(themes_document(bundle)),
        "flags.json": dumps_json(flags_document(bundle)),
        "segments.csv": segments_csv(bundle.segments, bundle.assignments),
        "coaching.csv": coaching_csv(coaching),
        "coaching.md": coaching_md(coaching, bundle.themes, bundle.run.as_of.isoformat()),
    }
    return {name: texts[name].encode("utf-8") for name in BUNDLE_FILES}


def write_bundle(bundle: Bundle, out_dir: Path) -> Path:
    """Write the bundle's files into ``out_dir``, replacing an older bundle there.

    The files are written into a temporary folder beside ``out_dir`` and the
    folder is renamed into place, so a reader sees the old bundle or the new
    one, never a mix or half of one. When ``out_dir`` holds files other than a
    bundle's, they are left alone and the bundle's files are replaced one by one
    instead (each file still whole).

    Args:
        bundle: the run's bundle.
        out_dir: the folder to write; created with its parents when missing.

    Returns:
        ``out_dir``.

    Raises:
        NotADirectoryError: if ``out_dir`` exists and is not a folder.
        OSError: a bundle file could not be written (a full disk); the message names
            ``out_dir``, and the folder is left as it was.
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise NotADirectoryError(
            f"--out must be a folder, but {out_dir} is a file. Pass a folder path (it is created if missing)."
        )
    files = render_bundle(bundle)
    target = out_dir.resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        staging.chmod(0o755)  # mkdtemp makes it private; a bundle is for reading
        try:
            for name, content in files.items():
                with open(staging / name, "wb") as handle:
                    handle.write(content)
                    handle.flush()
                    os.fsync(handle.fileno())
        except OSError as exc:  # a full disk, a file-size limit: say where, keep the old bundle
            raise OSError(exc.errno, f"cannot write the bundle to {out_dir}: {exc.strerror or exc}; any "
                                     "earlier bundle there is untouched. Fix: free space on that disk, or "
                                     "give another --out") from exc
        _swap_into_place(staging, target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    logger.info("wrote bundle of %d files to %s", len(files), out_dir)
    return out_dir


def _swap_into_place(staging: Path, out_dir: Path) -> None:
    """Move the staged bundle to ``out_dir``: whole folder when safe, else file by file."""
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    foreign = sorted(p.name for p in out_dir.iterdir() if p.name not in BUNDLE_FILES)
    if foreign:
        logger.warning(
            "%s holds files that are not part of a bundle (%s); replacing the bundle's files one by one",
            out_dir,
            ", ".join(foreign[:5]),
        )
        for name in BUNDLE_FILES:
            os.replace(staging / name, out_dir / name)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
    os.rmdir(retired)  # only the unique name is wanted
    os.rename(out_dir, retired)
    try:
        os.rename(staging, out_dir)
    except OSError:
        os.rename(retired, out_dir)  # put the old bundle back
        raise
    shutil.rmtree(retired, ignore_errors=True)
