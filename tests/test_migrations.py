"""Catalog schema versions: new catalogs are stamped, old ones are stepped up, newer refused."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlalchemy import Column, Text, update

from dangan.archive import migrations
from dangan.archive.catalog import Catalog
from dangan.archive.schema import documents, meta
from dangan.indexer.errors import ConfigError

pytestmark = pytest.mark.both_catalogs  # every test here runs on SQLite and on PostgreSQL


def test_a_new_catalog_is_stamped_with_the_latest_version(home):
    with Catalog.open(home) as cat:
        assert cat.schema_version() == migrations.latest_version()


def test_a_catalog_from_a_newer_dangan_is_refused(home):
    with Catalog.open(home) as cat, cat.engine.begin() as conn:
        conn.execute(update(meta).where(meta.c.key == "schema_version").values(value="999"))
    with pytest.raises(ConfigError, match=r"catalog schema 999 is newer than this dangan understands"):
        Catalog.open(home)


def test_pending_steps_run_once_each_logged_and_idempotent(home, monkeypatch):
    with Catalog.open(home) as cat, cat.engine.begin() as conn:
        conn.execute(update(meta).where(meta.c.key == "schema_version").values(value="1"))
    calls = []

    def upgrade(conn):
        calls.append(1)
        migrations.add_column(conn, documents, Column("test_note", Text))

    step = migrations.Step(2, "add a test column", SimpleNamespace(upgrade=upgrade))
    monkeypatch.setattr(migrations, "steps", lambda: [step])
    with Catalog.open(home) as cat:
        assert cat.schema_version() == 2
        assert [e["detail"]["step"] for e in cat.events() if e["action"] == "migrated"] == ["add a test column"]
        with cat.engine.begin() as conn:
            assert migrations.has_column(conn, "documents", "test_note")
            migrations.add_column(conn, documents, Column("test_note", Text))  # a second run is harmless
    Catalog.open(home).close()
    assert calls == [1]


def test_a_first_release_catalog_gains_the_document_metadata_columns(home):
    with Catalog.open(home) as cat, cat.engine.begin() as conn:
        from sqlalchemy import text

        for column in ("author", "retention", "secrecy"):
            conn.execute(text(f"ALTER TABLE documents DROP COLUMN {column}"))
        conn.execute(update(meta).where(meta.c.key == "schema_version").values(value="1"))
    with Catalog.open(home) as cat:
        assert cat.schema_version() == migrations.latest_version()
        with cat.engine.connect() as conn:
            assert all(migrations.has_column(conn, "documents", c) for c in ("author", "retention", "secrecy"))
