"""`groundswell serve`: the nightly deployment, its schedule and its configuration."""

from __future__ import annotations

from pathlib import Path

import pytest

from flows.cli import main
from flows.serve import apply_nightly, check_schedule
from nlp.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "sample"


def test_apply_nightly_creates_a_scheduled_deployment(prefect_harness, tmp_path):
    from prefect.client.orchestration import get_client

    params = dict(sources=[str(SAMPLE / "notes")], strategy=str(SAMPLE / "strategy.md"), out=str(tmp_path / "out"),
                  store_url=f"sqlite:///{tmp_path / 'store.db'}", config=None)
    dep_id = apply_nightly(name="nightly-test", cron="30 3 * * *", timezone="Europe/Berlin",
                           overrides={"run__lock_timeout_s": 600}, **params)
    with get_client(sync_client=True) as client:
        dep = client.read_deployment(dep_id)
        flow = client.read_flow(dep.flow_id)
    assert dep.name == "nightly-test" and flow.name == "groundswell-mine"
    assert len(dep.schedules) == 1 and dep.schedules[0].active
    assert dep.schedules[0].schedule.cron == "30 3 * * *"
    assert dep.schedules[0].schedule.timezone == "Europe/Berlin"
    assert {k: dep.parameters[k] for k in params} == params
    assert dep.parameters["overrides"] == {"run__lock_timeout_s": 600}


@pytest.mark.parametrize(
    "cron, timezone",
    [
        ("every night", "UTC"),  # not cron at all
        ("0 25 * * *", "UTC"),  # hour out of range
        ("0 2 * * *", "Mars/Olympus"),  # unknown time zone
    ],
)
def test_check_schedule_rejects_bad_values(cron, timezone):
    with pytest.raises(ConfigError) as err:
        check_schedule(cron, timezone)
    assert "serve.cron" in err.value.message and "Fix:" in err.value.message


def test_serve_takes_sources_from_the_config_and_validates_the_schedule(tmp_path, capsys):
    # the config's serve section stands in for every flag; its bad cron stops serve before anything starts
    config = tmp_path / "groundswell.yaml"
    config.write_text(f"serve:\n  sources: [{SAMPLE / 'notes'}]\n  strategy: {SAMPLE / 'strategy.md'}\n"
                      f"  out: {tmp_path / 'out'}\n  cron: '0 2 * *'\n")
    assert main(["serve", "--config", str(config)]) == 2
    assert "serve.cron" in capsys.readouterr().err


def test_serve_without_sources_exits_2(tmp_path, capsys):
    assert main(["serve", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "--source" in err and "--strategy" in err and "serve section" in err


def test_serve_config_unknown_field_names_it(tmp_path, capsys):
    config = tmp_path / "groundswell.toml"
    config.write_text('[serve]\nsorces = ["exports"]\n')
    assert main(["serve", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert str(config) in err and "sorces" in err
