"""Tests of pipelines.settings: defaults, YAML/TOML files, the environment, errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nlp.errors import ConfigError
from pipelines.settings import Settings, load_settings


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    """No GROUNDSWELL_* variable from the outside leaks into a test."""
    for key in list(os.environ):
        if key.upper().startswith("GROUNDSWELL_"):
            monkeypatch.delenv(key)


def _write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_load_settings_defaults() -> None:
    st = load_settings()
    assert st == Settings()
    assert st.themes.min_theme_size == 5
    assert st.trends.window_days == 28
    assert st.segment.max_chars == 400
    assert st.themes.granularity is None


def test_spoken_content_word_bar_is_one_with_the_probe_and_two_without() -> None:
    from pipelines.settings import spoken_content_word_bar

    assert spoken_content_word_bar(Settings()) == 1
    assert spoken_content_word_bar(Settings.model_validate({"themes": {"small_talk_probe": False}})) == 2
    assert spoken_content_word_bar(Settings.model_validate({"segment": {"min_spoken_content_words": 3}})) == 3


def test_load_settings_from_yaml(tmp_path) -> None:
    cfg = _write(tmp_path, "groundswell.yaml",
                 "themes:\n  min_theme_size: 8\n  granularity: 0.3\ntrends:\n  window_days: 14\n")
    st = load_settings(cfg)
    assert st.themes.min_theme_size == 8
    assert st.themes.granularity == 0.3
    assert st.trends.window_days == 14
    # untouched fields keep their defaults, in touched and untouched sections
    assert st.themes.seed == 0
    assert st.trends.baseline_days == 84
    assert st.segment == Settings().segment


def test_merge_mixing_null_turns_joining_off(tmp_path) -> None:
    assert Settings().themes.merge_mixing == 0.1
    st = load_settings(_write(tmp_path, "groundswell.yaml", "themes:\n  merge_mixing: null\n"))
    assert st.themes.merge_mixing is None


def test_load_settings_from_toml(tmp_path) -> None:
    cfg = _write(tmp_path, "groundswell.toml",
                 "[themes]\nmin_theme_size = 8\n\n[align]\nfloor = 0.5\nmin_z = 3.0\n")
    st = load_settings(str(cfg))
    assert st.themes.min_theme_size == 8
    assert st.align.floor == 0.5
    assert st.align.min_z == 3.0


@pytest.mark.parametrize(
    "name, text",
    [
        ("empty.yaml", ""),  # an empty YAML file: all defaults
        ("comments.yaml", "# nothing set yet\n"),  # only a comment
        ("empty.toml", ""),  # an empty TOML file
    ],
)
def test_load_settings_empty_file_gives_defaults(tmp_path, name: str, text: str) -> None:
    assert load_settings(_write(tmp_path, name, text)) == Settings()


def test_load_settings_env_var_nested_with_double_underscore(monkeypatch) -> None:
    monkeypatch.setenv("GROUNDSWELL_THEMES__MIN_THEME_SIZE", "8")
    monkeypatch.setenv("GROUNDSWELL_TRENDS__ALPHA", "0.05")
    st = load_settings()
    assert st.themes.min_theme_size == 8
    assert st.trends.alpha == 0.05


def test_load_settings_env_var_null_is_none_as_in_a_file(monkeypatch) -> None:
    """An optional field switched off from the environment, as `field: null` does in a config file."""
    monkeypatch.setenv("GROUNDSWELL_THEMES__CORPUS_PROBE", "null")
    monkeypatch.setenv("GROUNDSWELL_THEMES__MERGE_MIXING", "null")
    st = load_settings()
    assert st.themes.corpus_probe is None and st.themes.merge_mixing is None
    monkeypatch.setenv("GROUNDSWELL_THEMES__MIN_THEME_SIZE", "null")  # a field that must have a value says so
    with pytest.raises(ConfigError, match="themes.min_theme_size"):
        load_settings()


def test_load_settings_env_var_and_file_combine(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("GROUNDSWELL_THEMES__MIN_THEME_SIZE", "8")
    cfg = _write(tmp_path, "c.yaml", "trends:\n  window_days: 14\n")
    st = load_settings(cfg)
    assert st.themes.min_theme_size == 8
    assert st.trends.window_days == 14


def test_load_settings_env_var_beats_config_file(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("GROUNDSWELL_THEMES__MIN_THEME_SIZE", "8")
    cfg = _write(tmp_path, "c.yaml", "themes:\n  min_theme_size: 7\n")
    assert load_settings(cfg).themes.min_theme_size == 8


def test_load_settings_overrides_beat_file_and_env(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("GROUNDSWELL_THEMES__MIN_THEME_SIZE", "8")
    cfg = _write(tmp_path, "c.yaml", "themes:\n  min_theme_size: 7\n")
    assert load_settings(cfg, themes__min_theme_size=9).themes.min_theme_size == 9


def test_load_settings_unknown_section_names_it(tmp_path) -> None:
    cfg = _write(tmp_path, "c.yaml", "themez:\n  min_theme_size: 8\n")
    with pytest.raises(ConfigError) as info:
        load_settings(cfg)
    err = info.value
    assert err.field == "themez"
    assert err.path == str(cfg)
    assert "unknown section 'themez'" in str(err)
    assert "themes" in err.fix  # the fix lists the real sections


def test_load_settings_unknown_field_names_it(tmp_path) -> None:
    cfg = _write(tmp_path, "c.yaml", "themes:\n  min_theme_sise: 8\n")
    with pytest.raises(ConfigError) as info:
        load_settings(cfg)
    assert info.value.field == "themes.min_theme_sise"


@pytest.mark.parametrize(
    "name, text, field, says",
    [
        ("a.yaml", "themes:\n  min_theme_size: 1\n", "themes.min_theme_size", "greater than or equal to 2"),  # below the minimum
        ("b.yaml", "themes:\n  min_theme_size: lots\n", "themes.min_theme_size", "integer"),  # not a number
        ("c.toml", "[trends]\nalpha = 1.5\n", "trends.alpha", "less than 1"),  # out of range, TOML
        ("d.yaml", "align:\n  floor: 2\n", "align.floor", "less than or equal to 1"),  # cosine above 1
        ("e.yaml", "ingest:\n  redact_pii: maybe\n", "ingest.redact_pii", "boolean"),  # not a boolean
        ("f.yaml", "themes:\n  merge_mixing: 0\n", "themes.merge_mixing", "greater than 0"),  # null turns it off
    ],
)
def test_load_settings_invalid_value_names_the_field(tmp_path, name, text, field, says) -> None:
    cfg = _write(tmp_path, name, text)
    with pytest.raises(ConfigError) as info:
        load_settings(cfg)
    err = info.value
    assert err.field == field
    assert err.path == str(cfg)
    assert says in err.reason
    assert f"field '{field}'" in str(err)
    assert err.fix


def test_load_settings_invalid_env_var_names_the_field(monkeypatch) -> None:
    monkeypatch.setenv("GROUNDSWELL_THEMES__MIN_THEME_SIZE", "1")
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert info.value.field == "themes.min_theme_size"
    assert "environment" in str(info.value)


def test_load_settings_invalid_env_var_is_not_blamed_on_the_file(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("GROUNDSWELL_THEMES__MIN_THEME_SIZE", "1")
    cfg = _write(tmp_path, "c.yaml", "trends:\n  window_days: 14\n")
    with pytest.raises(ConfigError) as info:
        load_settings(cfg)
    assert "GROUNDSWELL_" in str(info.value)


@pytest.mark.parametrize(
    "name, text, says, field",
    [
        ("list.yaml", "- themes\n- trends\n", "expected a mapping of sections", None),  # top level is a list
        ("flat.yaml", "themes: 8\n", "section 'themes' must be a mapping", "themes"),  # section is a scalar
        ("bad.toml", "[themes\nmin_theme_size = 8\n", "not valid TOML", None),  # broken TOML
    ],
)
def test_load_settings_malformed_file(tmp_path, name, text, says, field) -> None:
    cfg = _write(tmp_path, name, text)
    with pytest.raises(ConfigError, match=says) as info:
        load_settings(cfg)
    assert info.value.path == str(cfg)
    assert info.value.field == field


def test_load_settings_invalid_yaml_names_the_line(tmp_path) -> None:
    cfg = _write(tmp_path, "c.yaml", "themes:\n  min_theme_size: 8\n  seed: [1, 2\n")
    with pytest.raises(ConfigError, match="not valid YAML") as info:
        load_settings(cfg)
    assert info.value.line is not None and info.value.line >= 3


def test_load_settings_missing_file(tmp_path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(ConfigError, match="cannot read the config file") as info:
        load_settings(missing)
    assert info.value.path == str(missing)
