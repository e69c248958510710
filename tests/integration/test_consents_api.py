"""auth/consents and consent at sign-up: versioned documents, grants, withdrawals, the AI gate."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from cyberhub.models import AuditLog, ConsentDocument, ConsentRecord, PersonalityProfile, User
from cyberhub.models.identity import ConsentKind
from cyberhub.services.errors import Forbidden, Invalid
from cyberhub.services.identity import consents

pytestmark = [pytest.mark.auth, pytest.mark.integration]

URL = "/api/v1/auth/consents"
SIGNUP = "/api/v1/auth/signup"


def signup(client: TestClient, kinds: list[str] | None, email: str = "new@example.org") -> Any:
    body: dict[str, Any] = {"email": email, "password": "blue-kettle-sings-42"}
    if kinds is not None:
        body["consents"] = kinds
    return client.post(SIGNUP, json=body)


class TestDocuments:
    def test_migration_publishes_version_1_of_each_document(self, session: Session) -> None:
        docs = session.exec(select(ConsentDocument)).all()
        assert {(d.kind, d.version) for d in docs} == {(k, "1.0") for k in consents.KINDS}
        for d in docs:
            expected = consents.DOCUMENTS_V1[d.kind]
            # The migration's frozen copy and the service's text must not drift apart.
            assert (d.title, d.body, d.required) == (
                expected["title"],
                expected["body"],
                expected["required"],
            ), d.kind
        assert {d.kind for d in docs if d.required} == {"terms", "privacy"}

    def test_ensure_documents_is_idempotent(self, session: Session) -> None:
        consents.ensure_documents(session)
        consents.ensure_documents(session)
        assert len(session.exec(select(ConsentDocument)).all()) == len(consents.KINDS)

    def test_documents_are_public(self, api_client: TestClient) -> None:
        r = api_client.get(f"{URL}/documents")
        assert r.status_code == 200
        docs = r.json()["documents"]
        assert [d["kind"] for d in docs] == list(consents.KINDS)
        assert all(d["version"] == "1.0" and len(d["body"]) > 200 for d in docs)


class TestSignupConsents:
    @pytest.mark.parametrize("kinds", [None, [], ["terms"], ["privacy", "ai_profiling"]])
    def test_terms_and_privacy_are_required(
        self, api_client: TestClient, session: Session, kinds: list[str] | None
    ) -> None:
        r = signup(api_client, kinds)
        assert r.status_code == 422
        assert r.json()["detail"] == "Accept the terms and the privacy notice to create an account."
        assert session.exec(select(User)).all() == []

    @pytest.mark.parametrize("kinds", [["terms", "privacy", "cookies"], ["x" * 33]])
    def test_unknown_or_oversized_kinds_are_422(
        self, api_client: TestClient, kinds: list[str]
    ) -> None:
        r = signup(api_client, kinds)
        assert r.status_code == 422 and r.json()["detail"]

    def test_signup_records_what_was_accepted(
        self, api_client: TestClient, session: Session
    ) -> None:
        r = signup(api_client, ["terms", "privacy", "ai_profiling"])
        assert r.status_code == 201, r.text
        headers = {"Authorization": f"Bearer {r.json()['access_token']}"}
        state = api_client.get(URL, headers=headers).json()["consents"]
        assert {k: v["granted"] for k, v in state.items()} == {
            "terms": True,
            "privacy": True,
            "ai_profiling": True,
            "marketing": False,
            "sponsor_sharing": False,  # off until the learner grants it
        }
        assert state["terms"]["version"] == "1.0" and state["terms"]["at"]
        assert state["marketing"] == {"granted": False, "version": None, "at": None}
        assert session.exec(select(AuditLog.action)).all().count("consent.granted") == 3


class TestAccess:
    @pytest.mark.parametrize("method", ["GET", "POST"])
    def test_anonymous_is_401(self, api_client: TestClient, method: str) -> None:
        r = api_client.request(method, URL, json={"kind": "marketing", "granted": True})
        assert r.status_code == 401

    @pytest.mark.parametrize(
        "body",
        [
            {},
            {"kind": "marketing"},
            {"granted": True},
            {"kind": "cookies", "granted": True},
            {"kind": "marketing", "granted": "perhaps"},
        ],
    )
    def test_bad_input_is_422(self, student_client: TestClient, body: dict[str, Any]) -> None:
        r = student_client.post(URL, json=body)
        assert r.status_code == 422 and r.json()["detail"]


class TestChanges:
    def test_grant_and_withdraw_with_history(
        self, student_client: TestClient, session: Session
    ) -> None:
        before = student_client.get(URL).json()
        assert before["consents"]["marketing"]["granted"] is False
        assert len(before["documents"]) == len(consents.KINDS) and before["history"] == []
        r = student_client.post(URL, json={"kind": "marketing", "granted": True})
        assert r.status_code == 200
        assert r.json()["consents"]["marketing"]["granted"] is True
        r = student_client.post(URL, json={"kind": "marketing", "granted": False})
        assert r.json()["consents"]["marketing"]["granted"] is False
        assert r.json()["consents"]["marketing"]["at"]
        history = student_client.get(URL).json()["history"]
        assert [(h["kind"], h["granted"]) for h in history] == [
            ("marketing", False),
            ("marketing", True),
        ]
        actions = session.exec(select(AuditLog.action)).all()
        assert "consent.granted" in actions and "consent.withdrawn" in actions

    def test_setting_the_same_state_records_nothing(
        self, student_client: TestClient, session: Session
    ) -> None:
        for _ in range(3):
            student_client.post(URL, json={"kind": "ai_profiling", "granted": True})
        assert len(session.exec(select(ConsentRecord)).all()) == 1

    @pytest.mark.parametrize("kind", ["terms", "privacy"])
    def test_required_documents_cannot_be_withdrawn(
        self, student_client: TestClient, kind: str
    ) -> None:
        r = student_client.post(URL, json={"kind": kind, "granted": False})
        assert r.status_code == 422 and "can't be withdrawn" in r.json()["detail"]

    def test_withdrawing_ai_profiling_closes_the_ai_gate(
        self, student_client: TestClient, student_user: User, session: Session
    ) -> None:
        uid = student_user.id or 0
        with pytest.raises(Forbidden, match="AI profiling"):
            consents.require_ai_consent(session, uid)
        student_client.post(URL, json={"kind": "ai_profiling", "granted": True})
        consents.require_ai_consent(session, uid)  # open
        assert consents.has_consent(session, uid, "ai_profiling")
        student_client.post(URL, json={"kind": "ai_profiling", "granted": False})
        assert not consents.has_consent(session, uid, "ai_profiling")
        with pytest.raises(Forbidden, match="AI profiling"):
            consents.require_ai_consent(session, uid)


class TestService:
    def test_record_signup_consents_validates(self, session: Session, student_user: User) -> None:
        uid = student_user.id or 0
        with pytest.raises(Invalid, match="Accept the terms"):
            consents.record_signup_consents(session, uid, ["marketing"])
        with pytest.raises(Invalid, match="Unknown consent"):
            consents.record_signup_consents(session, uid, ["terms", "privacy", "nope"])
        consents.record_signup_consents(session, uid, ["terms", "privacy", "terms"])
        rows = session.exec(select(ConsentRecord)).all()
        assert sorted(r.kind for r in rows) == ["privacy", "terms"]
        assert consents.has_consent(session, uid, "terms")

    def test_a_new_version_is_what_gets_granted(self, session: Session, student_user: User) -> None:
        from cyberhub.services.identity.permissions import load_principal

        principal = load_principal(session, student_user.id or 0)
        consents.set_consent(session, principal, "marketing", True)
        session.add(
            ConsentDocument(
                kind=ConsentKind.marketing, version="1.1", title="News", body="New text."
            )
        )
        session.flush()
        assert principal is not None
        assert consents.current_consents(session, principal.user_id)["marketing"].version == ("1.0")
        # Granting again accepts the newer version (same state, different version).
        state = consents.set_consent(session, principal, "marketing", True)
        assert state["marketing"].version == "1.1"

    @pytest.mark.parametrize("kind", ["terms", "privacy", "ai_profiling"])
    def test_a_newer_version_is_accepted_without_withdrawing(
        self, student_client: TestClient, student_user: User, session: Session, kind: str
    ) -> None:
        """What Settings → Privacy's "Accept version N" sends: granting a consent already
        granted records the newer version. Nothing is withdrawn on the way (terms and privacy
        can't be; AI profiling would lose everything the AI derived)."""
        uid = student_user.id or 0
        consents.record_signup_consents(session, uid, ["terms", "privacy", "ai_profiling"])
        session.add(PersonalityProfile(user_id=uid, version="1", source_hash="x", dimensions=[]))
        session.add(ConsentDocument(kind=ConsentKind(kind), version="1.1", title="New", body="."))
        session.commit()
        r = student_client.post(URL, json={"kind": kind, "granted": True})
        assert r.status_code == 200, r.text
        assert r.json()["consents"][kind]["granted"] is True
        assert r.json()["consents"][kind]["version"] == "1.1"
        history = student_client.get(URL).json()["history"]
        assert [(h["version"], h["granted"]) for h in history if h["kind"] == kind] == [
            ("1.1", True),
            ("1.0", True),
        ]
        assert "consent.withdrawn" not in session.exec(select(AuditLog.action)).all()
        session.expire_all()
        assert session.get(PersonalityProfile, uid) is not None  # the AI's results are kept
