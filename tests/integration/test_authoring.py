"""Writing missions: validation, prerequisites without loops, publish / unpublish / archive, and
the embedding job sent after the commit of a publish or of an edit to a published mission."""

from __future__ import annotations

from typing import Any

import dramatiq
import pytest
from sqlmodel import Session, select

from cyberhub import db
from cyberhub.models import AuditLog, Mission, MissionPrerequisite, MissionStatus
from cyberhub.schemas.director import MissionPublic
from cyberhub.services.errors import Conflict, Forbidden, Invalid, NotFound
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning import authoring, catalog
from cyberhub.services.learning.authoring import MissionChanges
from tests.factories import World, build_world, id_of, make_mission, principal
from tests.races import second_while_first_holds

pytestmark = [pytest.mark.missions, pytest.mark.admin, pytest.mark.integration]

RUBRIC = [
    {"title": "Evidence", "description": "Output backs every claim.", "points": 10},
    {"key": "clarity", "title": "Clarity", "points": 5},
]


@pytest.fixture
def world(session: Session) -> World:
    """The world, with its programme's missions authored by its own organisation (a factory
    mission is otherwise a library mission, which only admins edit)."""
    w = build_world(session)
    for m in (w.m1, w.m2, w.m3, w.draft_mission, w.archived_mission):
        m.organization_id = w.org.id
        session.add(m)
    session.commit()
    return w


def director(session: Session, world: World) -> Principal:
    return principal(session, world.director)


def draft(session: Session, world: World, **kw: Any) -> MissionPublic:
    fields: dict[str, Any] = {"title": "Threat-model a login page", "track": "builders"}
    fields.update(kw)
    return authoring.create_mission(session, director(session, world), MissionChanges(**fields))


def ready(session: Session, world: World, **kw: Any) -> MissionPublic:
    fields: dict[str, Any] = {
        "brief": "## Goal\n\nDraw the data flows and list **three** threats.",
        "rubric": RUBRIC,
    }
    fields.update(kw)
    return draft(session, world, **fields)


def queued(broker: dramatiq.Broker) -> list[int]:
    q = broker.queues.get("ai")
    return [dramatiq.Message.decode(raw).args[0] for raw in list(q.queue)] if q else []


