"""Schema migrations: bring any older store up to ``schema.SCHEMA_VERSION`` on open.

Versioned by ``gs_meta.schema_version``. On open, in one transaction:

1. tables the schema has and the store lacks are created (``create_all``), so
   a release that only *adds* a table needs no step;
2. each step from the store's version + 1 to ``SCHEMA_VERSION`` runs in order,
   for changes to tables that already exist (a new column, an index);
3. the version is stamped.

A fresh store is created whole at the current version, with no steps run.
Steps are written with alembic's ``Operations`` (outside of alembic's script
machinery), which emits the right DDL for SQLite and PostgreSQL and rebuilds
SQLite tables (``batch_alter_table``) where SQLite cannot ``ALTER``. Each step
checks what is already there, so a step cut short, or run by two processes at
once, is safe to run again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from alembic.migration import MigrationContext
from alembic.operations import Operations
from sqlalchemy import Column, String, inspect, insert, select, update
from sqlalchemy.engine import Connection, Engine

from nlp.errors import ConfigError

from . import schema as s

__all__ = ["MIGRATIONS", "migrate_schema", "stored_version"]

logger = logging.getLogger(__name__)

_VERSION_KEY = "schema_version"


def _columns(con: Connection, table: str) -> set[str]:
    return {c["name"] for c in inspect(con).get_columns(table)}


def _v2_ledger_scope(op: Operations, con: Connection) -> None:
    """The ledger remembers the sidecars and ingest settings each file was read with."""
    have = _columns(con, "gs_files")
    for name in ("sidecar_hash", "config_hash"):
        if name not in have:
            # '' never equals a real hash, so every file is read once more after the upgrade
            op.add_column("gs_files", Column(name, String(64), nullable=False, server_default=""))


# version -> the step that brings a store from version - 1 to it
MIGRATIONS: dict[int, Callable[[Operations, Connection], None]] = {
    2: _v2_ledger_scope,
}


def stored_version(con: Connection) -> int | None:
    """The store's schema version, or ``None`` for a database with no groundswell tables."""
    if not inspect(con).has_table(s.meta.name):
        return None
    row = con.execute(select(s.meta.c.value).where(s.meta.c.key == _VERSION_KEY)).first()
    return int(row[0]) if row is not None else 1  # the first stores could lack the row


def migrate_schema(engine: Engine, display_url: str) -> int:
    """Create or upgrade the store's schema to ``schema.SCHEMA_VERSION``.

    Args:
        engine: the store's engine.
        display_url: the URL as it may be shown (password redacted), for errors.

    Returns:
        The version the store had before (0 for a new store).

    Raises:
        ConfigError: the store was written by a newer groundswell.
        sqlalchemy.exc.DatabaseError: the database cannot be read or changed.
    """
    target = s.SCHEMA_VERSION
    missing = [v for v in range(2, target + 1) if v not in MIGRATIONS]
    if missing:  # a programming error: caught by the tests, never by users
        raise RuntimeError(f"no migration step for schema version(s) {missing}")
    with engine.begin() as con:
        before = stored_version(con)
        if before is not None and before > target:
            raise ConfigError(
                display_url,
                f"the store has schema version {before}, newer than this groundswell ({target})",
                fix="upgrade groundswell or use another store",
            )
        s.metadata.create_all(con)  # new tables only; existing ones are left as they are
        if before is None:
            con.execute(insert(s.meta).values(key=_VERSION_KEY, value=str(target)))
            return 0
        if before < target:
            op = Operations(MigrationContext.configure(con))
            for version in range(before + 1, target + 1):
                logger.info("upgrading the store's schema to version %d (%s)",
                            version, MIGRATIONS[version].__doc__ or "")
                MIGRATIONS[version](op, con)
        stamp = con.execute(select(s.meta.c.key).where(s.meta.c.key == _VERSION_KEY)).first()
        if stamp is None:
            con.execute(insert(s.meta).values(key=_VERSION_KEY, value=str(target)))
        elif before != target:
            con.execute(update(s.meta).where(s.meta.c.key == _VERSION_KEY).values(value=str(target)))
    return before
