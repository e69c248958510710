"""Mentor review: claim a submission, score it against the rubric, decide, and the review queue.

Rules:
- any mentor serving the student's cohort (or assigned to the student) in a programme running
  the mission may claim a submitted attempt (claim_refusal: the queue, the review page's Claim
  and claim() itself read that one rule; directing the programme is not enough); the student's
  assigned mentor sees it first in their queue;
- a claim lasts 24 hours; exactly one mentor wins a race (one conditional UPDATE); another mentor
  holding an unexpired claim means Conflict;
- an expired claim goes back to "submitted" (expire_claims: a worker sweep, and lazily when a
  queue is listed; a claim attempt also takes over an expired claim directly). Until then the
  holder may still finish the review;
- only the holder reviews or releases; a review scores every rubric criterion (0..points),
  changes requested needs feedback; the student is notified in the app and by mail;
- a decided attempt keeps its reviewer in claimed_by_id (claim_expires_at is cleared): "reviewed
  by me" and the workload figures read that indexed column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, union, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from cyberhub import jobs
from cyberhub.formatting import person_name, when
from cyberhub.models import (
    Cohort,
    Enrollment,
    EnrollmentStatus,
    HintReveal,
    MentorAssignment,
    Mission,
    MissionStatus,
    Program,
    ProgramMission,
    Review,
    Role,
    Submission,
    SubmissionEvent,
    SubmissionStatus,
    User,
)
from cyberhub.models.base import utcnow
from cyberhub.models.progress import SubmissionEventKind
from cyberhub.schemas.paging import PageOf
from cyberhub.schemas.reviews import (
    ClaimState,
    HintUse,
    MissionSummary,
    NamedRef,
    QueueCounts,
    QueueItem,
    Ref,
    RevealedHint,
    ReviewScreen,
    RubricCriterion,
    Workload,
)
from cyberhub.schemas.rows import from_row
from cyberhub.services import rendering
from cyberhub.services import text as free_text
from cyberhub.services.errors import Conflict, Forbidden, Invalid
from cyberhub.services.identity.permissions import Principal, load_principal, require_role
from cyberhub.services.learning import certificates
from cyberhub.services.learning import submissions as subs
from cyberhub.services.learning.learning_access import mentor_pairs
from cyberhub.services.learning.submissions import (
    EV_APPROVED,
    EV_CHANGES_REQUESTED,
    EV_CLAIM_EXPIRED,
    EV_CLAIMED,
    add_event,
    feedback_link,
    load_visible,
    queues_changed,
    release_claim,
    release_claims,
    rubric_max,
    submission_link,
)
from cyberhub.services.messaging import live, notifications
from cyberhub.services.paging import check_page

CLAIM_HOURS = 24
FEEDBACK_MAX = 20_000
COMMENT_MAX = 2_000  # an optional comment on one rubric criterion
PAGE_SIZE = 20
BUCKETS = ("pending", "claimed_by_me", "waiting_for_student", "reviewed")
DECISIONS = (SubmissionStatus.approved.value, SubmissionStatus.changes_requested.value)
TURNAROUND_DAYS = 30


def _name(user: User | None) -> str:
    if user is None:
        return "Another mentor"
    return person_name(user.full_name, user.email)


# -- claim / release / expiry -----------------------------------------------------------------


OWN_WORK = "You can't review your own work."
NOT_THEIR_MENTOR = "Only a mentor of this student's cohort can claim and review this submission."


def _mentored_on(pairs: Any, student_id: Any, mission_id: Any) -> Any:
    """A mentor pair (`learning_access.mentor_pairs`) for the student in a programme that runs
    the mission: the work the mentor reviews. The queue lists by it and claim_refusal checks it."""
    return and_(pairs.c.student_id == student_id, _runs_mission(pairs.c.program_id, mission_id))


def review_program(
    session: Session, actor: Principal, sub: Submission, prefer: Program | None = None
) -> Program | None:
    """The programme in which the actor reviews this student's work: one running the mission in
    which they mentor the student (serve their cohort, or are assigned to them) — `prefer` (the
    programme the work was read through) when it is one —; None when there is none."""
    if not actor.has_role(Role.mentor):
        return None
    pairs = mentor_pairs(actor.user_id)
    preferred = pairs.c.program_id == (prefer.id if prefer is not None else None)
    return session.exec(
        select(Program)
        .join(pairs, col(Program.id) == pairs.c.program_id)
        .where(_mentored_on(pairs, sub.student_id, sub.mission_id))
        .order_by(preferred.desc(), col(Program.id))
        .limit(1)
    ).first()


def claim_refusal(session: Session, actor: Principal, sub: Submission) -> str:
    """Why the actor may not claim (and so review) this attempt, "" when they may — whoever
    holds it now. The one rule claim() enforces and the review page offers Claim by.

    A mentor reviews the students they mentor in a programme running the mission (serving their
    cohort or assigned to them: review_program), never their own work; reading it as its
    programme's director is not enough."""
    if sub.student_id == actor.user_id:
        return OWN_WORK
    return "" if review_program(session, actor, sub) is not None else NOT_THEIR_MENTOR


