"""Submissions (services/learning/submissions.py): drafts, submit, attempts, files, hints, object rules."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, col, select

from cyberhub.models import (
    Enrollment,
    HintReveal,
    MissionStatus,
    Notification,
    OutboxMail,
    Submission,
    SubmissionEvent,
)
from cyberhub.models.progress import EnrollmentStatus
from cyberhub.services.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated
from cyberhub.services.learning import reviews, submissions
from cyberhub.settings import get_settings
from tests.factories import (
    FULL_SCORES,
    GOOD_ANSWER,
    World,
    build_world,
    enroll,
    id_of,
    make_mission,
    make_user,
    principal,
    submit_and_decide,
)

pytestmark = [pytest.mark.missions, pytest.mark.student, pytest.mark.integration]


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session)


@pytest.fixture
def uploads(session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Uploads go to a temporary DATA_DIR, never the repository's."""
    monkeypatch.setattr(get_settings(), "data_dir", tmp_path)
    yield tmp_path / "uploads"


def submit(session: Session, w: World, user=None, mission=None, **kw) -> Submission:
    sub = submissions.submit(
        session,
        principal(session, user or w.student),
        id_of(mission or w.m1),
        answer=kw.pop("answer", GOOD_ANSWER),
        links=kw.pop("links", ["https://github.com/amina/hardening"]),
        **kw,
    )
    session.commit()
    return sub


def decide(session: Session, w: World, sub: Submission, decision: str, feedback: str = "") -> None:
    mentor = principal(session, w.mentor)
    reviews.claim(session, mentor, sub.id or 0)
    reviews.review(
        session, mentor, sub.id or 0, decision=decision, scores=FULL_SCORES, feedback=feedback
    )
    session.commit()


def events(session: Session, sub_id: int) -> list[str]:
    return list(
        session.exec(
            select(SubmissionEvent.kind)
            .where(SubmissionEvent.submission_id == sub_id)
            .order_by(col(SubmissionEvent.id))
        ).all()
    )


