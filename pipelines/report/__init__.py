"""The output bundle: report.html, summary.md, themes.json, flags.json and the CSVs.

`write_bundle` renders every file in memory, writes them into a temporary
folder beside the target and swaps that folder into place, so a reader never
sees half a bundle.
"""

from pipelines.report.writer import BUNDLE_FILES, render_bundle, write_bundle

__all__ = ["BUNDLE_FILES", "render_bundle", "write_bundle"]
