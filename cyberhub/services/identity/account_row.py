"""The account row held until this transaction ends (FOR NO KEY UPDATE), by everything that
issues or ends what a sign-out must reach: tokens and sessions, API keys, the calendar feed.

A sign-out of every session (a password change or reset, "sign out everywhere", a
deactivation) holds it too, so the two take turns: whatever is made at that moment is either
ended with the rest or sees the account as it now is. FOR NO KEY UPDATE leaves rows that merely
refer to the user (audit, mail) free to be written meanwhile. Always taken before the rows it
guards, so two holders can't deadlock on them."""

from __future__ import annotations

from sqlmodel import Session, col, select

from cyberhub.models import User


def hold(session: Session, user_id: int) -> None:
    """Hold the account row until commit."""
    session.execute(select(User.id).where(col(User.id) == user_id).with_for_update(key_share=True))


def held(session: Session, user_id: int) -> User | None:
    """Hold the account row until commit and read it afresh (the holder before may have
    changed its password or deactivated it)."""
    return session.get(User, user_id, with_for_update={"key_share": True}, populate_existing=True)
