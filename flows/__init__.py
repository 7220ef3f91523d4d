"""Prefect flows and the `groundswell` command line."""

__all__: list[str] = []
