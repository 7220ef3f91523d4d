"""Readers: turn export files into Documents, or quarantine them with a reason.

Formats (SPEC.md "Inputs"): Teams and Zoom WebVTT, SubRip, Gong transcript
JSON, plain-text transcripts, and CRM notes as CSV or JSON Lines (canonical,
Salesforce Task, Salesforce ContentNote, HubSpot), plus the ``calls.csv`` and
``team.csv`` sidecars of a transcript folder. The format is found from the
extension and the content.
"""

from __future__ import annotations

from pipelines.readers.sources import FileResult, read_sources
from pipelines.readers.strategy import read_strategy

__all__ = ["FileResult", "read_sources", "read_strategy"]