class TestSubmit:
    def test_first_submission_is_attempt_1_and_tells_the_assigned_mentor(
        self, session: Session, world: World
    ) -> None:
        sub = submit(
            session, world, links=["https://github.com/a/b", " ", "https://github.com/a/b"]
        )
        assert (sub.status, sub.attempt) == ("submitted", 1)
        assert sub.submitted_at is not None and sub.answer == GOOD_ANSWER
        assert sub.links == ["https://github.com/a/b"]  # blanks and repeats dropped
        assert events(session, sub.id or 0) == ["submitted"]
        notes = session.exec(select(Notification)).all()
        assert [(n.user_id, n.kind) for n in notes] == [(world.mentor.id, "submission_received")]
        assert "Harden a server" in notes[0].title and notes[0].link == f"/review/{sub.id}"
        mail = session.exec(select(OutboxMail).where(OutboxMail.to_email == world.mentor.email))
        assert mail.one().kind == "submission_received"

    def test_without_an_assigned_mentor_every_cohort_mentor_is_told(
        self, session: Session, world: World
    ) -> None:
        submit(session, world, user=world.student2)
        notified = set(session.exec(select(Notification.user_id)).all())
        assert notified == {world.mentor.id, world.comentor.id}

    def test_mentors_of_a_cohort_the_learner_left_are_not_told(
        self, session: Session, world: World
    ) -> None:
        """The learner withdrew from the evening cohort: its mentor no longer serves them (and
        could not open the submission), so only their current cohort's mentors hear of it."""
        enroll(session, world.other_cohort, world.student2, status="withdrawn")
        submit(session, world, user=world.student2)
        notified = set(session.exec(select(Notification.user_id)).all())
        assert notified == {world.mentor.id, world.comentor.id}

    def test_anonymous_and_non_students_cannot_submit(self, session: Session, world: World) -> None:
        with pytest.raises(Unauthenticated):
            submissions.submit(session, None, world.m1.id or 0, answer=GOOD_ANSWER)
        for user in (world.mentor, world.director, world.admin):
            with pytest.raises(Forbidden):
                submissions.submit(
                    session, principal(session, user), world.m1.id or 0, answer=GOOD_ANSWER
                )

    def test_unpublished_unknown_and_archived_missions(
        self, session: Session, world: World
    ) -> None:
        me = principal(session, world.student)
        for mission_id in (world.draft_mission.id or 0, 999_999):
            with pytest.raises(NotFound):
                submissions.submit(session, me, mission_id, answer=GOOD_ANSWER)
        with pytest.raises(Conflict, match="archived"):
            submissions.submit(session, me, world.archived_mission.id or 0, answer=GOOD_ANSWER)

    def test_a_student_must_be_enrolled_in_the_programme(
        self, session: Session, world: World
    ) -> None:
        loner = make_user(session, "loner@example.org", "student", organization_id=world.org.id)
        with pytest.raises(Forbidden, match="not enrolled"):
            submissions.submit(
                session, principal(session, loner), world.m1.id or 0, answer=GOOD_ANSWER
            )
        with pytest.raises(NotFound):  # another organization's mission: not even named
            submissions.submit(
                session,
                principal(session, world.student),
                world.other_mission.id or 0,
                answer=GOOD_ANSWER,
            )
        row = session.exec(select(Enrollment).where(Enrollment.student_id == world.student.id))
        enrollment = row.one()
        enrollment.status = EnrollmentStatus.withdrawn
        session.add(enrollment)
        session.commit()
        with pytest.raises(Forbidden, match="not enrolled"):
            submit(session, world)

    def test_prerequisites_lock_a_mission_until_approved(
        self, session: Session, world: World
    ) -> None:
        with pytest.raises(Forbidden, match="locked until your work on “Harden a server”"):
            submit(session, world, mission=world.m2)
        first = submit(session, world)
        with pytest.raises(Forbidden, match="locked"):  # submitted is not approved
            submit(session, world, mission=world.m2)
        decide(session, world, first, "approved")
        assert submit(session, world, mission=world.m2).status == "submitted"

    def test_an_archived_prerequisite_does_not_lock(self, session: Session, world: World) -> None:
        retired = make_mission(
            session, world.program, world.builders, status=MissionStatus.archived
        )
        later = make_mission(session, world.program, world.builders, prerequisites=(retired,))
        assert submit(session, world, mission=later).attempt == 1

    @pytest.mark.parametrize(
        ("answer", "links", "message"),
        [
            ("too short", [], "at least 20 characters"),
            ("   " + "x" * 10 + "   ", [], "at least 20 characters"),
            ("x" * 20_001, [], "at most 20,000"),
            (GOOD_ANSWER, ["ftp://files.example.org/a"], "Link 1 must be a full http"),
            (GOOD_ANSWER, ["https://ok.example.org", "javascript:alert(1)"], "Link 2"),
            (GOOD_ANSWER, ["github.com/no-scheme"], "Link 1"),
            # Not parsable as a URL (an unclosed IPv6 bracket, a port past 65535): a message,
            # not a server error.
            (GOOD_ANSWER, ["https://ok.example.org", "http://[::1/repo"], "Link 2 must be"),
            (GOOD_ANSWER, ["https://git.example.org:99999/you/repo"], "Link 1 must be"),
            (GOOD_ANSWER, [f"https://e.org/{i}" for i in range(11)], "at most 10 links"),
            (GOOD_ANSWER, ["https://e.org/" + "a" * 600], "longer than 500"),
        ],
    )
    def test_bad_input_is_invalid_with_a_message(
        self, session: Session, world: World, answer: str, links: list[str], message: str
    ) -> None:
        with pytest.raises(Invalid, match=message):
            submit(session, world, answer=answer, links=links)
        assert session.exec(select(Submission)).all() == []

    def test_problems_are_listed_together(self, session: Session, world: World) -> None:
        with pytest.raises(Invalid) as err:
            submit(session, world, answer="short", links=["nope", "https://fine.example.org"])
        assert "at least 20 characters" in err.value.message and "Link 1" in err.value.message


