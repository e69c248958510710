"""Text stored before the text rule loses its invisible control characters

Since services/text.py, every field people type into refuses C0 and C1 control characters
(line breaks and tabs aside, where a field has lines) and the bidirectional embeddings,
overrides and isolates, which make "evil\u202egnp.exe" read as "evilexe.png" and run on into
the text shown after them. Rows written before that rule may still hold them, and pages show
them as they are (the calendar feed and the CSV/PDF exports already clean them on the way out,
with `text.printable`).

Data: every text column of every table is cleaned the way `text.printable` cleans a body: a
Windows "\r\n", a lone "\r" and the Unicode line and paragraph separators become "\n"; the
other controls (tab and line feed kept) and the bidi controls are removed. Only rows that hold
one are written; a row whose cleaned text would equal another's where values must
differ (a unique name) keeps its text. The audit log is left as it was recorded (it is evidence). JSON columns are
not text columns and are left too. Nothing to undo: the downgrade keeps the cleaned text.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here (a migration must not change when services/text.py does); the test checks that
# it cleans as text.printable does. PostgreSQL text holds no NUL, so controls start at U+0001.
_BREAKS = r"\r\n|[\r\u2028\u2029]"
_INVISIBLE = r"[\x01-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
_LEFT_AS_RECORDED = ("alembic_version", "audit_logs")


def upgrade() -> None:
    bind = op.get_bind()
    columns = bind.execute(
        sa.text(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c "
            "JOIN information_schema.tables t "
            "  ON t.table_schema = c.table_schema AND t.table_name = c.table_name "
            "WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' "
            "  AND c.data_type IN ('text', 'character varying') "
            "ORDER BY c.table_name, c.column_name"
        )
    ).all()
    for table, column in columns:
        if table not in _LEFT_AS_RECORDED:
            _clean(bind, _quoted(table), _quoted(column))


def _clean(bind: sa.Connection, table: str, column: str) -> None:
    """All of a column's rows that need it in one statement; if cleaning makes two values equal
    where they must differ (a unique name), row by row, leaving the rows that would collide."""
    cleaned = f"regexp_replace(regexp_replace({column}, :breaks, E'\\n', 'g'), :invisible, '', 'g')"
    needs = f"{column} ~ :breaks_or_invisible"
    patterns = {
        "breaks": _BREAKS,
        "invisible": _INVISIBLE,
        "breaks_or_invisible": f"{_BREAKS}|{_INVISIBLE}",
    }
    try:
        with bind.begin_nested():
            bind.execute(
                sa.text(f"UPDATE {table} SET {column} = {cleaned} WHERE {needs}"), patterns
            )
        return
    except sa.exc.IntegrityError:
        pass
    rows = bind.execute(sa.text(f"SELECT ctid FROM {table} WHERE {needs}"), patterns).scalars()
    for row in rows.all():
        try:
            with bind.begin_nested():
                bind.execute(
                    sa.text(
                        f"UPDATE {table} SET {column} = {cleaned} WHERE ctid = CAST(:row AS tid)"
                    ),
                    {**patterns, "row": row},
                )
        except sa.exc.IntegrityError:
            pass  # its cleaned value is another row's: this one keeps its text


def downgrade() -> None:
    pass  # the cleaned text stays: the removed characters were never meant to be there


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
