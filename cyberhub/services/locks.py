"""Every advisory lock the app takes, named in one place.

A lock here is a PostgreSQL transaction-scoped advisory lock on two keys, (what, which): `hold`
waits until no other transaction holds it, then holds it until this one commits or rolls back.
Taking it again in the same transaction is free. Two writers that must not interleave (a double
click, two staff at once, two worker threads) take the same lock before they read: the second
then reads what the first committed, and gets the usual "already exists" answer rather than a
database error from a unique index (or, where no index can say it, a silent duplicate).

A transaction that takes several locks of one kind takes them in key order (`hold_each`), so two
of them can't deadlock. A lock's number must never be reused for another meaning while an older
version of the app may still run beside the new one (a rolling deploy), so numbers are only
added; `Lock` refuses two names for one number.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum, unique
from typing import Any

from sqlalchemy import ColumnElement, select, text, update
from sqlmodel import Session


@unique
class Lock(IntEnum):
    """What a lock guards; the key says which one (0 where there is only one)."""

    # key: student id. One draft or submission at a time per student, so attempt numbers stay
    # dense (learning/submissions).
    STUDENT_SUBMISSIONS = 5001
    # key: user id. Everything the AI writes about a learner: vector, list, work-style analysis,
    # "not interested", coach lines, the purge on consent withdrawal (ai/ai_locks).
    LEARNER_AI = 5101
    # key: mission id. A mission's vector, alone or in a batch (ai/ai_locks).
    MISSION_AI = 5102
    # key 0. Starting a rebuild of all AI data, and a run's own start: two admins clicking at
    # once, or a click and the retry of a failed run's job, can't both start one (ai/ai_jobs).
    AI_REBUILD = 5103
    # key: requester's user id. Their limit of exports in flight (admin/exports).
    EXPORT_REQUESTER = 5201
    # key: hash of the e-mail address. One account per address (identity/accounts).
    ACCOUNT_ADDRESS = 5301
    # 5302: retired (API keys' limit per owner; creations now hold the account row).
    # key 0. Deactivating and reactivating accounts take turns: two admins deactivating each
    # other at once can't both find another active admin and leave none (identity/deactivation).
    ACCOUNT_STATUS = 5303
    # key: programme id. Its cohorts' names, unique in any letter case (learning/programs).
    PROGRAM_COHORT_NAMES = 5401
    # key 0. Programmes' names and slugs: slugs are unique across organisations, so a lock per
    # organisation would not cover them (learning/programs).
    PROGRAM_NAMES = 5402
    # key 0. A new mission's slug: "Patch it 2" and a second "Patch it" both want patch-it-2, so
    # one lock for all; missions are written by people, rarely enough to take turns
    # (learning/authoring).
    MISSION_SLUGS = 5403
    # key: mission id. Its mentors' feedback snippets and their limit (learning/snippets).
    MISSION_SNIPPETS = 5404
    # key: "learner id:organisation id" (hashed). The organisation's nudges of a learner, at most
    # one a day: two directors nudging them at once through two cohorts (learning/analytics).
    LEARNER_NUDGES = 5405
    # key 0. Organisations' names (no index) and slugs (identity/organizations).
    ORGANIZATION_NAMES = 5501
    # key: user id. A user's roles and memberships: two grants of one role at once
    # (identity/roles).
    USER_ROLES = 5502
    # key: organisation id. Its pending invitations: the same person invited twice at once
    # (identity/memberships).
    ORGANIZATION_INVITATIONS = 5503
    # key: user id. A learner's habits, goals and reflections, counted against their limits: two
    # created at once with one place left (coaching/habits, coaching/goals, coaching/reflections;
    # the old notes, learning/learner_notes).
    LEARNER_COACHING = 5601


_HOLD = text("SELECT pg_advisory_xact_lock(:what, :which)")
_HOLD_TEXT = text("SELECT pg_advisory_xact_lock(:what, hashtext(:which))")


def hold(session: Session, lock: Lock, key: int | str = 0) -> None:
    """Wait for, then hold until commit or rollback, `lock` on `key` (a text key is hashed:
    two texts may share a hash, which only makes them take turns)."""
    if isinstance(key, str):
        session.execute(_HOLD_TEXT, {"what": int(lock), "which": key})
    else:
        session.execute(_HOLD, {"what": int(lock), "which": key})


def hold_each(session: Session, lock: Lock, keys: Iterable[int]) -> None:
    """`hold` on every key, in ascending order (so two transactions can't deadlock)."""
    for key in sorted(set(keys)):
        hold(session, lock, key)


_TRY_HOLD = text("SELECT pg_try_advisory_xact_lock(:what, :which)")


def try_hold(session: Session, lock: Lock, key: int) -> bool:
    """`hold` without waiting: True when it is now held (until commit or rollback, as `hold`),
    False when another transaction holds it. For a path that takes the lock out of the usual
    order and must not wait for it (waiting could deadlock)."""
    return bool(session.execute(_TRY_HOLD, {"what": int(lock), "which": key}).scalar())


def update_unheld(
    session: Session,
    model: type[Any],
    key: Any,
    where: Iterable[ColumnElement[bool]],
    **values: object,
) -> None:
    """Set `values` on the rows of `model` matching `where` that no other transaction holds
    (`key`: its primary key column): a held row is skipped, never waited for, where waiting
    could deadlock or stall a request for a change that may as well come later or not at all."""
    free = select(key).where(*where).with_for_update(skip_locked=True)
    session.execute(
        update(model)
        .where(key.in_(free))
        .values(**values)
        .execution_options(synchronize_session="fetch")
    )
