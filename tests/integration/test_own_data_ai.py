"""The "Download my data" zip (Privacy & consents → /exports) promises everything CyberHub keeps about
the learner, yet it left out what its AI made of them: the work-style analysis /insights shows
them (and the one their mentor and directors read), the recommended missions with the reason
for each, the missions they marked "not interested", and the organisations they belong to.
The zip now holds each as its own section."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from cyberhub.models import OrganizationMembership, PersonalityProfile
from cyberhub.models.ai import Recommendation, RecommendationFeedback
from cyberhub.services.admin.export_writers import own_data_sections
from tests.factories import build_world, id_of

pytestmark = pytest.mark.usefixtures("session")

OWN = [{"name": "Hands-on or theoretical", "label": "Leans hands-on", "score": 72}]
STAFF = [{"name": "Hands-on or theoretical", "label": "Not enough evidence yet", "score": 50}]


def test_the_download_holds_what_the_ai_made_of_the_learner(session: Session) -> None:
    w = build_world(session, prefix="mydata")
    me = id_of(w.student)
    session.add(
        PersonalityProfile(
            user_id=me, version="3", source_hash="a", dimensions=OWN, staff_dimensions=STAFF
        )
    )
    session.add(
        Recommendation(
            user_id=me,
            mission_id=id_of(w.m3),
            rank=1,
            score=0.81,
            reason="Matches your goal “Lead a tabletop exercise”.",
            source="vector",
        )
    )
    session.add(RecommendationFeedback(user_id=me, mission_id=id_of(w.m1)))
    session.add(OrganizationMembership(user_id=me, organization_id=id_of(w.org)))
    # Someone else's rows stay out of it.
    session.add(RecommendationFeedback(user_id=id_of(w.student2), mission_id=id_of(w.m2)))
    session.commit()

    sections = own_data_sections(session, me)

    [style] = sections["work_style"]
    assert style["dimensions"] == OWN and style["dimensions_staff_read"] == STAFF
    assert style["computed_at"]
    [rec] = sections["recommendations"]
    assert (rec["mission"], rec["rank"], rec["reason"]) == (
        "Write a policy",
        1,
        "Matches your goal “Lead a tabletop exercise”.",
    )
    assert [r["mission"] for r in sections["not_interested"]] == ["Harden a server"]
    assert [(o["organisation"], o["status"]) for o in sections["organisations"]] == [
        ("Test Academy", "active")
    ]
