"""The tests' database is emptied between tests instead of copied (tests/databases.py): each test
must still start from exactly what a fresh copy of the migrated template holds, or tests would
pass or fail by the order they run in."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from tests.databases import ProcessDatabase
from tests.factories import TEMPLATE_DB, libpq, with_db


@pytest.fixture
def scratch(pg_admin_url: str) -> Iterator[ProcessDatabase]:
    database = ProcessDatabase(pg_admin_url, "test_process_database")
    yield database
    database.drop()


def _contents(url: str) -> dict[str, object]:
    """Every public table's rows and every sequence's next value, as text."""
    with psycopg.connect(libpq(url), autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public'"
                " ORDER BY tablename"
            )
        ]
        found: dict[str, object] = {
            table: sorted(map(str, conn.execute(f"SELECT * FROM {table}").fetchall()))
            for table in tables
        }
        for name, last in conn.execute(
            "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
        ):
            found["sequence " + name] = last
        return found


def test_an_emptied_database_holds_what_a_fresh_copy_holds(
    scratch: ProcessDatabase, pg_admin_url: str
) -> None:
    fresh = _contents(with_db(pg_admin_url, TEMPLATE_DB))
    assert any(fresh[table] for table in fresh if not table.startswith("sequence ")), (
        "the template seeds some rows (consent documents): the check must cover restoring them"
    )
    with psycopg.connect(libpq(scratch.url), autocommit=True) as conn:
        conn.execute(
            "INSERT INTO organizations (name, slug, description, created_at)"
            " VALUES ('Left behind', 'left-behind', '', now())"
        )
        conn.execute("DELETE FROM consent_documents")
        conn.execute("SELECT nextval('users_id_seq')")
    assert _contents(scratch.url) != fresh

    scratch.reset()

    assert _contents(scratch.url) == fresh
    assert scratch.copies == 1  # emptied, not copied again


def test_a_changed_schema_is_copied_again_from_the_template(
    scratch: ProcessDatabase, pg_admin_url: str
) -> None:
    fresh = _contents(with_db(pg_admin_url, TEMPLATE_DB))
    with psycopg.connect(libpq(scratch.url), autocommit=True) as conn:
        conn.execute("CREATE TABLE probe (id int PRIMARY KEY)")
        conn.execute("DROP INDEX ix_missions_status")

    scratch.reset()

    assert scratch.copies == 2
    assert _contents(scratch.url) == fresh
    with psycopg.connect(libpq(scratch.url), autocommit=True) as conn:
        indexes = {row[0] for row in conn.execute("SELECT indexname FROM pg_indexes")}
    assert "ix_missions_status" in indexes


def test_a_connection_left_open_does_not_stop_the_reset(scratch: ProcessDatabase) -> None:
    leaked = psycopg.connect(libpq(scratch.url))
    leaked.execute("LOCK TABLE organizations IN ACCESS EXCLUSIVE MODE")  # until it ends
    try:
        scratch.reset()
    finally:
        leaked.close()
    assert scratch.copies == 1