def holder_may_keep(session: Session, sub: Submission) -> bool:
    """Whether the mentor holding the claim on `sub` may still claim it (claim_refusal) after a
    change to whom they mentor; a claim they may not keep goes back to the queue."""
    holder = load_principal(session, sub.claimed_by_id) if sub.claimed_by_id else None
    return holder is not None and not claim_refusal(session, holder, sub)


def give_back_claims(session: Session, claims: Sequence[Submission], actor_id: int) -> int:
    """Of these claims (locked, in review), those their holder may no longer keep
    (holder_may_keep) go back to the queue, by `actor_id`: after a change to whom a mentor
    mentors or to what a programme runs, that mentor could neither finish nor release them.
    Returns how many."""
    going = [sub for sub in claims if not holder_may_keep(session, sub)]
    release_claims(session, going, actor_id)
    return len(going)


def give_back_claims_where(session: Session, *where: ColumnElement[bool], actor_id: int) -> int:
    """The claims in review matching `where`, locked, go through give_back_claims (those their
    holder may no longer keep go back to the queue, by `actor_id`) and the change is flushed.
    Call it once the change to whom a mentor mentors or to what a programme runs is flushed:
    holder_may_keep reads it. Returns how many went back."""
    claims = session.exec(
        select(Submission)
        .where(col(Submission.status) == SubmissionStatus.in_review, *where)
        .order_by(col(Submission.id))
        .with_for_update()
        # Locked rows are re-read: a review finished meanwhile is no longer in_review.
        .execution_options(populate_existing=True)
    ).all()
    released = give_back_claims(session, claims, actor_id)
    session.flush()
    return released


def waiting_in_program(session: Session, program_id: int, mission_id: int) -> int:
    """How many attempts at the mission wait for review (submitted or in review) in the
    programme: by learners its mentors review (enrolled, not withdrawn, in one of its cohorts,
    or assigned to a mentor there: learning_access.mentor_pairs). No mentor there could claim
    them once the programme stopped running the mission (claim_refusal)."""
    cohorts = select(Cohort.id).where(Cohort.program_id == program_id)
    learners = union(
        select(Enrollment.student_id).where(
            col(Enrollment.cohort_id).in_(cohorts),
            Enrollment.status != EnrollmentStatus.withdrawn,
        ),
        select(MentorAssignment.student_id).where(col(MentorAssignment.cohort_id).in_(cohorts)),
    )
    return int(
        session.exec(
            select(func.count()).where(
                Submission.mission_id == mission_id,
                col(Submission.status).in_(subs.OPEN_STATUSES),
                col(Submission.student_id).in_(learners),
            )
        ).one()
    )


def may_claim(session: Session, actor: Principal, sub: Submission) -> bool:
    """Whether the review page offers Claim: the actor may review the attempt (claim_refusal)
    and it waits for review or its claim (anyone's) expired. claim() also extends a live claim
    of the actor's own, which is not offered."""
    free = sub.status == SubmissionStatus.submitted or _claim_expired(sub)
    return free and not claim_refusal(session, actor, sub)


def _claim_expired(sub: Submission) -> bool:
    return bool(
        sub.status == SubmissionStatus.in_review
        and sub.claim_expires_at
        and sub.claim_expires_at < utcnow()
    )


