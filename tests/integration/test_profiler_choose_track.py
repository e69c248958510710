"""After a tie the learner picks one of the tied tracks (services.ai.profiler.choose_track)."""

from __future__ import annotations

import random

import pytest
from sqlmodel import Session, select

from cyberhub.models import AuditLog
from cyberhub.services.ai import profiler
from cyberhub.services.ai.profiler_bank import load_bank
from cyberhub.services.ai.profiler_scoring import TRACK_NAMES, score_profile
from cyberhub.services.errors import Conflict, Invalid, NotFound, Unauthenticated
from cyberhub.services.identity import consents
from cyberhub.services.identity.permissions import Principal
from tests.factories import make_user, principal

pytestmark = [pytest.mark.profiler, pytest.mark.integration]
BANK = load_bank()


def _answers(tied: bool) -> dict[str, str]:
    rng = random.Random(17)
    while True:
        answers = {q.id: rng.choice(q.options).id for q in BANK.questions}
        if bool(score_profile(BANK, answers).tie) == tied:
            return answers


def _completed(session: Session, email: str, *, tied: bool) -> tuple[int, Principal]:
    user = make_user(session, email, "student")
    consents.record_signup_consents(
        session, user.id or 0, [consents.TERMS, consents.PRIVACY, consents.AI_PROFILING]
    )
    who = principal(session, user)
    sid = profiler.start(session, who).id
    for qid, oid in _answers(tied).items():
        profiler.respond(session, who, sid, question_id=qid, option_id=oid)
    profiler.complete(session, who, sid)
    session.commit()
    return sid, who


def test_the_learner_follows_the_other_tied_track_and_can_switch_back(session: Session) -> None:
    sid, who = _completed(session, "tied@example.org", tied=True)
    before = profiler.results(session, who, sid)
    other = next(t for t in before["tie"] if t != before["primary_track"])

    after = profiler.choose_track(session, who, sid, other)
    session.commit()
    assert after["primary_track"] == other
    assert after["secondary_track"] == before["primary_track"]
    assert after["scores"] == before["scores"] and after["tie"] == before["tie"]
    assert after["persona"] != before["persona"]  # rebuilt for the chosen track
    latest = profiler.latest_result(session, who.user_id)
    assert latest is not None and latest["primary_track"] == other
    actions = session.exec(select(AuditLog.action)).all()
    assert "profiler.track_chosen" in actions

    back = profiler.choose_track(session, who, sid, before["primary_track"])
    assert back["primary_track"] == before["primary_track"]


def test_only_a_tied_track_and_only_ones_own_session(session: Session) -> None:
    sid, who = _completed(session, "tied2@example.org", tied=True)
    tie = profiler.results(session, who, sid)["tie"]
    outside = next(t for t in TRACK_NAMES if t not in tie)
    with pytest.raises(Invalid, match="tied tracks"):
        profiler.choose_track(session, who, sid, outside)
    _, stranger = _completed(session, "stranger@example.org", tied=False)
    with pytest.raises(NotFound):
        profiler.choose_track(session, stranger, sid, tie[1])
    with pytest.raises(Unauthenticated):
        profiler.choose_track(session, None, sid, tie[1])


def test_without_a_tie_there_is_nothing_to_choose(session: Session) -> None:
    sid, who = _completed(session, "clear@example.org", tied=False)
    result = profiler.results(session, who, sid)
    with pytest.raises(Conflict, match="not a tie"):
        profiler.choose_track(session, who, sid, result["secondary_track"])


def test_an_earlier_attempts_tie_is_not_the_track_followed(session: Session) -> None:
    """The results page lists every attempt; on an earlier one that was a tie it offered
    "Follow …" and said "You now follow …", yet the learner's track is their newest result's:
    the dashboard, missions and certificates went on with it. The choice belongs to the newest
    result alone: an earlier attempt's is refused and left as it was."""
    old_sid, who = _completed(session, "retook@example.org", tied=True)
    old = profiler.results(session, who, old_sid)
    new_sid = profiler.start(session, who).id
    for qid, oid in _answers(tied=False).items():
        profiler.respond(session, who, new_sid, question_id=qid, option_id=oid)
    profiler.complete(session, who, new_sid)
    session.commit()
    followed = profiler.latest_result(session, who.user_id)
    assert followed is not None and followed["session_id"] == new_sid
    other = next(t for t in old["tie"] if t != old["primary_track"])

    with pytest.raises(Conflict, match="newest"):
        profiler.choose_track(session, who, old_sid, other)
    session.rollback()
    assert profiler.results(session, who, old_sid)["primary_track"] == old["primary_track"]
    latest = profiler.latest_result(session, who.user_id)
    assert latest is not None and latest["primary_track"] == followed["primary_track"]
