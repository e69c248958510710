"""One test database per test process, emptied between tests.

Copying the migrated template for each test (CREATE DATABASE … TEMPLATE) took 0.2–0.4 s of the
~0.8 s an integration test costs on two cores; emptying the same database takes about a tenth of
that. Emptying restores exactly what a fresh copy would hold:

- every table of the public schema is truncated, and the rows the migrations seed (e.g. the
  consent documents) are copied back as the template holds them;
- every sequence is set back to the template's value, so ids start where a fresh copy's would.

A test that changes the schema (a migration test's downgrade and upgrade, a dropped index, a probe
table) cannot be undone by emptying: an event trigger notes any DDL, and the next reset drops the
database and copies the template again, as every test used to.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from tests.factories import create_database, libpq, with_db

# Notes DDL in its own schema (the schema comparison and the app only look at `public`).
_WATCH_DDL = """
CREATE SCHEMA testkit;
CREATE TABLE testkit.ddl (at timestamptz NOT NULL DEFAULT now());
CREATE FUNCTION testkit.note_ddl() RETURNS event_trigger LANGUAGE plpgsql AS
  $$ BEGIN INSERT INTO testkit.ddl DEFAULT VALUES; END $$;
CREATE FUNCTION testkit.empty(tables text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  t text;
  filled boolean;
BEGIN
  SET LOCAL session_replication_role = replica;  -- no foreign-key order to follow
  FOREACH t IN ARRAY tables LOOP
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s)', t) INTO filled;
    IF filled THEN
      EXECUTE format('DELETE FROM %s', t);
    END IF;
  END LOOP;
END $$;
CREATE EVENT TRIGGER testkit_ddl ON ddl_command_end EXECUTE FUNCTION testkit.note_ddl();
CREATE EVENT TRIGGER testkit_drop ON sql_drop EXECUTE FUNCTION testkit.note_ddl();
"""
_TABLES = """
SELECT quote_ident(tablename) FROM pg_tables
WHERE schemaname = 'public' AND tablename <> 'alembic_version' ORDER BY tablename
"""
_SEQUENCES = """
SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename),
       coalesce(last_value, start_value), last_value IS NOT NULL
FROM pg_sequences WHERE schemaname = 'public'
"""


class ProcessDatabase:
    """The test process's database (`url`); `reset()` before each test."""

    def __init__(self, admin_url: str, name: str) -> None:
        self.admin_url = admin_url
        self.name = name
        self.url = with_db(admin_url, name)
        self.copies = 0  # how many times the template was copied (1 + one per schema change)
        self._copy()

    def _copy(self) -> None:
        with psycopg.connect(libpq(self.admin_url), autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(self._ident))
        create_database(self.admin_url, self.name)
        self.copies += 1
        with psycopg.connect(libpq(self.url), autocommit=True) as conn:
            self.tables = [row[0] for row in conn.execute(_TABLES)]
            self.sequences = [(str(n), int(v), bool(c)) for n, v, c in conn.execute(_SEQUENCES)]
            self.seeds: dict[str, bytes] = {}
            for table in self.tables:
                with conn.cursor().copy(f"COPY {table} TO STDOUT") as copy:
                    data = b"".join(bytes(block) for block in copy)
                if data:
                    self.seeds[table] = data
            conn.execute(_WATCH_DDL)

    @property
    def _ident(self) -> sql.Identifier:
        return sql.Identifier(self.name)

    def reset(self) -> None:
        """Back to the template's content: emptied, or copied again if the schema changed."""
        with psycopg.connect(libpq(self.admin_url), autocommit=True) as admin:
            # What the test left connected (a leaked session, a stopped child's last connection)
            # would hold locks the TRUNCATE waits for, as DROP DATABASE … WITH (FORCE) ended them.
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                (self.name,),
            )
        try:
            with psycopg.connect(libpq(self.url), autocommit=True) as conn:
                if conn.execute("SELECT EXISTS (SELECT 1 FROM testkit.ddl)").fetchone() != (False,):
                    raise _SchemaChanged
                conn.execute("SET lock_timeout = '10s'")
                with conn.transaction():
                    conn.execute("SELECT testkit.empty(%s)", (self.tables,))
                    for table, data in self.seeds.items():
                        with conn.cursor().copy(f"COPY {table} FROM STDIN") as copy:
                            copy.write(data)
                    names, values, called = zip(*self.sequences, strict=True)
                    conn.execute(
                        "SELECT setval(s.name::regclass, s.value, s.called)"
                        " FROM unnest(%s::text[], %s::bigint[], %s::bool[]) AS s(name, value, called)",
                        (list(names), list(values), list(called)),
                    )
        except (_SchemaChanged, psycopg.Error):
            self._copy()

    def drop(self) -> None:
        with psycopg.connect(libpq(self.admin_url), autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(self._ident))


class _SchemaChanged(Exception):
    pass