def claim(session: Session, principal: Principal | None, submission_id: int) -> Submission:
    """Claim a submitted attempt (or one whose claim expired) for 24 hours.

    One conditional UPDATE decides: under concurrency exactly one mentor's UPDATE matches, the
    others see the committed claim and get Conflict. Claiming again what you hold extends it.
    The learner's open page and the other mentors' open queues (queues_changed) hear of a claim.
    """
    actor = require_role(principal, Role.mentor)
    sub, _mission, _program = load_visible(session, actor, submission_id)
    refusal = claim_refusal(session, actor, sub)
    if refusal:
        raise Forbidden(refusal)
    held_by_me = sub.status == SubmissionStatus.in_review and sub.claimed_by_id == actor.user_id
    expired_holder = sub.claimed_by_id if sub.status == SubmissionStatus.in_review else None
    now = utcnow()
    won = session.execute(
        update(Submission)
        .where(
            col(Submission.id) == submission_id,
            or_(
                col(Submission.status) == SubmissionStatus.submitted,
                and_(
                    col(Submission.status) == SubmissionStatus.in_review,
                    or_(
                        col(Submission.claim_expires_at) < now,
                        col(Submission.claimed_by_id) == actor.user_id,
                    ),
                ),
            ),
        )
        .values(
            status=SubmissionStatus.in_review,
            claimed_by_id=actor.user_id,
            claim_expires_at=now + timedelta(hours=CLAIM_HOURS),
        )
        .returning(col(Submission.id))
        .execution_options(synchronize_session=False)
    ).first()
    fresh = session.get(Submission, submission_id, populate_existing=True)
    assert fresh is not None
    if won is None:
        if fresh.status == SubmissionStatus.in_review:
            holder = session.get(User, fresh.claimed_by_id) if fresh.claimed_by_id else None
            until = (
                f" until {when(fresh.claim_expires_at, actor.time_zone)}"
                if fresh.claim_expires_at
                else ""
            )
            raise Conflict(f"{_name(holder)} is already reviewing this submission{until}.")
        if fresh.status in DECISIONS:
            raise Conflict("This submission has already been reviewed.")
        raise Conflict("This submission is not waiting for review.")
    if not held_by_me:
        add_event(session, submission_id, actor.user_id, EV_CLAIMED)
        live.changed(session, fresh.student_id, live.SUBMISSION)  # "In review" on their page
        # The other mentors' open queues stop listing it as pending (and a mentor whose claim
        # expired no longer as theirs), so their Claim is not offered on work already taken.
        queues_changed(
            session,
            [(fresh.student_id, fresh.mission_id)],
            also=[expired_holder] if expired_holder is not None else [],
            besides=actor.user_id,
        )
    return fresh


def release(session: Session, principal: Principal | None, submission_id: int) -> Submission:
    """Give a claimed submission back to the queue (only the mentor holding the claim)."""
    actor = require_role(principal, Role.mentor)
    sub, _, _ = load_visible(session, actor, submission_id, for_update=True)
    if sub.status != SubmissionStatus.in_review:
        raise Conflict("This submission is not claimed.")
    if sub.claimed_by_id != actor.user_id:
        raise Forbidden("Only the mentor who claimed this submission can release it.")
    release_claim(session, sub, actor.user_id)
    session.flush()
    return sub


def expire_claims(
    session: Session, now: datetime | None = None, *, for_mentor: int | None = None
) -> list[int]:
    """Return expired claims to "submitted", record it and tell the mentor (and the learner's
    open page; the open queues of every mentor who may claim the work list it as pending again,
    and the holder's no longer as theirs: queues_changed); the ids.

    Without `for_mentor` every expired claim (the worker sweep). With it, only those on that
    mentor's students' work (index-driven, for the lazy expiry on each queue listing). Rows another transaction holds are skipped (SKIP LOCKED) and
    caught next time.
    """
    now = now or utcnow()
    candidates: Any = select(
        col(Submission.id).label("id"), col(Submission.claimed_by_id).label("mentor_id")
    ).where(
        col(Submission.status) == SubmissionStatus.in_review,
        col(Submission.claim_expires_at) < now,
    )
    if for_mentor is not None:
        # Driven from the mentor's students (a join, so the planner walks the student index
        # instead of every claim in review).
        pairs = mentor_pairs(for_mentor)
        candidates = candidates.join(pairs, pairs.c.student_id == col(Submission.student_id))
    expired = candidates.with_for_update(of=Submission, skip_locked=True).cte("expired")
    rows = session.execute(
        update(Submission)
        .where(col(Submission.id) == expired.c.id)
        .values(status=SubmissionStatus.submitted, claimed_by_id=None, claim_expires_at=None)
        .returning(
            col(Submission.id),
            expired.c.mentor_id,
            col(Submission.mission_id),
            col(Submission.student_id),
        )
        .execution_options(synchronize_session=False)
    ).all()
    if not rows:
        return []
    titles = dict(
        session.exec(
            select(Mission.id, Mission.title).where(col(Mission.id).in_({r[2] for r in rows}))
        ).all()
    )
    for sub_id, mentor_id, mission_id, student_id in rows:
        live.changed(session, student_id, live.SUBMISSION)  # no longer "In review"
        session.add(
            SubmissionEvent(
                submission_id=sub_id, actor_id=None, kind=SubmissionEventKind(EV_CLAIM_EXPIRED)
            )
        )
        if mentor_id is not None:
            notifications.notify(
                session,
                mentor_id,
                kind=notifications.CLAIM_EXPIRED,
                title=f"Your claim on “{titles.get(mission_id, 'a submission')}” expired"[:200],
                body=(
                    f"You held this submission for {CLAIM_HOURS} hours without a decision, so it "
                    "went back to the review queue. Claim it again to review it."
                ),
                link=submission_link(sub_id),
            )
    queues_changed(
        session, [(r[3], r[2]) for r in rows], also={r[1] for r in rows if r[1] is not None}
    )
    session.flush()
    # Objects already loaded in this session must not keep the old claim.
    for sub_id, *_ in rows:
        loaded = session.identity_map.get(session.identity_key(Submission, sub_id))
        if loaded is not None:
            session.expire(loaded)
    return [r[0] for r in rows]


