"""The store behind a database URL (SQLite by default, PostgreSQL by URL)."""

from .store import Store, StoredTheme, default_store_url, redact_url

__all__ = ["Store", "StoredTheme", "default_store_url", "redact_url"]