class TestAttempts:
    def test_no_second_attempt_while_one_is_open_or_approved(
        self, session: Session, world: World
    ) -> None:
        sub = submit(session, world)
        with pytest.raises(Conflict, match="waiting for review"):
            submit(session, world)
        reviews.claim(session, principal(session, world.mentor), sub.id or 0)
        session.commit()
        with pytest.raises(Conflict, match="waiting for review"):
            submit(session, world)
        reviews.review(
            session,
            principal(session, world.mentor),
            sub.id or 0,
            decision="approved",
            scores=FULL_SCORES,
            feedback="",
        )
        session.commit()
        with pytest.raises(Conflict, match="already approved"):
            submit(session, world)

    def test_resubmission_after_changes_requested_is_attempt_2_with_history(
        self, session: Session, world: World
    ) -> None:
        first = submit(session, world)
        decide(session, world, first, "changes_requested", "Show the firewall rules.")
        second = submit(session, world, answer=GOOD_ANSWER + " Firewall rules attached.")
        assert (second.attempt, second.status) == (2, "submitted") and second.id != first.id
        for viewer in (world.student, world.mentor, world.director, world.admin):
            attempts = submissions.history(
                session, principal(session, viewer), world.student.id or 0, world.m1.id or 0
            )
            assert [(a.submission.attempt, a.submission.status) for a in attempts] == [
                (1, "changes_requested"),
                (2, "submitted"),
            ]
        one, two = attempts
        assert one.review is not None and one.review.feedback == "Show the firewall rules."
        assert [e.kind for e in one.events] == ["submitted", "claimed", "changes_requested"]
        assert two.review is None and [e.kind for e in two.events] == ["submitted"]
        data = one.as_public()
        assert data.review is not None
        assert data.review.total == 15 and data.review.max_total == 15
        assert [t.kind for t in data.timeline] == [
            "submitted",
            "claimed",
            "changes_requested",
        ]

    def test_a_resubmission_starts_from_the_attempt_changes_were_requested_on(
        self, session: Session, world: World, uploads: Path
    ) -> None:
        me = principal(session, world.student)
        mid = world.m1.id or 0
        first = submit(
            session, world, file=submissions.Upload("scan.txt", b"nmap: 22/tcp open ssh")
        )
        decide(session, world, first, "changes_requested", "Show the firewall rules.")
        # The page's form starts from attempt 1: answer, links and file.
        draft = submissions.work_status(session, me, mid).draft
        assert draft is not None
        assert (draft.answer, draft.links, draft.file) == (
            GOOD_ANSWER,
            ["https://github.com/amina/hardening"],
            "scan.txt",
        )
        # Submitting only a new answer keeps the links and the file of attempt 1.
        second = submit(session, world, answer=GOOD_ANSWER + " Firewall rules attached.")
        assert second.attempt == 2 and second.links == ["https://github.com/amina/hardening"]
        assert second.file_name == "scan.txt" and second.file_path == first.file_path
        _, name, _ = submissions.stored_file(session, me, second.id or 0)
        assert name == "scan.txt"

    def test_replacing_a_carried_file_keeps_the_earlier_attempts_copy(
        self, session: Session, world: World, uploads: Path
    ) -> None:
        me = principal(session, world.student)
        first = submit(
            session, world, file=submissions.Upload("scan.txt", b"nmap: 22/tcp open ssh")
        )
        decide(session, world, first, "changes_requested", "Show the firewall rules.")
        draft = submissions.attach_file(
            session, me, world.m1.id or 0, submissions.Upload("rules.txt", b"ufw deny incoming")
        )
        session.commit()
        assert draft.attempt == 2 and draft.file_name == "rules.txt"
        path, name, _ = submissions.stored_file(session, me, first.id or 0)
        assert name == "scan.txt" and path.read_bytes() == b"nmap: 22/tcp open ssh"
        # Replacing attempt 2's own file again deletes that one (no other attempt uses it).
        own = submissions.resolve_stored(draft.file_path or "")
        submissions.attach_file(
            session, me, world.m1.id or 0, submissions.Upload("final.txt", b"ufw status: ok")
        )
        session.commit()
        assert not own.exists() and path.exists()

    def test_history_follows_the_object_rules(self, session: Session, world: World) -> None:
        submit(session, world)
        args = (world.student.id or 0, world.m1.id or 0)
        with pytest.raises(NotFound):
            submissions.history(session, principal(session, world.student2), *args)
        for outsider in (world.other_mentor, world.other_director, world.other_mentor_org):
            with pytest.raises(Forbidden):
                submissions.history(session, principal(session, outsider), *args)
        with pytest.raises(Unauthenticated):
            submissions.history(session, None, *args)


