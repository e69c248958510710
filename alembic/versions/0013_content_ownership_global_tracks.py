"""content ownership and global tracks

Issue 12: tracks become one global reference row per key, and a programme says which tracks it
runs (`program_tracks`, with its own description and NICE work roles); missions belong to an
organisation or, with `organization_id` NULL, to CyberHub's public library, and a programme says
which missions it runs (`program_missions`).

Upgrade, without losing anything:
- per-programme track rows are merged by key into one global row (the lowest id wins, missions
  are repointed to it); each programme gets a `program_tracks` row carrying its NICE work roles
  and its description when it differs from the global one ("" = the global one);
- missions with no author (the seeded demo catalog) become library missions, authored ones
  belong to their programme's organisation; every mission gets a `program_missions` row for the
  programme it belonged to.

Downgrade puts every mission back in one programme (the lowest of those running it, else a
programme of its organisation, else the lowest programme) and recreates per-programme track rows
(the global row is reused by the first programme running it).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _exec(sql: str) -> None:
    op.get_bind().execute(sa.text(sql))


def upgrade() -> None:
    ts = sa.DateTime(timezone=True)
    op.create_table(
        "program_tracks",
        sa.Column(
            "program_id",
            sa.Integer(),
            sa.ForeignKey("programs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "track_id",
            sa.Integer(),
            sa.ForeignKey("tracks.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("description", sa.Text(), nullable=False, server_default=""),
        sa.Column("nice_work_roles", JSONB(), nullable=False, server_default=sa.text("'[]'")),
    )
    op.create_table(
        "program_missions",
        sa.Column(
            "program_id",
            sa.Integer(),
            sa.ForeignKey("programs.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "mission_id",
            sa.Integer(),
            sa.ForeignKey("missions.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("added_at", ts, nullable=False),
    )
    op.create_index("ix_program_missions_mission_id", "program_missions", ["mission_id"])
    op.add_column("missions", sa.Column("organization_id", sa.Integer(), nullable=True))
    op.create_foreign_key(
        "fk_missions_organization_id",
        "missions",
        "organizations",
        ["organization_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_index("ix_missions_organization_id", "missions", ["organization_id"])

    # The reference row of each key: its lowest id.
    _exec(
        "CREATE TEMP TABLE track_keeper ON COMMIT DROP AS "
        "SELECT t.id AS old_id, k.keep_id, t.program_id, t.description, t.nice_work_roles "
        "FROM tracks t JOIN (SELECT key, min(id) AS keep_id FROM tracks GROUP BY key) k "
        "ON k.key = t.key"
    )
    _exec(
        "INSERT INTO program_tracks (program_id, track_id, description, nice_work_roles) "
        "SELECT tk.program_id, tk.keep_id, "
        "CASE WHEN tk.description = g.description THEN '' ELSE tk.description END, "
        "tk.nice_work_roles "
        "FROM track_keeper tk JOIN tracks g ON g.id = tk.keep_id"
    )
    _exec(
        "UPDATE missions m SET track_id = tk.keep_id FROM track_keeper tk "
        "WHERE m.track_id = tk.old_id AND tk.old_id <> tk.keep_id"
    )
    _exec(
        "UPDATE missions m SET organization_id = p.organization_id FROM programs p "
        "WHERE p.id = m.program_id AND m.author_id IS NOT NULL"
    )
    _exec(
        "INSERT INTO program_missions (program_id, mission_id, added_at) "
        "SELECT program_id, id, created_at FROM missions"
    )
    _exec(
        "DELETE FROM tracks t USING track_keeper tk WHERE t.id = tk.old_id AND tk.old_id <> tk.keep_id"
    )
    _exec("DROP TABLE track_keeper")

    op.drop_index("ix_missions_program_id", table_name="missions")
    op.drop_column("missions", "program_id")
    op.drop_constraint("uq_track_program_key", "tracks", type_="unique")
    op.drop_index("ix_tracks_program_id", table_name="tracks")
    op.drop_column("tracks", "program_id")
    op.drop_column("tracks", "nice_work_roles")
    op.create_unique_constraint("uq_tracks_key", "tracks", ["key"])


def downgrade() -> None:
    op.drop_constraint("uq_tracks_key", "tracks", type_="unique")
    op.add_column("tracks", sa.Column("program_id", sa.Integer(), nullable=True))
    op.add_column(
        "tracks",
        sa.Column("nice_work_roles", JSONB(), nullable=False, server_default=sa.text("'[]'")),
    )
    op.add_column("missions", sa.Column("program_id", sa.Integer(), nullable=True))

    # Each mission goes back to one programme.
    _exec(
        "UPDATE missions m SET program_id = pm.program_id FROM "
        "(SELECT mission_id, min(program_id) AS program_id FROM program_missions "
        "GROUP BY mission_id) pm WHERE pm.mission_id = m.id"
    )
    _exec(
        "UPDATE missions m SET program_id = (SELECT min(p.id) FROM programs p "
        "WHERE p.organization_id = m.organization_id) WHERE m.program_id IS NULL"
    )
    _exec(
        "UPDATE missions SET program_id = (SELECT min(id) FROM programs) WHERE program_id IS NULL"
    )
    # Only possible with no programme at all: nothing could hold them before 0013 either.
    _exec("DELETE FROM missions WHERE program_id IS NULL")
    # Every (programme, track) a mission needs is run by the programme.
    _exec(
        "INSERT INTO program_tracks (program_id, track_id) "
        "SELECT DISTINCT m.program_id, m.track_id FROM missions m "
        "ON CONFLICT DO NOTHING"
    )
    # The global row goes to the first programme running it; the others get copies.
    _exec(
        "UPDATE tracks t SET program_id = f.program_id FROM "
        "(SELECT track_id, min(program_id) AS program_id FROM program_tracks GROUP BY track_id) f "
        "WHERE f.track_id = t.id"
    )
    _exec(
        "INSERT INTO tracks (program_id, key, name, tagline, description, focus, careers) "
        "SELECT pt.program_id, g.key, g.name, g.tagline, g.description, g.focus, g.careers "
        "FROM program_tracks pt JOIN tracks g ON g.id = pt.track_id "
        "WHERE g.program_id <> pt.program_id"
    )
    _exec(
        "UPDATE tracks t SET "
        "description = CASE WHEN pt.description = '' THEN t.description ELSE pt.description END, "
        "nice_work_roles = pt.nice_work_roles "
        "FROM program_tracks pt JOIN tracks g ON g.id = pt.track_id "
        "WHERE t.program_id = pt.program_id AND t.key = g.key"
    )
    _exec(
        "UPDATE missions m SET track_id = t.id FROM tracks g, tracks t "
        "WHERE g.id = m.track_id AND t.key = g.key AND t.program_id = m.program_id "
        "AND t.id <> m.track_id"
    )
    _exec("DELETE FROM tracks WHERE program_id IS NULL")

    op.alter_column("tracks", "program_id", nullable=False)
    op.create_foreign_key(
        "tracks_program_id_fkey", "tracks", "programs", ["program_id"], ["id"], ondelete="CASCADE"
    )
    op.create_index("ix_tracks_program_id", "tracks", ["program_id"])
    op.create_unique_constraint("uq_track_program_key", "tracks", ["program_id", "key"])
    op.alter_column("missions", "program_id", nullable=False)
    op.create_foreign_key(
        "missions_program_id_fkey",
        "missions",
        "programs",
        ["program_id"],
        ["id"],
        ondelete="CASCADE",
    )
    op.create_index("ix_missions_program_id", "missions", ["program_id"])
    op.drop_index("ix_missions_organization_id", table_name="missions")
    op.drop_constraint("fk_missions_organization_id", "missions", type_="foreignkey")
    op.drop_column("missions", "organization_id")
    op.drop_index("ix_program_missions_mission_id", table_name="program_missions")
    op.drop_table("program_missions")
    op.drop_table("program_tracks")
