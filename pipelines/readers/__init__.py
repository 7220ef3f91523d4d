"""Readers: turn export files into Documents, or quarantine them with a reason.

Formats (SPEC.md "Inputs"): Teams and Zoom WebVTT, SubRip, Gong transcript
JSON, plain-text transcripts, and CRM notes as CSV or JSON Lines (canonical,
Salesforce Task, Salesforce ContentNote, HubSpot), plus the ``calls.csv`` and
``team.csv`` sidecars of a transcript folder. The format is found from the
extension and the content.

Reading is two steps: :func:`plan_sources` hashes every file (and the
sidecars in force for it) without parsing, so a caller with a ledger can skip
what it already holds; :func:`stream_file` / :func:`read_file` then read one
planned file, and every failure is a quarantine record, never an exception
that stops the run.
"""

from __future__ import annotations

from pipelines.readers.sources import (
    FileResult,
    ReadFailure,
    ReadLimits,
    SidecarCache,
    SourceFile,
    StreamedFile,
    plan_sources,
    read_file,
    read_sources,
    stream_file,
)
from pipelines.readers.strategy import read_strategy

__all__ = [
    "FileResult",
    "ReadFailure",
    "ReadLimits",
    "SidecarCache",
    "SourceFile",
    "StreamedFile",
    "plan_sources",
    "read_file",
    "read_sources",
    "read_strategy",
    "stream_file",
]
