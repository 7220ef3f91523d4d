"""Per-stage progress in a terminal (rich); silent when stderr is not a terminal."""

from __future__ import annotations

import sys
from types import TracebackType

__all__ = ["StageProgress"]


class StageProgress:
    """One line per stage, with a bar for stages that count their work.

    Use as a context manager; ``start(stage)`` opens a stage's line,
    ``advance(done, total)`` moves its bar, ``finish(note)`` closes it. With
    ``enabled`` false or stderr not a terminal, every call does nothing.
    """

    def __init__(self, enabled: bool = True) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self._progress = None
        self._task = None

    def __enter__(self) -> StageProgress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
            from rich.progress import TimeElapsedColumn

            self._progress = Progress(
                SpinnerColumn(), TextColumn("{task.description:<10}"), BarColumn(), MofNCompleteColumn(),
                TimeElapsedColumn(), TextColumn("{task.fields[note]}"),
                console=Console(stderr=True), transient=False,
            )
            self._progress.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def start(self, stage: str) -> None:
        if self._progress is not None:
            self._task = self._progress.add_task(stage, total=None, note="")

    def advance(self, done: int, total: int) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, completed=done, total=total)

    def finish(self, note: str = "") -> None:
        if self._progress is not None and self._task is not None:
            task = self._progress.tasks[-1]
            total = task.total if task.total is not None else 1
            self._progress.update(self._task, total=total, completed=total, note=note)
            self._task = None