class TestCreate:
    def test_a_draft_needs_only_a_title_and_track(self, session: Session, world: World) -> None:
        m = draft(session, world)
        assert m.status == "draft" and m.track == "builders"
        assert m.slug == "threat-model-a-login-page"
        assert m.difficulty == 1 and m.estimated_minutes == 60
        assert m.author_id == world.director.id and m.program_ids == [world.program.id]
        assert m.organization_id == world.org.id and not m.library
        assert session.exec(select(AuditLog).where(AuditLog.action == "mission.created")).one()
        # Same title again: a distinct slug.
        assert draft(session, world).slug == "threat-model-a-login-page-2"

    def test_every_field_is_cleaned(self, session: Session, world: World) -> None:
        m = ready(
            session,
            world,
            summary="  Find the weak spots.  ",
            difficulty=3,
            skills=["STRIDE", " stride ", "", "Data flow diagrams"],
            estimated_minutes=90,
            hints=["Start at the trust boundaries.", "   "],
            nice_work_roles=["DD-WRL-003", "Cybersecurity Architecture"],
            prerequisites=[world.m1.id, world.m1.id],
        )
        assert m.summary == "Find the weak spots."
        assert m.skills == ["STRIDE", "Data flow diagrams"]
        assert m.hints == ["Start at the trust boundaries."]
        assert m.nice_work_roles == ["DD-WRL-003", "DD-WRL-001"]
        assert m.rubric == [
            {
                "key": "evidence",
                "title": "Evidence",
                "description": "Output backs every claim.",
                "points": 10,
            },
            {"key": "clarity", "title": "Clarity", "description": "", "points": 5},
        ]
        assert m.max_points == 15
        assert [p.id for p in m.prerequisites] == [world.m1.id]

    @pytest.mark.parametrize(
        ("fields", "message"),
        [
            ({"title": "ab"}, "at least 3 characters"),
            ({"track": "wizards"}, "no track 'wizards'"),
            ({"track": "educators"}, "no track 'educators'"),  # not in this programme
            ({"difficulty": 6}, "between 1 \\(beginner\\) and 5"),
            ({"difficulty": 0}, "between 1 \\(beginner\\) and 5"),
            ({"estimated_minutes": 0}, "Estimated minutes"),
            ({"nice_work_roles": ["OG-WRL-007"]}, "not a NICE work role of the builders"),
            (
                {"rubric": [{"title": "A", "points": 5}, {"key": "a", "title": "B", "points": 1}]},
                "share the key 'a'",
            ),
            ({"rubric": [{"title": "Depth", "points": 0}]}, "between 1 and 1000"),
            ({"rubric": [{"title": "", "points": 3}]}, "needs a title"),
            ({"rubric": [{"title": "Depth", "key": "Bad Key!", "points": 3}]}, "lower-case"),
            ({"hints": ["x"] * 11}, "at most 10 hints"),
            ({"skills": [f"s{i}" for i in range(21)]}, "at most 20 skills"),
        ],
    )
    def test_bad_input_says_what_is_wrong(
        self, session: Session, world: World, fields: dict[str, Any], message: str
    ) -> None:
        with pytest.raises(Invalid, match=message):
            draft(session, world, **fields)

    def test_prerequisites_must_be_of_this_programme_and_not_archived(
        self, session: Session, world: World
    ) -> None:
        with pytest.raises(Invalid, match="not a mission of this programme"):
            draft(session, world, prerequisites=[world.other_mission.id])
        with pytest.raises(Invalid, match="archived"):
            draft(session, world, prerequisites=[world.archived_mission.id])
        with pytest.raises(Invalid, match="not a mission of this programme"):
            draft(session, world, prerequisites=[999_999])

    def test_title_and_track_are_required(self, session: Session, world: World) -> None:
        d = director(session, world)
        with pytest.raises(Invalid, match="title"):
            authoring.create_mission(session, d, MissionChanges(track="builders"))
        with pytest.raises(Invalid, match="track"):
            authoring.create_mission(session, d, MissionChanges(title="No track"))

    def test_admin_must_name_the_programme(self, session: Session, world: World) -> None:
        admin = principal(session, world.admin)
        with pytest.raises(Invalid, match="Choose the programme"):
            authoring.create_mission(session, admin, MissionChanges(title="Hm", track="builders"))
        m = authoring.create_mission(
            session,
            admin,
            MissionChanges(program_id=world.other_program.id, title="For Coast", track="builders"),
        )
        assert m.program_ids == [world.other_program.id]
        assert m.organization_id == world.other_org.id


class TestTwoMissionsTitledAlikeAtOnce:
    def test_both_are_created_each_with_its_own_slug(self, session: Session, world: World) -> None:
        """Two directors (or a double click) creating missions of one title at the same moment:
        the second, whose slug was chosen while the first's mission was not yet committed, gets
        the next free slug instead of failing on the slug's unique index (a 500)."""
        d = director(session, world)
        slugs: list[str] = []

        def create(s: Session) -> None:
            m = authoring.create_mission(
                s, d, MissionChanges(title="Race the clock", track="builders")
            )
            slugs.append(m.slug)

        assert second_while_first_holds(create, create) == ("ok", "ok")
        assert slugs == ["race-the-clock", "race-the-clock-2"]


class TestPrerequisiteLoops:
    def test_a_loop_is_rejected_with_a_message(self, session: Session, world: World) -> None:
        d = director(session, world)
        # m2 already requires m1. Make m3 require m2, then try m1 -> m3: m1, m3, m2, m1.
        authoring.update_mission(
            session, d, world.m3.id or 0, MissionChanges(prerequisites=[world.m2.id or 0])
        )
        with pytest.raises(Invalid, match="'Write a policy' already requires 'Harden a server'"):
            authoring.update_mission(
                session, d, world.m1.id or 0, MissionChanges(prerequisites=[world.m3.id or 0])
            )
        with pytest.raises(Invalid, match="its own prerequisite"):
            authoring.update_mission(
                session, d, world.m1.id or 0, MissionChanges(prerequisites=[world.m1.id or 0])
            )
        # A mission may share prerequisites without a loop (a diamond is fine).
        m = authoring.update_mission(
            session,
            d,
            world.m3.id or 0,
            MissionChanges(prerequisites=[world.m1.id or 0, world.m2.id or 0]),
        )
        assert {p.id for p in m.prerequisites} == {world.m1.id, world.m2.id}

    def test_clearing_prerequisites(self, session: Session, world: World) -> None:
        authoring.update_mission(
            session, director(session, world), world.m2.id or 0, MissionChanges(prerequisites=[])
        )
        session.commit()
        rows = session.exec(
            select(MissionPrerequisite).where(MissionPrerequisite.mission_id == world.m2.id)
        ).all()
        assert rows == []