class TestDrafts:
    def test_a_draft_is_private_and_becomes_the_submission(
        self, session: Session, world: World
    ) -> None:
        me = principal(session, world.student)
        draft = submissions.save_draft(session, me, world.m1.id or 0, answer="notes so far")
        session.commit()
        assert (draft.status, draft.attempt, draft.submitted_at) == ("draft", 1, None)
        again = submissions.save_draft(
            session, me, world.m1.id or 0, answer="more notes", links=["https://e.org/x"]
        )
        assert again.id == draft.id and again.answer == "more notes"
        with pytest.raises(Invalid, match="Link 1"):
            submissions.save_draft(session, me, world.m1.id or 0, links=["not a url"])
        for staff in (world.mentor, world.director, world.admin):
            with pytest.raises(Forbidden):
                submissions.get_submission(session, principal(session, staff), draft.id or 0)
            assert (
                submissions.history(
                    session, principal(session, staff), world.student.id or 0, world.m1.id or 0
                )
                == []
            )
        assert submissions.get_submission(session, me, draft.id or 0).submission.id == draft.id
        assert session.exec(select(Notification)).all() == []  # nobody is told about a draft
        sub = submit(session, world)
        assert sub.id == draft.id and sub.status == "submitted" and sub.attempt == 1

    def test_an_answer_typed_with_windows_line_breaks_is_stored_with_plain_ones(
        self, session: Session, world: World
    ) -> None:
        """Every multi-line field is stored with "\n" line breaks (services/text.py): an answer
        sent with "\r\n" (or an old Mac "\r") by an API client was stored with its carriage
        returns, and they counted towards the answer's length."""
        me = principal(session, world.student)
        draft = submissions.save_draft(
            session, me, world.m1.id or 0, answer="Steps:\r\n\r\n1. ssh\r2. ufw\r\n"
        )
        assert draft.answer == "Steps:\n\n1. ssh\n2. ufw"
        with pytest.raises(Invalid, match="at least 20 characters"):
            submissions.submit(
                session, me, world.m1.id or 0, answer="Short\r\n\r\n\r\n\r\n\r\nanswer"
            )
        sub = submissions.submit(session, me, world.m1.id or 0, answer=GOOD_ANSWER + "\r\nThanks.")
        assert sub.answer == GOOD_ANSWER + "\nThanks."

    def test_work_status_for_the_mission_page(self, session: Session, world: World) -> None:
        me = principal(session, world.student)
        status = submissions.work_status(session, me, world.m2.id or 0)
        assert status.locked and status.status == "locked" and not status.can_submit
        assert [m.title for m in status.missing_prerequisites] == ["Harden a server"]
        status = submissions.work_status(session, me, world.m1.id or 0)
        assert status.model_dump() == {
            "status": "not_started",
            "locked": False,
            "missing_prerequisites": [],
            "enrolled": True,
            "attempts": 0,
            "latest_id": None,
            "can_submit": True,
            "can_reveal_hints": True,
            "draft": None,
        }
        submit(session, world)
        status = submissions.work_status(session, me, world.m1.id or 0)
        assert status.status == "submitted" and not status.can_submit


