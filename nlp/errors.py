"""Errors that name what was wrong, where, and the fix."""

from __future__ import annotations

__all__ = ["GroundswellError", "InputError", "StrategyError", "ConfigError"]


class GroundswellError(Exception):
    """Base class of groundswell's own errors."""


class InputError(GroundswellError):
    """A user's file could not be read.

    Args:
        path: the file (may be empty when the text did not come from a file).
        reason: what was wrong and what arrived.
        line: 1-based line number, when known.
        field: the column, key or field, when known.
        fix: what the user should do about it.
    """

    def __init__(
        self,
        path: str,
        reason: str,
        *,
        line: int | None = None,
        field: str | None = None,
        fix: str = "",
    ) -> None:
        self.path = path
        self.reason = reason
        self.line = line
        self.field = field
        self.fix = fix
        super().__init__(self.message)

    @property
    def message(self) -> str:
        where = self.path or "<input>"
        if self.line is not None:
            where += f", line {self.line}"
        if self.field:
            where += f", field '{self.field}'"
        text = f"{where}: {self.reason}"
        if self.fix:
            text += f". Fix: {self.fix}"
        return text


class StrategyError(InputError):
    """A strategy file is malformed (exit code 2)."""


class ConfigError(InputError):
    """A configuration file or value is malformed (exit code 2)."""