# -- the decision -----------------------------------------------------------------------------


def check_scores(rubric: list[dict[str, Any]], scores: dict[str, Any]) -> tuple[int, list[str]]:
    """(total, problems): every criterion scored with a whole number from 0 to its points."""
    problems: list[str] = []
    total = 0
    keys = []
    for criterion in rubric:
        key = str(criterion.get("key", ""))
        title = str(criterion.get("title") or key)
        points = int(str(criterion.get("points", 0)))
        keys.append(key)
        value = scores.get(key)
        if value is None:
            problems.append(f"Score “{title}” (0 to {points}).")
        elif isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= points:
            problems.append(f"“{title}” must be a whole number from 0 to {points}.")
        else:
            total += value
    unknown = sorted(set(scores) - set(keys))
    if unknown:
        problems.append("Not criteria of this mission's rubric: " + ", ".join(unknown) + ".")
    return total, problems


def clean_comments(comments: dict[str, Any] | None) -> dict[str, str]:
    """The criterion comments worth keeping: stripped, empty ones left out."""
    out = {
        str(k): free_text.line_breaks(str(v or "")).replace("\x00", "").strip()
        for k, v in (comments or {}).items()
    }
    return {k: v for k, v in out.items() if v}


def check_review(
    rubric: list[dict[str, Any]],
    decision: str,
    scores: dict[str, Any],
    feedback: str,
    comments: dict[str, str] | None = None,
) -> tuple[int, list[str]]:
    """(total, problems) of a review before it is sent: the decision, the scores (check_scores),
    the optional comments per criterion and the feedback (required to request changes). The
    review form checks with it too, so the mentor hears every problem before the confirmation
    dialog."""
    problems: list[str] = []
    titles = {str(c.get("key", "")): str(c.get("title") or c.get("key", "")) for c in rubric}
    for key, text in clean_comments(comments).items():
        if key not in titles:
            problems.append(f"“{key}” is not a criterion of this mission's rubric.")
        elif len(text) > COMMENT_MAX:
            problems.append(
                f"The comment on “{titles[key]}” must be at most {COMMENT_MAX:,} characters."
            )
        elif refused := free_text.refusal(text, f"comment on “{titles[key]}”"):
            problems.append(refused)
    if decision not in DECISIONS:
        problems.append("Choose a decision: approved or changes_requested.")
    total, score_problems = check_scores(rubric, dict(scores or {}))
    problems += score_problems
    feedback = free_text.line_breaks(feedback).strip()
    if len(feedback) > FEEDBACK_MAX:
        problems.append(f"Feedback must be at most {FEEDBACK_MAX:,} characters.")
    elif refused := free_text.refusal(feedback, "feedback"):
        problems.append(refused)
    if decision == SubmissionStatus.changes_requested and not feedback:
        problems.append("Write feedback saying what to change.")
    return total, problems


RUBRIC_CHANGED = (
    "This mission's rubric was changed while you were reviewing: {changes}. The form now shows "
    "the current rubric, with your feedback and the scores and comments of the criteria still "
    "in it: check them, then send your review again."
)


class RubricChanged(Conflict):
    """The mission's rubric changed since the review form showed it, and the review no longer
    fits it (review's `rubric_seen`): the form reads the rubric again, keeping what was typed."""