class TestVisibility:
    def test_who_may_see_a_submission(self, session: Session, world: World) -> None:
        sub = submit(session, world)
        sid = sub.id or 0
        for viewer in (world.student, world.mentor, world.comentor, world.director, world.admin):
            detail = submissions.get_submission(session, principal(session, viewer), sid)
            assert detail.submission.id == sid and detail.mission.id == world.m1.id
        # Another student isn't told it exists; staff without a link to the student are refused.
        with pytest.raises(NotFound):
            submissions.get_submission(session, principal(session, world.student2), sid)
        for outsider in (world.other_mentor, world.other_director, world.other_mentor_org):
            with pytest.raises(Forbidden):
                submissions.get_submission(session, principal(session, outsider), sid)
        with pytest.raises(Unauthenticated):
            submissions.get_submission(session, None, sid)
        with pytest.raises(NotFound):
            submissions.get_submission(session, principal(session, world.admin), 999_999)


class TestFiles:
    def test_a_file_is_stored_under_a_random_name(
        self, session: Session, world: World, uploads: Path
    ) -> None:
        upload = submissions.Upload("../../etc/report.pdf", b"%PDF-1.7\nreport")
        sub = submit(session, world, file=upload)
        assert sub.file_name == "report.pdf" and sub.file_type == "application/pdf"
        assert sub.file_size == len(upload.content)
        assert sub.file_path and sub.file_path.startswith("uploads/")
        stored = uploads / Path(sub.file_path).name
        assert stored.read_bytes() == upload.content and len(stored.name) == 32
        path, name, kind = submissions.stored_file(
            session, principal(session, world.mentor), sub.id or 0
        )
        assert (path, name, kind) == (stored.resolve(), "report.pdf", "application/pdf")
        with pytest.raises(NotFound):
            submissions.stored_file(session, principal(session, world.student2), sub.id or 0)

    @pytest.mark.parametrize(
        ("name", "content", "message"),
        [
            ("tool.exe", b"MZ\x90\x00", "PDF, PNG, JPG, TXT, MD or ZIP"),
            ("noextension", b"hello", "PDF, PNG, JPG, TXT, MD or ZIP"),
            ("empty.txt", b"", "empty"),
            ("fake.pdf", b"MZ\x90\x00 not a pdf", "not a valid .pdf"),
            ("fake.png", b"GIF89a", "not a valid .png"),
            ("binary.txt", b"\x00\x01\x02", "not a valid .txt"),
            ("huge.txt", b"a" * (10 * 1024 * 1024 + 1), "larger than 10 MB"),
        ],
    )
    def test_type_content_and_size_are_checked(
        self, session: Session, world: World, uploads: Path, name: str, content: bytes, message: str
    ) -> None:
        with pytest.raises(Invalid, match=message):
            submissions.store_upload(submissions.Upload(name, content))
        assert not uploads.exists() or list(uploads.iterdir()) == []

    def test_accepted_types(self, uploads: Path) -> None:
        samples = {
            "shot.png": b"\x89PNG\r\n\x1a\nxxxx",
            "photo.JPG": b"\xff\xd8\xff\xe0xxxx",
            "notes.md": "# Résumé\n".encode(),
            "bundle.zip": b"PK\x03\x04xxxx",
            "log.txt": b"plain text",
        }
        for name, content in samples.items():
            stored = submissions.store_upload(submissions.Upload(name, content))
            assert stored.name == name and stored.size == len(content)
        assert len(list(uploads.iterdir())) == len(samples)

    def test_a_stored_path_outside_uploads_is_refused(self, uploads: Path) -> None:
        with pytest.raises(NotFound):
            submissions.resolve_stored("uploads/../../etc/passwd")

    def test_attach_a_file_to_the_draft(
        self, session: Session, world: World, uploads: Path
    ) -> None:
        me = principal(session, world.student)
        draft = submissions.attach_file(
            session, me, world.m1.id or 0, submissions.Upload("notes.txt", b"my notes")
        )
        assert draft.status == "draft" and draft.file_name == "notes.txt"
        sub = submit(session, world)
        assert sub.id == draft.id and sub.file_name == "notes.txt"  # kept on submit