class TestPublishing:
    def test_publish_needs_brief_rubric_and_published_prerequisites(
        self, session: Session, world: World
    ) -> None:
        d = director(session, world)
        bare = draft(session, world)
        with pytest.raises(Invalid, match="needs a brief and at least one rubric criterion"):
            authoring.publish_mission(session, d, bare.id)
        waiting = ready(session, world, prerequisites=[world.draft_mission.id])
        with pytest.raises(Invalid, match="Publish its prerequisites first.*'Unfinished'"):
            authoring.publish_mission(session, d, waiting.id)

    def test_published_mission_reaches_the_catalog_and_is_embedded_after_commit(
        self, session: Session, world: World, stub_broker: dramatiq.Broker
    ) -> None:
        m = ready(session, world, title="Map the attack surface")
        session.commit()
        d = director(session, world)
        with db.session_scope() as s:
            out = authoring.publish_mission(s, d, m.id)
            assert out.status == "published"
            assert queued(stub_broker) == []  # not before the commit
        assert queued(stub_broker) == [m.id]
        page = catalog.list_missions(
            session, principal(session, world.student), catalog.MissionFilter(q="attack surface")
        )
        assert [x.id for x, _t in page.items] == [m.id]
        assert session.exec(select(AuditLog).where(AuditLog.action == "mission.published")).one()

    def test_a_rolled_back_publish_sends_no_job(
        self, session: Session, world: World, stub_broker: dramatiq.Broker
    ) -> None:
        m = ready(session, world)
        session.commit()
        with pytest.raises(RuntimeError), db.session_scope() as s:
            authoring.publish_mission(s, director(session, world), m.id)
            raise RuntimeError("the request failed later")
        assert queued(stub_broker) == []

    def test_editing_a_published_mission_keeps_it_publishable_and_re_embeds(
        self, session: Session, world: World, stub_broker: dramatiq.Broker
    ) -> None:
        d = director(session, world)
        mid = world.m1.id or 0
        with pytest.raises(Invalid, match="at least one rubric criterion"):
            authoring.update_mission(session, d, mid, MissionChanges(rubric=[]))
        with pytest.raises(Invalid, match="needs a brief"):
            authoring.update_mission(session, d, mid, MissionChanges(brief="   "))
        with pytest.raises(Invalid, match="Publish its prerequisites first"):
            authoring.update_mission(
                session, d, mid, MissionChanges(prerequisites=[world.draft_mission.id or 0])
            )
        session.rollback()
        with db.session_scope() as s:
            out = authoring.update_mission(
                s, d, mid, MissionChanges(summary="Sharper summary", difficulty=2)
            )
        assert out.summary == "Sharper summary" and out.difficulty == 2
        assert queued(stub_broker) == [mid]

    def test_editing_a_draft_sends_no_job(
        self, session: Session, world: World, stub_broker: dramatiq.Broker
    ) -> None:
        with db.session_scope() as s:
            authoring.update_mission(
                s,
                director(session, world),
                world.draft_mission.id or 0,
                MissionChanges(title="Still unfinished", track="leaders"),
            )
        assert queued(stub_broker) == []
        session.expire_all()
        m = session.get(Mission, world.draft_mission.id)
        assert m is not None and m.track_id == world.leaders.id and m.slug.startswith("mission-")

    def test_status_transitions(self, session: Session, world: World) -> None:
        d = director(session, world)
        mid = world.m3.id or 0
        with pytest.raises(Conflict, match="already published"):
            authoring.publish_mission(session, d, mid)
        assert authoring.unpublish_mission(session, d, mid).status == "draft"
        with pytest.raises(Conflict, match="already a draft"):
            authoring.unpublish_mission(session, d, mid)
        assert authoring.archive_mission(session, d, mid).status == "archived"
        with pytest.raises(Conflict, match="already archived"):
            authoring.archive_mission(session, d, mid)
        with pytest.raises(Conflict, match="archived: restore it"):
            authoring.update_mission(session, d, mid, MissionChanges(title="Edited"))
        assert authoring.publish_mission(session, d, mid).status == "published"
        actions = session.exec(
            select(AuditLog.action).where(AuditLog.target_type == "mission").order_by(AuditLog.id)  # type: ignore[arg-type]
        ).all()
        assert list(actions) == ["mission.unpublished", "mission.archived", "mission.published"]

    def test_missions_others_require_stay_published(self, session: Session, world: World) -> None:
        d = director(session, world)
        with pytest.raises(Conflict, match="Published missions require this one \\('Scan the"):
            authoring.unpublish_mission(session, d, world.m1.id or 0)
        with pytest.raises(Conflict, match="Published missions require this one"):
            authoring.archive_mission(session, d, world.m1.id or 0)
        authoring.unpublish_mission(session, d, world.m2.id or 0)
        assert authoring.archive_mission(session, d, world.m1.id or 0).status == "archived"