def rubric_changes(seen: list[dict[str, Any]], current: list[dict[str, Any]]) -> list[str]:
    """How the rubric a form showed (`seen`) differs from the `current` one, in words: criteria
    added or removed, maxima changed ("“Depth” was added", "“Clarity” is now out of 3"). []
    when both have the same criteria and maxima: a title or description edited changes no
    score."""

    def by_key(rubric: list[dict[str, Any]]) -> dict[str, tuple[str, int]]:
        return {
            str(c.get("key", "")): (
                str(c.get("title") or c.get("key", "")),
                int(c.get("points", 0)),
            )
            for c in rubric
        }

    before, after = by_key(seen), by_key(current)
    added = [f"“{title}” was added" for key, (title, _) in after.items() if key not in before]
    removed = [f"“{title}” was removed" for key, (title, _) in before.items() if key not in after]
    maxima = [
        f"“{title}” is now out of {points}"
        for key, (title, points) in after.items()
        if key in before and before[key][1] != points
    ]
    return added + removed + maxima


def review(
    session: Session,
    principal: Principal | None,
    submission_id: int,
    *,
    decision: str,
    scores: dict[str, Any],
    feedback: str,
    comments: dict[str, str] | None = None,
    rubric_seen: list[dict[str, Any]] | None = None,
) -> Review:
    """Decide a claimed submission (approved | changes_requested) with rubric scores and an
    optional comment per criterion.

    `rubric_seen`: the criteria the review form showed (key, title, points), when a form sends
    it. A rubric edited meanwhile takes the review as long as it fits the current rubric (a
    title or description edited, a maximum the scores still fit); when it no longer fits (a
    criterion added or removed, a score above its new maximum) RubricChanged (a Conflict) says
    what changed, so the form reads the rubric again rather than refusing each send alike.

    Only the claim holder. Invalid lists every problem with the scores, comments and feedback.
    Writes the review, the new status and a timeline event, and notifies the student (in-app and
    mail); on changes requested, the other mentors' open queues list it as waiting for the
    student (queues_changed).
    """
    actor = require_role(principal, Role.mentor)
    sub, mission, _ = load_visible(session, actor, submission_id, for_update=True)
    if sub.status in DECISIONS:
        raise Conflict("This submission has already been reviewed.")
    if sub.status != SubmissionStatus.in_review:
        raise Conflict("Claim this submission before reviewing it.")
    if sub.claimed_by_id != actor.user_id:
        raise Forbidden("Only the mentor who claimed this submission can review it.")
    feedback = free_text.line_breaks(feedback).strip()
    rubric = list(mission.rubric or [])
    total, problems = check_review(rubric, decision, scores, feedback, comments)
    if problems:
        changes = rubric_changes(rubric_seen, rubric) if rubric_seen is not None else []
        if changes:
            raise RubricChanged(RUBRIC_CHANGED.format(changes="; ".join(changes)))
        raise Invalid(" ".join(problems))
    now = utcnow()
    result = Review(
        submission_id=submission_id,
        mentor_id=actor.user_id,
        decision=decision,
        scores={str(k): int(v) for k, v in scores.items()},
        total=total,
        feedback=feedback,
        comments=clean_comments(comments),
        created_at=now,
    )
    session.add(result)
    sub.status = SubmissionStatus(decision)
    sub.decided_at = now
    # claimed_by_id stays: on a decided attempt it names the reviewer, so "reviewed by me" and
    # the workload figures use the partial index on claimed_by_id (reviews has no mentor index).
    sub.claim_expires_at = None
    session.add(sub)
    approved = decision == SubmissionStatus.approved
    add_event(
        session, submission_id, actor.user_id, EV_APPROVED if approved else EV_CHANGES_REQUESTED
    )
    # Approved work changes the learner's vector and level: fresh recommendations after commit.
    jobs.learner_progressed(session, sub.student_id)
    # Their open mission page shows the decision and feedback at once (the bell: notify below).
    live.changed(session, sub.student_id, live.SUBMISSION)
    if not approved:
        # The other mentors' open queues list it under "waiting for student" now.
        queues_changed(session, [(sub.student_id, sub.mission_id)], besides=actor.user_id)
    maximum = rubric_max(mission)
    score = f" Score: {total}/{maximum}." if maximum else ""
    # Notifications and mails are plain text: the feedback's markdown is reduced to its words.
    excerpt = rendering.markdown_excerpt(feedback, 600, one_line=False)
    notifications.notify(
        session,
        sub.student_id,
        kind=notifications.REVIEW_DONE,
        title=(
            f"“{mission.title}” is approved"
            if approved
            else f"Changes requested on “{mission.title}”"
        )[:200],
        body=(
            f"{_name(session.get(User, actor.user_id))} reviewed attempt {sub.attempt}.{score}"
            + (f"\n\n{excerpt}" if excerpt else "")
        ),
        link=feedback_link(mission.id or 0),
    )
    session.flush()
    if approved:
        # The last required mission of the learner's track completes their cohort (idempotent).
        certificates.check_completion(session, sub.student_id, actor_id=actor.user_id)
    return result


