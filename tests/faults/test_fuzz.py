"""Format-aware fuzzing of every reader and the strategy parser (evaluation/fuzz.py runs it longer)."""

from __future__ import annotations

import pytest

from evaluation.fuzz import PROPERTIES, run_property


@pytest.mark.parametrize(
    "name",
    [
        "vtt",  # Teams voice tags and Zoom 'Name: text' cues, with calls.csv / team.csv beside them
        "srt",  # SubRip blocks, broken numbers and timings
        "text",  # 'Name: text' lines and Otter 'Name  0:05' headers
        "gong_json",  # callTranscripts/parties with any JSON value in any field, truncated JSON
        "notes_csv",  # canonical, Salesforce Task / ContentNote, HubSpot UI and API columns as CSV or TSV
        "notes_jsonl",  # canonical and HubSpot API records as JSON Lines
        "strategy",  # Markdown headings and bullets, YAML statements
    ],
)
def test_readers_and_strategy_parser_never_raise_or_hang_on_fuzzed_input(name):
    assert name in PROPERTIES
    run_property(name, examples=80)
