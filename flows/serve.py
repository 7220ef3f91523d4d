"""`groundswell serve`: the mining flow as a scheduled Prefect deployment."""

from __future__ import annotations

from flows.mine import mine_flow

__all__ = ["serve_nightly", "nightly_deployment"]


def nightly_deployment(*, name: str, cron: str, sources: list[str], strategy: str, out: str,
                       store_url: str, config: str | None = None):  # noqa: ANN201 (a Prefect RunnerDeployment)
    """A deployment of the mining flow on a cron schedule; each run's as-of is its own day."""
    params = {"sources": [str(s) for s in sources], "strategy": str(strategy), "out": str(out),
              "store_url": store_url, "config": config}
    return mine_flow.to_deployment(name=name, cron=cron, parameters=params)


def serve_nightly(*, name: str, cron: str, sources: list[str], strategy: str, out: str,
                  store_url: str, config: str | None = None) -> None:
    """Create the deployment and serve it until the process gets SIGTERM."""
    from prefect import serve

    serve(nightly_deployment(name=name, cron=cron, sources=sources, strategy=strategy, out=out,
                             store_url=store_url, config=config))