# -- the queue --------------------------------------------------------------------------------


@dataclass
class QueuePage(PageOf[QueueItem]):
    bucket: str


def _no_newer_attempt() -> Any:
    """No later attempt has been submitted (a draft doesn't count: the student hasn't answered)."""
    newer = aliased(Submission)
    return ~exists().where(
        col(newer.student_id) == col(Submission.student_id),
        col(newer.mission_id) == col(Submission.mission_id),
        col(newer.attempt) > col(Submission.attempt),
        col(newer.status) != SubmissionStatus.draft,
    )


def _runs_mission(program_id: Any, mission_id: Any) -> Any:
    """The mission is run by the programme (`program_missions`)."""
    return exists().where(
        col(ProgramMission.program_id) == program_id,
        col(ProgramMission.mission_id) == mission_id,
    )


def _bucket_query(bucket: str, mentor_id: int) -> tuple[Any, list[Any]]:
    """(statement selecting Submission, Mission.title, User, assigned; ORDER BY) for a bucket.

    One row per submission: a learner the mentor reviews in two programmes that both run the
    mission matches two pairs, so the rows are grouped (assigned to the mentor in either)."""
    pairs = mentor_pairs(mentor_id)
    assigned = func.bool_or(pairs.c.assigned)
    stmt = (
        select(Submission, Mission.title, User, assigned)
        .join(Mission, col(Mission.id) == col(Submission.mission_id))
        .join(User, col(User.id) == col(Submission.student_id))
        .group_by(col(Submission.id), col(Mission.id), col(User.id))
    )
    in_pairs = _mentored_on(pairs, col(Submission.student_id), col(Submission.mission_id))
    if bucket == "pending":
        stmt = stmt.join(pairs, in_pairs).where(
            col(Submission.status) == SubmissionStatus.submitted
        )
        return stmt, [
            assigned.desc(),
            col(Submission.submitted_at),
            col(Submission.id),
        ]
    if bucket == "waiting_for_student":
        stmt = stmt.join(pairs, in_pairs).where(
            col(Submission.status) == SubmissionStatus.changes_requested, _no_newer_attempt()
        )
        return stmt, [col(Submission.decided_at).desc(), col(Submission.id).desc()]
    stmt = stmt.outerjoin(pairs, in_pairs)
    if bucket == "claimed_by_me":
        stmt = stmt.where(
            col(Submission.claimed_by_id) == mentor_id,
            col(Submission.status) == SubmissionStatus.in_review,
        )
        return stmt, [col(Submission.claim_expires_at), col(Submission.id)]
    # reviewed: decided by me (claimed_by_id keeps the reviewer of a decided attempt)
    stmt = stmt.where(
        col(Submission.claimed_by_id) == mentor_id, col(Submission.status).in_(DECISIONS)
    )
    return stmt, [col(Submission.decided_at).desc(), col(Submission.id).desc()]


