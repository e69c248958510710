"""Issue 12, content ownership: one rule (services/mission_scope) decides which missions a person
sees, takes and is expected to do — two organisations, a learner in none, and "3 of 7"."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from cyberhub.models import AuditLog, Mission, MissionEmbedding, ProgramMission, User
from cyberhub.pages.mission import data as mission_page
from cyberhub.services.ai import embeddings, recommendations, search
from cyberhub.services.errors import Conflict, Forbidden, NotFound
from cyberhub.services.learning import (
    authoring,
    catalog,
    progress,
    reviews,
    student_home,
    submissions,
)
from cyberhub.services.learning.authoring import MissionChanges
from cyberhub.services.learning.catalog import MissionFilter
from tests.factories import (
    FULL_SCORES,
    GOOD_ANSWER,
    World,
    bearer,
    build_world,
    complete_profiler,
    enroll,
    make_cohort,
    make_mission,
    make_track,
    make_user,
    principal,
)
from tests.fakes import FakeEmbedder
from tests.races import second_while_first_holds

pytestmark = [pytest.mark.missions, pytest.mark.integration]


@dataclass
class Two:
    w: World
    a_secret: Mission  # org A's own published mission, run by programme A
    coast_learner: User  # org B, enrolled in programme B (which runs "Coast mission")
    loner: User  # a student in no organisation and no cohort


@pytest.fixture
def two(session: Session) -> Two:
    w = build_world(session)
    a_secret = make_mission(session, w.program, w.builders, title="A secret mission", owner=w.org)
    coast_learner = make_user(
        session, "coast.learner@example.org", "student", organization_id=w.other_org.id
    )
    enroll(session, make_cohort(session, w.other_program), coast_learner)
    loner = make_user(session, "loner@example.org", "student")
    return Two(w=w, a_secret=a_secret, coast_learner=coast_learner, loner=loner)


def catalog_titles(session: Session, user: User, **kw: object) -> set[str]:
    page = catalog.list_missions(
        session,
        principal(session, user),
        MissionFilter(page_size=100, **kw),  # type: ignore[arg-type]
    )
    return {m.title for m, _ in page.items}


LIBRARY = {"Harden a server", "Scan the pipeline", "Write a policy"}


class TestSeeing:
    def test_each_learner_sees_the_library_and_only_their_own_organisations_missions(
        self, session: Session, two: Two
    ) -> None:
        w = two.w
        assert catalog_titles(session, w.student) == LIBRARY | {"A secret mission"}
        assert catalog_titles(session, two.coast_learner) == LIBRARY | {"Coast mission"}
        assert catalog_titles(session, two.loner) == LIBRARY
        # The track filter and the search inside the catalog keep the rule.
        assert catalog_titles(session, two.loner, track="builders", q="mission") <= LIBRARY
        assert "Coast mission" not in catalog_titles(session, w.student, q="coast")
        assert catalog.all_skills(session, principal(session, two.loner)) == ["testing"]

    def test_detail_of_another_organisations_mission_is_not_found(
        self, session: Session, two: Two
    ) -> None:
        w = two.w
        with pytest.raises(NotFound):
            catalog.get_mission(session, principal(session, w.student), w.other_mission.id or 0)
        with pytest.raises(NotFound):
            catalog.get_mission(
                session, principal(session, two.coast_learner), two.a_secret.id or 0
            )
        with pytest.raises(NotFound):
            catalog.get_mission(session, principal(session, two.loner), two.a_secret.id or 0)
        d = catalog.get_mission(session, principal(session, two.loner), w.m1.id or 0)
        assert d.mission.title == "Harden a server"

    def test_search_filters_inside_the_query(self, session: Session, two: Two) -> None:
        def found(user: User) -> set[str]:
            hits = search.search_missions(session, principal(session, user), "mission", limit=50)
            return {h.title for h in hits}

        assert "Coast mission" not in found(two.w.student)
        assert "A secret mission" in found(two.w.student)
        assert "A secret mission" not in found(two.coast_learner)
        assert "Coast mission" in found(two.coast_learner)
        assert not found(two.loner) & {"Coast mission", "A secret mission"}

    def test_the_api_answers_404_for_another_organisations_mission(
        self, session: Session, two: Two, api_client: TestClient
    ) -> None:
        bearer(api_client, two.w.student.email)
        r = api_client.get(f"/api/v1/missions/{two.w.other_mission.id}")
        assert r.status_code == 404 and r.json()["detail"]
        r = api_client.get("/api/v1/missions", params={"page_size": 100})
        assert r.status_code == 200
        assert "Coast mission" not in {m["title"] for m in r.json()["items"]}
        r = api_client.get("/api/v1/search/missions", params={"q": "coast mission"})
        assert r.status_code == 200
        assert "Coast mission" not in {m["title"] for m in r.json()}


class TestTaking:
    def test_another_organisations_mission_can_not_be_started_hinted_or_submitted(
        self, session: Session, two: Two
    ) -> None:
        p = principal(session, two.w.student)
        coast = two.w.other_mission.id or 0
        with pytest.raises(NotFound):
            submissions.save_draft(session, p, coast, answer="Mine now")
        with pytest.raises(NotFound):
            submissions.submit(session, p, coast, answer=GOOD_ANSWER)
        with pytest.raises(NotFound):
            submissions.reveal_hint(session, p, coast)
        with pytest.raises(NotFound):
            submissions.work_status(session, p, coast)

    def test_a_library_mission_not_run_by_the_learners_programme_is_refused(
        self, session: Session, two: Two
    ) -> None:
        p = principal(session, two.coast_learner)
        with pytest.raises(Forbidden, match="not enrolled in a programme that runs"):
            submissions.submit(session, p, two.w.m1.id or 0, answer=GOOD_ANSWER)
        with pytest.raises(Forbidden, match="not enrolled"):
            submissions.reveal_hint(session, p, two.w.m1.id or 0)
        # Their own programme's mission works.
        sub = submissions.submit(session, p, two.w.other_mission.id or 0, answer=GOOD_ANSWER)
        assert sub.status == "submitted"

    def test_a_learner_in_no_organisation_browses_the_library_but_takes_nothing(
        self, session: Session, two: Two
    ) -> None:
        p = principal(session, two.loner)
        status = submissions.work_status(session, p, two.w.m1.id or 0)
        assert status.enrolled is False and status.can_submit is False
        with pytest.raises(Forbidden, match="not enrolled"):
            submissions.submit(session, p, two.w.m1.id or 0, answer=GOOD_ANSWER)
        with pytest.raises(Forbidden, match="not enrolled"):
            submissions.reveal_hint(session, p, two.w.m1.id or 0)
        assert submissions.revealed_hints(session, p, two.w.m1.id or 0) == []
        home = student_home.student_home(session, p, track_hint="builders").model_dump()
        assert {s["title"] for s in home["starters"]} <= LIBRARY

    def test_the_mission_page_offers_a_hint_only_to_whom_the_reveal_allows(
        self, session: Session, two: Two
    ) -> None:
        """The page offered "Reveal a hint" to learners no programme of theirs runs the mission
        for, and clicking only showed the refusal: it is offered only where the reveal works."""
        mid = two.w.m1.id or 0
        for refused in (two.loner, two.coast_learner):
            p = principal(session, refused)
            assert mission_page.load(session, p, mid).work.status.can_reveal_hints is False
            with pytest.raises(Forbidden, match="not enrolled"):
                submissions.reveal_hint(session, p, mid)
        # Locked behind a prerequisite: no button either (the reveal refuses it too).
        me = principal(session, two.w.student)
        locked = mission_page.load(session, me, two.w.m2.id or 0).work.status
        assert locked.can_reveal_hints is False
        with pytest.raises(Forbidden, match="locked"):
            submissions.reveal_hint(session, me, two.w.m2.id or 0)
        # Enrolled, unlocked: offered, and the reveal works.
        assert mission_page.load(session, me, mid).work.status.can_reveal_hints is True
        assert submissions.reveal_hint(session, me, mid).index == 0


class TestRecommendations:
    def test_candidates_never_include_another_organisations_missions(
        self, session: Session, two: Two
    ) -> None:
        embeddings.embed_missions(
            session, [i for i in session.exec(select(Mission.id)).all() if i], FakeEmbedder()
        )
        session.commit()

        def candidates(user: User, near: Mission) -> set[int]:
            vector = session.exec(
                select(MissionEmbedding.embedding).where(MissionEmbedding.mission_id == near.id)
            ).one()
            facts = recommendations.learner_facts(session, user.id or 0)
            query = [float(x) for x in vector]
            return {c.id for c in recommendations.nearest_missions(session, query, facts, 100)}

        w = two.w
        # Even aimed straight at the other organisation's mission, the ANN query leaves it out.
        mine = candidates(w.student, w.other_mission)
        assert w.other_mission.id not in mine and two.a_secret.id in mine
        theirs = candidates(two.coast_learner, two.a_secret)
        assert theirs == {w.other_mission.id}  # only what their programme runs
        lone = candidates(two.loner, w.other_mission)
        assert lone == {w.m1.id, w.m2.id, w.m3.id}  # the published library
        cold = recommendations._profile_candidates(
            session, recommendations.learner_facts(session, two.loner.id or 0), 100
        )
        assert {c.id for c in cold} == {w.m1.id, w.m2.id, w.m3.id}


class TestProgramMissions:
    def test_a_director_adopts_and_removes_a_library_mission_audited(
        self, session: Session, two: Two
    ) -> None:
        w = two.w
        d = principal(session, w.other_director)
        pid = w.other_program.id or 0
        options = {o.title for o in authoring.library_options(session, d, pid)}
        assert options == {"Harden a server", "Scan the pipeline"}  # B runs builders only
        authoring.add_to_program(session, d, pid, w.m1.id or 0)
        session.commit()
        # The coast learner may now take it.
        p = principal(session, two.coast_learner)
        assert submissions.reveal_hint(session, p, w.m1.id or 0).index == 0
        with pytest.raises(Exception, match="already runs"):
            authoring.add_to_program(session, d, pid, w.m1.id or 0)
        authoring.remove_from_program(session, d, pid, w.m1.id or 0)
        session.commit()
        with pytest.raises(Forbidden, match="not enrolled"):
            submissions.reveal_hint(session, p, w.m1.id or 0)
        logged = session.exec(
            select(AuditLog.action)
            .where(col(AuditLog.action).like("program.mission_%"))
            .order_by(col(AuditLog.id))
        ).all()
        assert list(logged) == ["program.mission_added", "program.mission_removed"]

    def test_an_own_mission_removed_is_offered_back_but_never_an_archived_one(
        self, session: Session, two: Two
    ) -> None:
        w = two.w
        d = principal(session, w.director)
        pid, own = w.program.id or 0, two.a_secret.id or 0
        assert own not in {o.id for o in authoring.addable_missions(session, d, pid)}  # runs it
        authoring.remove_from_program(session, d, pid, own)
        session.commit()
        offered = {o.id: o.library for o in authoring.addable_missions(session, d, pid)}
        assert offered[own] is False  # offered back, as the organisation's own
        assert own not in {o.id for o in authoring.library_options(session, d, pid)}
        authoring.archive_mission(session, d, own)
        session.commit()
        assert own not in {o.id for o in authoring.addable_missions(session, d, pid)}
        # Another organisation's director is offered none of this organisation's missions.
        other = principal(session, w.other_director)
        theirs = authoring.addable_missions(session, other, w.other_program.id or 0)
        assert all(o.library for o in theirs)

    def test_removing_a_mission_is_refused_while_a_claim_on_its_work_is_in_review(
        self, session: Session, two: Two
    ) -> None:
        """Once the programme no longer runs the mission, none of its mentors may open, finish
        or claim a learner's work there: giving the claim back to the queue left it "submitted"
        for ever (tests/integration/test_waiting_work.py). The removal waits for the review; the
        claim stays with its mentor."""
        w = two.w
        sub = submissions.submit(
            session, principal(session, w.student), w.m3.id or 0, answer=GOOD_ANSWER
        )
        session.commit()
        reviews.claim(session, principal(session, w.mentor), sub.id or 0)
        session.commit()
        with pytest.raises(Conflict, match="^1 submission of this mission is waiting for review"):
            authoring.remove_from_program(
                session, principal(session, w.director), w.program.id or 0, w.m3.id or 0
            )
        session.rollback()
        session.refresh(sub)
        assert (sub.status, sub.claimed_by_id) == ("in_review", w.mentor.id)
        assert reviews.queue_counts(session, w.mentor.id or 0).claimed_by_me == 1

    @pytest.mark.parametrize("change", ["add", "remove"])
    def test_the_same_change_twice_at_once_is_made_once(
        self, session: Session, two: Two, change: str
    ) -> None:
        """A double click on Add to programme (or Remove), or two directors: the second request,
        whose check ran before the first committed, gets the usual answer ("already runs" /
        "does not run") instead of a database error (500) or a second "removed" in the log."""
        w = two.w
        d = principal(session, w.other_director)
        pid, mid = w.other_program.id or 0, w.m1.id or 0
        if change == "remove":
            authoring.add_to_program(session, d, pid, mid)
            session.commit()
        call = authoring.add_to_program if change == "add" else authoring.remove_from_program
        answers = second_while_first_holds(
            lambda s: call(s, d, pid, mid), lambda s: call(s, d, pid, mid)
        )
        expected = (
            "This programme already runs 'Harden a server'."
            if change == "add"
            else "This programme does not run that mission."
        )
        assert answers == ("ok", expected)
        session.expire_all()
        runs = session.get(ProgramMission, (pid, mid)) is not None
        assert runs == (change == "add")
        logged = session.exec(
            select(AuditLog.action).where(col(AuditLog.action).like("program.mission_%"))
        ).all()
        assert len(logged) == (1 if change == "add" else 2)

    def test_a_director_never_edits_or_adopts_what_is_not_theirs(
        self, session: Session, two: Two
    ) -> None:
        w = two.w
        other = principal(session, w.other_director)
        with pytest.raises(Forbidden, match="library mission"):
            authoring.update_mission(session, other, w.m1.id or 0, MissionChanges(title="Mine"))
        with pytest.raises(NotFound):  # org A's own mission: as one that doesn't exist, for B
            authoring.update_mission(
                session, other, two.a_secret.id or 0, MissionChanges(title="Mine")
            )
        with pytest.raises(NotFound):  # org A's own mission is not adoptable by org B
            authoring.add_to_program(session, other, w.other_program.id or 0, two.a_secret.id or 0)
        with pytest.raises(NotFound):  # nor may B touch A's programme (not theirs to know of)
            authoring.remove_from_program(session, other, w.program.id or 0, two.a_secret.id or 0)
        # An admin edits a library mission.
        m = authoring.update_mission(
            session, principal(session, w.admin), w.m1.id or 0, MissionChanges(summary="New.")
        )
        assert m.summary == "New." and m.library

    def test_the_api_adds_and_removes_with_4xx_for_outsiders(
        self, session: Session, two: Two, api_client: TestClient
    ) -> None:
        w = two.w
        path = f"/api/v1/programs/{w.other_program.id}/missions/{w.m2.id}"
        bearer(api_client, w.director.email)  # org A's director: B's programme is unknown to them
        assert api_client.post(path).status_code == 404
        bearer(api_client, w.other_director.email)
        r = api_client.get(f"/api/v1/programs/{w.other_program.id}/library")
        assert r.status_code == 200 and w.m2.id in {m["id"] for m in r.json()}
        r = api_client.post(path)
        assert r.status_code == 201, r.text
        assert w.other_program.id in r.json()["program_ids"]
        assert api_client.post(path).status_code == 409
        assert api_client.delete(path).status_code == 200
        r = api_client.delete(path)
        assert r.status_code == 404 and r.json()["detail"]
        r = api_client.post(f"/api/v1/programs/{w.other_program.id}/missions/{two.a_secret.id}")
        assert r.status_code == 404 and r.json()["detail"]


class TestProgressAgainstScope:
    def test_three_of_seven_counts_only_the_programmes_missions_of_the_learners_track(
        self, session: Session, two: Two
    ) -> None:
        w = two.w
        # Programme A's builders missions: m1, m2, "A secret" + 4 more = 7; leaders: m3.
        extra = [
            make_mission(session, w.program, w.builders, title=f"Builders {n}") for n in range(4)
        ]
        # Missions elsewhere never count: another programme's, and a library one not adopted.
        make_mission(session, w.other_program, make_track(session, w.other_program), title="B2")
        runs = session.exec(
            select(ProgramMission.program_id).where(ProgramMission.mission_id == extra[0].id)
        ).all()
        assert list(runs) == [w.program.id]
        complete_profiler(session, w.student.id or 0, "builders", "leaders")
        p = principal(session, w.student)
        mentor = principal(session, w.mentor)
        for m in (w.m1, two.a_secret, extra[0], w.m3):
            sub = submissions.submit(session, p, m.id or 0, answer=GOOD_ANSWER)
            session.commit()
            reviews.claim(session, mentor, sub.id or 0)
            reviews.review(
                session, mentor, sub.id or 0, decision="approved", scores=FULL_SCORES, feedback="."
            )
            session.commit()
        mine = progress.progress_for(session, p, w.student.id or 0)
        assert mine.scope is not None
        assert (mine.scope.track, mine.scope.label, mine.scope.percent) == (
            "builders",
            "3 of 7",
            42,
        )
        assert mine.scope.as_public().label == "3 of 7"
        assert {m.title for m in mine.missions} >= {"A secret mission", "Write a policy"}
        assert "Coast mission" not in {m.title for m in mine.missions}

    def test_a_learner_with_no_programme_sees_an_empty_state(
        self, session: Session, two: Two, api_client: TestClient
    ) -> None:
        mine = progress.progress_for(session, principal(session, two.loner), two.loner.id or 0)
        assert mine.scope is None and mine.missions == [] and not mine.in_programme
        bearer(api_client, two.loner.email)
        r = api_client.get("/api/v1/progress")
        assert r.status_code == 200
        assert r.json()["in_programme"] is False and r.json()["scope"] is None
