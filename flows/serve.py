"""`groundswell serve`: the mining flow as a scheduled Prefect deployment.

With ``PREFECT_API_URL`` set, the deployment is registered with that Prefect
server, whose scheduler creates the nightly runs and whose UI shows them.
Without it, serve starts a local Prefect server of its own (API, scheduler
and UI on 127.0.0.1, its database under ``$PREFECT_HOME``) for as long as it
serves: Prefect's in-process temporary API has no scheduler, so a cron
schedule would never fire there.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from flows.mine import mine_flow
from nlp.errors import ConfigError

__all__ = ["serve_nightly", "nightly_deployment", "apply_nightly", "check_schedule", "local_prefect_server"]

logger = logging.getLogger(__name__)


def check_schedule(cron: str, timezone: str = "UTC") -> Any:
    """The Prefect cron schedule, or a ConfigError naming the bad value (exit code 2)."""
    from pydantic import ValidationError
    from prefect.client.schemas.schedules import CronSchedule

    try:
        return CronSchedule(cron=cron, timezone=timezone)
    except (ValidationError, ValueError) as exc:
        raise ConfigError("serve", f"not a valid schedule: cron {cron!r}, timezone {timezone!r} ({exc})",
                          field="serve.cron", fix='give five cron fields such as "0 2 * * *" and an IANA '
                                              "time zone such as UTC or Europe/Berlin") from None


def nightly_deployment(*, name: str, cron: str, sources: list[str], strategy: str, out: str,
                       store_url: str, config: str | None = None, timezone: str = "UTC",
                       overrides: dict[str, Any] | None = None) -> Any:
    """A deployment of the mining flow on a cron schedule; each run's as-of is its own day.

    Returns:
        A Prefect ``RunnerDeployment`` (apply it, or serve it).
    """
    from prefect.client.schemas.actions import DeploymentScheduleCreate

    schedule = check_schedule(cron, timezone)
    params = {"sources": [str(s) for s in sources], "strategy": str(strategy), "out": str(out),
              "store_url": store_url, "config": config, "overrides": overrides or {}}
    return mine_flow.to_deployment(
        name=name, schedules=[DeploymentScheduleCreate(schedule=schedule, active=True)], parameters=params,
        description=f"groundswell nightly mining of {', '.join(map(str, sources))} into {out}",
        tags=["groundswell"],
    )


def apply_nightly(**kwargs: Any) -> UUID:
    """Register the nightly deployment with the current Prefect API, without serving it.

    Takes :func:`nightly_deployment`'s arguments; returns the deployment's id.
    """
    return nightly_deployment(**kwargs).apply()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def local_prefect_server(timeout_s: float = 120.0) -> Iterator[str]:
    """A Prefect server with its scheduler on a free loopback port; yields its API URL."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api"
    cmd = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ.copy())
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                err = proc.stderr.read().decode("utf-8", "replace")[-2000:] if proc.stderr else ""
                raise RuntimeError(f"the local Prefect server stopped at start: {err}")
            try:
                with urllib.request.urlopen(url + "/health", timeout=2) as resp:
                    if resp.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the local Prefect server did not answer at {url} within {timeout_s:.0f} s")
            time.sleep(0.5)
        logger.info("local Prefect server at %s (UI at http://127.0.0.1:%d)", url, port)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def serve_nightly(*, name: str, cron: str, sources: list[str], strategy: str, out: str,
                  store_url: str, config: str | None = None, timezone: str = "UTC",
                  overrides: dict[str, Any] | None = None) -> None:
    """Create the deployment and serve it until the process gets SIGTERM."""
    from prefect import serve
    from prefect.settings import PREFECT_API_URL, temporary_settings

    kwargs = dict(name=name, cron=cron, sources=sources, strategy=strategy, out=out, store_url=store_url,
                  config=config, timezone=timezone, overrides=overrides)
    check_schedule(cron, timezone)
    if PREFECT_API_URL.value():
        logger.info("serving deployment %s on the Prefect server at %s", name, PREFECT_API_URL.value())
        serve(nightly_deployment(**kwargs))
        return
    with local_prefect_server() as api, temporary_settings({PREFECT_API_URL: api}):
        serve(nightly_deployment(**kwargs))