class TestListingAndAccess:
    def test_list_filters_by_status_and_counts(self, session: Session, world: World) -> None:
        d = director(session, world)
        every = authoring.list_missions(session, d)
        assert {m.title for m in every} == {
            "Harden a server",
            "Scan the pipeline",
            "Write a policy",
            "Unfinished",
            "Retired",
        }
        drafts = authoring.list_missions(session, d, status="draft")
        assert [m.title for m in drafts] == ["Unfinished"]
        assert authoring.status_counts(session, d) == {"draft": 1, "published": 3, "archived": 1}
        assert [m.title for m in authoring.list_missions(session, d, q="POLICY")] == [
            "Write a policy"
        ]
        with pytest.raises(Invalid, match="Unknown status"):
            authoring.list_missions(session, d, status="deleted")
        options = authoring.prerequisite_options(
            session, d, world.program.id or 0, world.m1.id or 0
        )
        assert {o.title for o in options} == {
            "Scan the pipeline",
            "Write a policy",
            "Unfinished",
        }

    def test_an_admins_library_draft_is_not_found_by_a_director(
        self, session: Session, world: World
    ) -> None:
        """An admin's unpublished library mission answered a director "only an admin can edit
        it" (403), telling that it exists; an unknown id is 404. A published library mission
        still says why it can't be edited."""
        draft = make_mission(session, world.program, world.builders, title="Coming soon")
        draft.status = MissionStatus.draft
        session.add(draft)
        session.commit()
        d = director(session, world)
        with pytest.raises(NotFound):
            authoring.update_mission(session, d, id_of(draft), MissionChanges(title="Mine"))
        session.rollback()
        library = make_mission(session, world.program, world.builders, title="Library lab")
        with pytest.raises(Forbidden, match="library mission"):
            authoring.update_mission(session, d, id_of(library), MissionChanges(title="Mine"))

    def test_other_organizations_and_other_roles_are_refused(
        self, session: Session, world: World
    ) -> None:
        other = principal(session, world.other_director)
        assert [m.title for m in authoring.list_missions(session, other)] == ["Coast mission"]
        mid = world.m1.id or 0
        for call in (
            lambda: authoring.get_mission(session, other, mid),
            lambda: authoring.update_mission(session, other, mid, MissionChanges(title="Mine")),
            lambda: authoring.publish_mission(session, other, world.draft_mission.id or 0),
            lambda: authoring.unpublish_mission(session, other, world.m3.id or 0),
            lambda: authoring.archive_mission(session, other, world.m3.id or 0),
            lambda: authoring.create_mission(
                session,
                other,
                MissionChanges(program_id=world.program.id, title="Mine", track="builders"),
            ),
        ):
            with pytest.raises(NotFound):  # as an unknown mission or programme
                call()
        for who in (world.student, world.mentor):
            with pytest.raises(Forbidden):
                authoring.list_missions(session, principal(session, who))
        with pytest.raises(NotFound):
            authoring.get_mission(session, director(session, world), 999_999)
