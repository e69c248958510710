"""One rule for "a learner's consent of a kind is on": their latest record of it is a grant (the
newest created_at, then the highest id). consents.granted_sql writes it once in SQL; has_consent,
the AI jobs' learners and the learners a sponsor sees by name all follow it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from cyberhub.models import ConsentRecord, User
from cyberhub.models.identity import ConsentKind
from cyberhub.services.ai import ai_jobs
from cyberhub.services.identity import consents
from tests.factories import id_of, make_user

pytestmark = [pytest.mark.integration]

AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

# Each learner's AI profiling records, oldest first: (granted, minutes after AT). Records at the
# same minute are told apart by their id, the later insert being the latest.
HISTORIES: dict[str, list[tuple[bool, int]]] = {
    "never": [],
    "granted": [(True, 0)],
    "withdrawn": [(True, 0), (False, 5)],
    "granted.again": [(True, 0), (False, 5), (True, 9)],
    "withdrawn.same.instant": [(True, 3), (False, 3)],
    "granted.same.instant": [(False, 3), (True, 3)],
}
ON = {"granted", "granted.again", "granted.same.instant"}


def test_the_latest_record_decides_in_sql_and_in_every_reader(session: Session) -> None:
    consents.ensure_documents(session)
    doc = consents.latest_document(session, consents.AI_PROFILING)
    users: dict[str, User] = {}
    for name, history in HISTORIES.items():
        users[name] = make_user(session, f"{name}@example.org", "student")
        for granted, minutes in history:
            session.add(
                ConsentRecord(
                    user_id=id_of(users[name]),
                    document_id=id_of(doc),
                    kind=ConsentKind.ai_profiling,
                    version=doc.version,
                    granted=granted,
                    created_at=AT + timedelta(minutes=minutes),
                )
            )
            session.flush()  # one insert at a time: a later record gets a higher id
    # A later grant of another kind changes nothing.
    session.add(
        ConsentRecord(
            user_id=id_of(users["withdrawn"]),
            document_id=id_of(consents.latest_document(session, consents.MARKETING)),
            kind=ConsentKind.marketing,
            version=doc.version,
            granted=True,
            created_at=AT + timedelta(hours=1),
        )
    )
    session.commit()
    ids = {id_of(u): name for name, u in users.items()}

    in_sql = session.exec(
        select(User.id).where(
            col(User.id).in_(ids), consents.granted_sql(consents.AI_PROFILING, col(User.id))
        )
    ).all()
    assert {ids[i or 0] for i in in_sql} == ON
    assert {
        name for name, u in users.items() if consents.has_consent(session, id_of(u), "ai_profiling")
    } == ON
    assert {ids[i] for i in ai_jobs.ai_learner_ids(session) if i in ids} == ON