def queue(
    session: Session,
    principal: Principal | None,
    *,
    bucket: str = "pending",
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> QueuePage:
    """A mentor's review queue: pending (their mentees' submitted work, assigned mentees first,
    oldest first), claimed_by_me, waiting_for_student (changes requested, not resubmitted) and
    reviewed (decided by them). Expired claims are returned to the queue first."""
    actor = require_role(principal, Role.mentor)
    if bucket not in BUCKETS:
        raise Invalid("bucket must be one of: " + ", ".join(BUCKETS) + ".")
    check_page(page, page_size)
    expire_claims(session, for_mentor=actor.user_id)
    stmt, order = _bucket_query(bucket, actor.user_id)
    total = int(session.exec(select(func.count()).select_from(stmt.subquery())).one())
    rows = session.exec(stmt.order_by(*order).offset((page - 1) * page_size).limit(page_size)).all()
    decisions: dict[int, str] = {}
    ids = [s.id for s, *_ in rows]
    if ids:
        decisions = dict(
            session.exec(
                select(Review.submission_id, Review.decision).where(
                    col(Review.submission_id).in_(ids)
                )
            ).all()
        )
    items = [
        from_row(
            QueueItem,
            s,
            student=NamedRef(id=u.id or 0, name=person_name(u.full_name, u.email)),
            mission=Ref(id=s.mission_id, title=title),
            decision=decisions.get(s.id or 0),
            claimed_by_me=s.claimed_by_id == actor.user_id,
            assigned_to_me=bool(assigned),
        )
        for s, title, u, assigned in rows
    ]
    return QueuePage(bucket=bucket, items=items, total=total, page=page, page_size=page_size)


def queue_counts(session: Session, mentor_id: int) -> QueueCounts:
    """How many submissions are in each bucket of the mentor's queue (two queries). Each counts
    once, as the queue lists it, whatever number of the mentor's programmes run its mission."""
    pairs = mentor_pairs(mentor_id)
    once = func.count(func.distinct(Submission.id))
    pending, waiting = session.exec(
        select(
            once.filter(col(Submission.status) == SubmissionStatus.submitted),
            once.filter(
                and_(
                    col(Submission.status) == SubmissionStatus.changes_requested,
                    _no_newer_attempt(),
                )
            ),
        )
        .select_from(Submission)
        .join(Mission, col(Mission.id) == col(Submission.mission_id))
        .join(
            pairs,
            _mentored_on(pairs, col(Submission.student_id), col(Submission.mission_id)),
        )
        .where(
            col(Submission.status).in_(
                [SubmissionStatus.submitted, SubmissionStatus.changes_requested]
            )
        )
    ).one()
    claimed, reviewed = session.exec(
        select(
            func.count().filter(col(Submission.status) == SubmissionStatus.in_review),
            func.count().filter(col(Submission.status).in_(DECISIONS)),
        )
        .select_from(Submission)
        .where(col(Submission.claimed_by_id) == mentor_id)
    ).one()
    return QueueCounts(
        pending=int(pending),
        claimed_by_me=int(claimed),
        waiting_for_student=int(waiting),
        reviewed=int(reviewed),
    )


def workload(
    session: Session, principal: Principal | None, *, counts: QueueCounts | None = None
) -> Workload:
    """A mentor's figures: mentees (assigned), pending, claimed, reviewed in the last 7 days and
    the median hours from submission to decision over the last 30 days (None without reviews).

    `counts`: queue_counts already computed by the caller (saves two queries)."""
    actor = require_role(principal, Role.mentor)
    me = actor.user_id
    now = utcnow()
    mentees = session.exec(
        select(func.count(func.distinct(MentorAssignment.student_id))).where(
            MentorAssignment.mentor_id == me
        )
    ).one()
    counts = counts or queue_counts(session, me)
    # Decided attempts keep their reviewer in claimed_by_id (partial index), decided_at = review.
    hours = (
        func.extract("epoch", col(Submission.decided_at) - col(Submission.submitted_at)) / 3600.0
    )
    reviewed_7d, median = session.exec(
        select(
            func.count().filter(col(Submission.decided_at) >= now - timedelta(days=7)),
            func.percentile_cont(0.5).within_group(hours),
        )
        .select_from(Submission)
        .where(
            col(Submission.claimed_by_id) == me,
            col(Submission.status).in_(DECISIONS),
            col(Submission.decided_at) >= now - timedelta(days=TURNAROUND_DAYS),
        )
    ).one()
    return Workload(
        mentees=int(mentees),
        pending=counts.pending,
        claimed=counts.claimed_by_me,
        waiting_for_student=counts.waiting_for_student,
        reviewed_last_7_days=int(reviewed_7d),
        median_turnaround_hours=round(float(median), 1) if median is not None else None,
    )


def next_in_queue(session: Session, principal: Principal | None) -> int | None:
    """The submission the mentor should review next: the first of their pending queue (assigned
    mentees first, oldest first), or None when nothing waits for them."""
    first = queue(session, principal, bucket="pending", page=1, page_size=1).items
    return first[0].id if first else None


@dataclass(frozen=True)
class Held:
    """The claims a mentor holds (in review, unexpired): how many, and the one that ends first."""

    count: int
    first_id: int | None


def held_claims(session: Session, principal: Principal | None) -> Held:
    """The claims the mentor still holds (their claimed_by_me bucket, expired claims returned to
    the queue first): where the review page sends them once nothing else waits (next_in_queue)."""
    held = queue(session, principal, bucket="claimed_by_me", page=1, page_size=1)
    return Held(count=held.total, first_id=held.items[0].id if held.items else None)


@dataclass(frozen=True)
class NextAfterReview:
    """Where the review page goes once a review is sent (after_review): the submission to open
    (None: nothing, the queue is empty), whether it comes from the pending queue (else it is one
    of the mentor's own claims), and how many claims the mentor still holds."""

    submission_id: int | None
    from_queue: bool
    held: int


def after_review(session: Session, principal: Principal | None) -> NextAfterReview:
    """What a mentor reviews next once a review is sent: the first of their pending queue
    (next_in_queue); when nothing waits unclaimed, the claim they hold that ends first
    (held_claims); else nothing."""
    following = next_in_queue(session, principal)
    held = held_claims(session, principal)
    if following is not None:
        return NextAfterReview(submission_id=following, from_queue=True, held=held.count)
    return NextAfterReview(submission_id=held.first_id, from_queue=False, held=held.count)


# -- the review page --------------------------------------------------------------------------


def hints_used(session: Session, principal: Principal | None, submission_id: int) -> HintUse:
    """The hints the submission's author revealed on its mission, for a mentor who may see the
    submission (the object rules of get_submission)."""
    actor = require_role(principal, Role.mentor)
    detail = subs.get_submission(session, actor, submission_id)
    return hint_use(session, detail.submission.student_id, detail.mission)


def hint_use(session: Session, student_id: int, mission: Mission) -> HintUse:
    """The hints of `mission` the student revealed (in order) out of how many it has."""
    hints = list(mission.hints or [])
    rows = session.exec(
        select(HintReveal.hint_index, HintReveal.revealed_at)
        .where(HintReveal.student_id == student_id, HintReveal.mission_id == mission.id)
        .order_by(col(HintReveal.hint_index))
    ).all()
    return HintUse(
        total=len(hints),
        revealed=[
            RevealedHint(index=i, hint=hints[i], revealed_at=at)
            for i, at in rows
            if 0 <= i < len(hints)
        ],
    )


def review_screen(
    session: Session, principal: Principal | None, submission_id: int
) -> ReviewScreen:
    """What /review/{id} shows a mentor: the attempt, the mission's rubric, every other attempt
    of the student at the mission (with their reviews) and the claim — who holds it, until when,
    whether it expired — with what the viewer may do now.

    Object rules as get_submission (a mentor who doesn't mentor the student gets Forbidden).
    Attempts are shaped by submissions.attempt_views (the widgets of components/learning.py).
    """
    actor = require_role(principal, Role.mentor)
    detail = subs.get_submission(session, actor, submission_id)
    sub, mission = detail.submission, detail.mission
    attempts = subs.history(session, actor, sub.student_id, sub.mission_id)
    views = subs.attempt_views(session, attempts, actor.time_zone)
    current = next(v for v in views if v["id"] == sub.id)
    in_review = sub.status == SubmissionStatus.in_review
    mine = in_review and sub.claimed_by_id == actor.user_id
    expired = _claim_expired(sub)
    can_claim = may_claim(session, actor, sub)
    # Why Claim is missing from an attempt that waits for review (the page says it instead).
    free = sub.status == SubmissionStatus.submitted or expired
    refusal = claim_refusal(session, actor, sub) if free and not can_claim else ""
    holder = session.get(User, sub.claimed_by_id) if in_review and sub.claimed_by_id else None
    newer = [v for v in views if v["attempt"] > sub.attempt]
    return ReviewScreen(
        id=sub.id or 0,
        status=sub.status,
        attempt=sub.attempt,
        student=_name(detail.student),
        student_id=sub.student_id,
        mission=MissionSummary(
            id=mission.id or 0,
            title=mission.title,
            summary=mission.summary,
            offered=mission.status == MissionStatus.published,
        ),
        rubric=[
            RubricCriterion(
                key=str(c.get("key", "")),
                title=str(c.get("title") or c.get("key", "")),
                description=str(c.get("description") or ""),
                points=int(str(c.get("points", 0))),
            )
            for c in mission.rubric or []
            if isinstance(c, dict)
        ],
        max_total=rubric_max(mission),
        current=current,
        # Newest first: the one the mentor compares with is on top.
        earlier=[v for v in reversed(views) if v["attempt"] < sub.attempt],
        newer_attempt_id=newer[-1]["id"] if newer else None,
        claim=ClaimState(
            holder=_name(holder) if in_review else "",
            mine=mine,
            expires_at=sub.claim_expires_at if in_review else None,
            expired=expired,
        ),
        # Claim: an unclaimed attempt, or one whose claim expired (the holder claims it again),
        # for someone who may review it: the rule claim() enforces.
        can_claim=can_claim,
        claim_refusal=refusal,
        can_release=mine,
        # The holder may still finish after expiry, until someone takes the claim over.
        can_review=mine,
        hints=hint_use(session, sub.student_id, mission),
    )