class TestHints:
    def test_hints_are_revealed_in_order_and_recorded_once(
        self, session: Session, world: World
    ) -> None:
        me = principal(session, world.student)
        mid = world.m1.id or 0
        assert submissions.revealed_hints(session, me, mid) == []
        first = submissions.reveal_hint(session, me, mid)
        assert (first.index, first.hint, first.remaining) == (0, "First hint.", 1)
        with pytest.raises(Invalid, match="in order"):
            submissions.reveal_hint(session, principal(session, world.student2), mid, 1)
        again = submissions.reveal_hint(session, me, mid, 0)  # idempotent
        assert again.index == 0 and again.remaining == 1
        second = submissions.reveal_hint(session, me, mid)
        assert second.hint == "Second hint." and second.remaining == 0
        assert [h.index for h in second.revealed] == [0, 1]
        with pytest.raises(Conflict, match="every hint"):
            submissions.reveal_hint(session, me, mid)
        with pytest.raises(Invalid, match="2 hints"):
            submissions.reveal_hint(session, me, mid, 5)
        session.commit()
        rows = session.exec(select(HintReveal).where(HintReveal.student_id == world.student.id))
        assert sorted(r.hint_index for r in rows.all()) == [0, 1]

    def test_a_locked_missions_hints_wait_until_it_is_unlocked(
        self, session: Session, world: World
    ) -> None:
        """A hint revealed on a mission the learner can't start yet was counted as used (their
        mentor reads "1 of 2 hints") before they could even try it; it now waits, as the
        mission does, until its prerequisite is approved."""
        me = principal(session, world.student)
        locked = id_of(world.m2)  # needs m1 approved
        with pytest.raises(Forbidden, match="locked until your work on “Harden a server”"):
            submissions.reveal_hint(session, me, locked)
        assert submissions.revealed_hints(session, me, locked) == []
        submit_and_decide(session, world, world.m1, "approved")
        assert submissions.reveal_hint(session, me, locked).index == 0

    def test_who_may_reveal(self, session: Session, world: World) -> None:
        with pytest.raises(Unauthenticated):
            submissions.reveal_hint(session, None, world.m1.id or 0)
        with pytest.raises(Forbidden):
            submissions.reveal_hint(session, principal(session, world.mentor), world.m1.id or 0)
        with pytest.raises(NotFound):
            submissions.reveal_hint(
                session, principal(session, world.student), world.draft_mission.id or 0
            )
        bare = make_mission(session, world.program, world.builders, hints=[])
        with pytest.raises(NotFound, match="no hints"):
            submissions.reveal_hint(session, principal(session, world.student), bare.id or 0)


class TestAttemptViews:
    def test_attempts_are_shaped_for_the_screens(self, session: Session, world: World) -> None:
        first = submit(session, world)
        decide(session, world, first, "changes_requested", "Show the **firewall** rules.")
        submit(session, world, answer=GOOD_ANSWER + " Firewall rules attached.")
        me = principal(session, world.student)
        details = submissions.history(session, me, world.student.id or 0, world.m1.id or 0)
        one, two = submissions.attempt_views(session, details)
        mentor = world.mentor.full_name or world.mentor.email.split("@")[0]
        assert (one["attempt"], one["status"], one["has_review"]) == (1, "changes_requested", True)
        assert one["decision"] == "changes_requested" and one["mentor"] == mentor
        assert one["feedback"] == "Show the **firewall** rules."
        assert (one["total"], one["max_total"]) == (15, 15)
        assert one["scores"] == [
            {"title": "Evidence", "points": 10, "max": 10, "comment": ""},
            {"title": "Clarity", "points": 5, "max": 5, "comment": ""},
        ]
        assert [e["label"] for e in one["events"]] == [
            "Submitted",
            "Claimed for review",
            "Changes requested",
        ]
        assert one["events"][1]["actor"] == mentor and one["submitted_at"].endswith(" UTC")
        assert (two["attempt"], two["status"], two["has_review"]) == (2, "submitted", False)
        assert two["scores"] == [] and two["file_name"] == "" and two["links"]
        assert submissions.attempt_views(session, []) == []

    def test_display_helpers(self) -> None:
        assert submissions.display_time(None) == ""
        assert submissions.display_size(None) == ""
        assert submissions.display_size(512) == "512 B"
        assert submissions.display_size(2048) == "2 KB"
        assert submissions.display_size(3 * 1024 * 1024) == "3.0 MB"
