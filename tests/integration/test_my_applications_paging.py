"""GET /me/applications lists a learner's cohort applications a page at a time, newest first,
like the other lists ({items, total, page, pages}), instead of every application ever made."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from cyberhub.models import EnrolmentMode
from cyberhub.services.learning import applications
from tests.factories import bearer, id_of, make_cohort, make_org, make_program, make_user, principal

pytestmark = [pytest.mark.student, pytest.mark.integration]

API = "/api/v1"


def test_a_learner_s_applications_come_a_page_at_a_time_newest_first(
    session: Session, db_url: str
) -> None:
    program = make_program(session, make_org(session, "Northwind"), "Northwind programme")
    learner = make_user(session, "learner@example.org")
    me = principal(session, learner)
    names = []
    for i in range(applications.APPLICATIONS_PAGE_SIZE + 2):
        cohort = make_cohort(session, program, name=f"Cohort {i:02d}", starts_in_days=i)
        cohort.enrolment_mode = EnrolmentMode.application
        session.add(cohort)
        session.commit()
        applications.apply(session, me, id_of(cohort))
        session.commit()
        names.append(cohort.name)
    newest_first = names[::-1]
    from cyberhub.api import create_api

    with TestClient(create_api(), raise_server_exceptions=False) as client:
        bearer(client, learner.email)
        first = client.get(f"{API}/me/applications").json()
        total = applications.APPLICATIONS_PAGE_SIZE + 2
        assert (first["total"], first["page"], first["pages"]) == (total, 1, 2)
        assert [a["cohort_name"] for a in first["items"]] == newest_first[:-2]
        second = client.get(f"{API}/me/applications", params={"page": 2}).json()
        assert [a["cohort_name"] for a in second["items"]] == ["Cohort 01", "Cohort 00"]
        small = client.get(f"{API}/me/applications", params={"page": 3, "page_size": 5}).json()
        assert [a["cohort_name"] for a in small["items"]] == newest_first[10:15]
        beyond = client.get(f"{API}/me/applications", params={"page": 3}).json()
        assert beyond["items"] == [] and beyond["total"] == total
        for params, field in (({"page": 0}, "page"), ({"page_size": 101}, "page_size")):
            refused = client.get(f"{API}/me/applications", params=params)
            assert refused.status_code == 422, refused.text
            assert refused.json()["detail"].startswith(f"{field}:")
