"""Sponsorships (issue 15, item 2): a sponsor organisation funds seats in cohorts.

Rules:
- a director of the cohort's organisation (or an admin) creates, edits and removes the cohort's
  sponsorships (audited); the sponsor is an organisation with a member holding the sponsor role
  that runs no programme itself (a company or foundation — or the director's own organisation):
  another training organisation is never offered, so no organisation's name leaks to another.
  A sponsorship whose sponsor can no longer be picked keeps it when edited (its other fields
  change); moving it to an organisation that can't be picked is refused;
- a user with the sponsor role in organisation S sees the cohorts S sponsors (an admin: every
  sponsored cohort), with figures about the whole cohort: seats used (`seat_allocations`: the
  cohort's active + completed enrolments shared among the sponsorships running at the same time,
  the one created first filling first, each at most its seats, so two sponsors never count one
  learner twice; one not begun yet uses none; its directors also see how many are on no current
  sponsor's seat), activity, approvals per track,
  completions and certificates. Small counts are still aggregates: "1 active learner" names
  no one;
- a learner appears by name (with track and progress) only while their latest
  `sponsor_sharing` consent is a grant — the filter is in the SQL that lists them, so a learner
  who never consented or withdrew is never loaded for a sponsor. Answers, files, reviews and
  profiler answers are never shown to a sponsor; services/learning/learning_access keeps
  refusing sponsors everything about one learner;
- all of that only while the sponsorship is current (`is_current`: from its start date to its
  end date included, as days in its cohort's zone, as the cohort's own dates are — the time
  zone of the cohort's director, UTC when there is none: services/learning/cohort_days, read
  with the sponsorship by `_funded`). A reader's own zone would end one sponsorship at different
  instants for two of its readers. Before it starts, its
  sponsor sees the cohort's figures and the date it starts (`starts_on_later`; the CSV's
  "Sponsorship starts on"), and no learner by name. After it, every reader — the dashboard,
  one cohort, the CSV report and its export — gets the cohort's figures for the period funded
  (work handed in, completions and certificates up to the midnight ending its end date; the
  activity windows and weeks end there) and no learner by name, consent or not.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from decimal import Decimal
from typing import Any

from sqlalchemy import func, literal, text
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from cyberhub.formatting import person_name, zone
from cyberhub.models import (
    Certificate,
    Cohort,
    Enrollment,
    EnrollmentStatus,
    Organization,
    Program,
    Role,
    RoleAssignment,
    Sponsorship,
    SubmissionStatus,
    User,
)
from cyberhub.models.base import utcnow
from cyberhub.schemas.rows import from_row
from cyberhub.schemas.sponsorships import (
    NOTES_MAX,
    CohortSeats,
    ConsentingLearner,
    SponsorDashboard,
    SponsoredCohort,
    SponsorOrganization,
    SponsorshipIn,
    SponsorshipPublic,
    SponsorshipRemoved,
    TrackApprovals,
    WeekCount,
)
from cyberhub.services import dates
from cyberhub.services import text as free_text
from cyberhub.services.admin import audit
from cyberhub.services.admin.audit import NO_META, RequestMeta
from cyberhub.services.errors import Conflict, Forbidden, Invalid, NotFound
from cyberhub.services.identity import consents
from cyberhub.services.identity.permissions import Principal, require_role
from cyberhub.services.learning.cohort_days import cohort_today, director_zone
from cyberhub.services.learning.mission_scope import program_scopes
from cyberhub.services.learning.programs import SEATED, check_org, get_cohort, require_director
from cyberhub.services.learning.query_parts import name_order

WEEKS = 8
SEATS_MAX = 10_000
AMOUNT_MAX = Decimal("9999999999.99")
_CURRENCY = re.compile(r"[A-Z]{3}")
COUNTED = SEATED  # the seats rule, as everywhere: active and completed learners
NOT_SPONSOR = "That organisation has no sponsor account: pick one from the list."
DUPLICATE = "That organisation already sponsors this cohort: edit its sponsorship instead."
UNKNOWN = "That sponsorship does not exist."
NOT_FUNDED = "Your organisation does not sponsor that cohort."


# -- who ------------------------------------------------------------------------------------------


def require_sponsor(principal: Principal | None) -> Principal:
    """Sponsors (and admins) only: 403 for everyone else, before any input."""
    return require_role(principal, Role.sponsor, Role.admin)


def _sponsor_orgs(principal: Principal) -> set[int] | None:
    """None: every sponsorship (admin); else the organisations the user is a sponsor of."""
    return None if principal.is_admin else principal.organizations(Role.sponsor)


def _pickable(principal: Principal) -> Any:
    """Organisations a director may name as a sponsor: those with a member holding the sponsor
    role that run no programme themselves (sponsor organisations: companies, foundations), and
    the director's own organisations. Another training organisation is never listed (its name
    is its own business); an admin may pick any organisation with a sponsor."""
    with_sponsor = select(RoleAssignment.organization_id).where(
        RoleAssignment.role == Role.sponsor, col(RoleAssignment.organization_id).is_not(None)
    )
    if principal.is_admin:
        return with_sponsor
    runs_programmes = select(Program.organization_id)
    return with_sponsor.where(
        col(RoleAssignment.organization_id).not_in(runs_programmes)
        | col(RoleAssignment.organization_id).in_(principal.organizations(Role.director) or {-1})
    )


# -- a director's sponsorships of a cohort -------------------------------------------------------


def sponsor_organizations(
    session: Session, principal: Principal | None
) -> list[SponsorOrganization]:
    """Organisations a director may pick as the sponsor of a cohort (those with a sponsor)."""
    actor = require_director(principal)
    rows = session.exec(
        select(Organization.id, Organization.name)
        .where(col(Organization.id).in_(_pickable(actor)))
        .order_by(col(Organization.name), col(Organization.id))
    ).all()
    return [SponsorOrganization(id=i or 0, name=n) for i, n in rows]


def _public(
    s: Sponsorship, sponsor: str, cohort: str, seats_used: int | None = None
) -> SponsorshipPublic:
    return from_row(
        SponsorshipPublic,
        s,
        sponsor=sponsor,
        cohort=cohort,
        amount=f"{Decimal(s.amount):.2f}",
        seats_used=seats_used,
    )


def _org_name(session: Session, org_id: int) -> str:
    org = session.get(Organization, org_id)
    return org.name if org else ""


@dataclass(frozen=True)
class CohortSponsors:
    """The cohort's sponsorships (each with its seats used) and its learners against them."""

    rows: list[SponsorshipPublic]
    seats: CohortSeats


def cohort_sponsors(
    session: Session, principal: Principal | None, cohort_id: int
) -> CohortSponsors:
    """For the cohort's directors, from one read of the cohort and of its seats
    (`seat_allocations`): its sponsorships, sponsor by sponsor, each with its seats used, and how
    many of its enrolled learners are on a sponsor's seat and how many on none. The director's
    sponsors panel reads both; the API's route the sponsorships."""
    cohort, _ = get_cohort(session, principal, cohort_id)
    seats = seat_allocations(session, [cohort.id or 0])[cohort.id or 0]
    rows = session.exec(
        select(Sponsorship, Organization.name)
        .join(Organization, col(Organization.id) == col(Sponsorship.organization_id))
        .where(Sponsorship.cohort_id == cohort.id)
        .order_by(col(Organization.name), col(Sponsorship.id))
    ).all()
    return CohortSponsors(
        rows=[_public(s, name, cohort.name, seats.used.get(s.id or 0, 0)) for s, name in rows],
        seats=CohortSeats(enrolled=seats.enrolled, funded=seats.funded, unfunded=seats.unfunded),
    )


def cohort_sponsorships(
    session: Session, principal: Principal | None, cohort_id: int
) -> list[SponsorshipPublic]:
    """The cohort's sponsorships, for its directors, each with its seats used."""
    return cohort_sponsors(session, principal, cohort_id).rows


def _clean(
    session: Session,
    actor: Principal,
    cohort: Cohort,
    data: SponsorshipIn,
    current_sponsor: int | None = None,
) -> SponsorshipIn:
    """The form's values checked (Invalid with the first problem, nothing saved). An edit that
    keeps the sponsorship's `current_sponsor` keeps it even when it can no longer be picked
    (it lost its sponsor account, or now runs programmes): the other fields stay editable."""
    pickable = select(literal(1)).where(
        col(Organization.id) == data.organization_id,
        col(Organization.id).in_(_pickable(actor)),
    )
    kept = data.organization_id == current_sponsor
    if not kept and session.exec(pickable.limit(1)).first() is None:
        raise Invalid(NOT_SPONSOR)
    if not 1 <= data.seats <= min(SEATS_MAX, cohort.capacity):
        raise Invalid(f"Seats must be between 1 and the cohort's capacity ({cohort.capacity}).")
    amount = Decimal(data.amount)
    if not amount.is_finite() or amount < 0 or amount > AMOUNT_MAX:
        raise Invalid("The amount must be a number from 0 to 9,999,999,999.99.")
    if amount != amount.quantize(Decimal("0.01")):
        raise Invalid("The amount can have at most two decimals.")
    amount = abs(amount) if amount.is_zero() else amount  # "-0" is 0, not "-0.00"
    currency = data.currency.strip().upper()
    if not _CURRENCY.fullmatch(currency):
        raise Invalid("The currency is a three-letter code such as USD, EUR or KES.")
    if not (dates.plausible(data.starts_on) and dates.plausible(data.ends_on)):
        raise Invalid(
            f"The dates must be between the years {dates.EARLIEST.year} and {dates.LATEST.year}."
        )
    if data.ends_on < data.starts_on:
        raise Invalid("The end date can't be before the start date.")
    notes = free_text.block(data.notes, "notes", NOTES_MAX)
    return SponsorshipIn.model_construct(
        organization_id=data.organization_id,
        seats=data.seats,
        amount=amount.quantize(Decimal("0.01")),
        currency=currency,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        notes=notes,
    )


def _duplicate(session: Session, org_id: int, cohort_id: int, other_than: int | None) -> bool:
    stmt = select(Sponsorship.id).where(
        Sponsorship.organization_id == org_id, Sponsorship.cohort_id == cohort_id
    )
    if other_than is not None:
        stmt = stmt.where(Sponsorship.id != other_than)
    return session.exec(stmt).first() is not None


def _audit(
    session: Session,
    action: str,
    row: Sponsorship,
    by: Principal | int | None,
    meta: RequestMeta,
    **terms: object,
) -> None:
    """Audit a change to a sponsorship against its cohort: which one, its sponsor and seats, and
    `terms` (the rest of what it now says, when it was saved)."""
    audit.record(
        session,
        action,
        ("cohort", row.cohort_id),
        by=by,
        meta=meta,
        sponsorship_id=row.id,
        organization_id=row.organization_id,
        seats=row.seats,
        **terms,
    )


def _saved(
    session: Session,
    action: str,
    actor_id: int,
    row: Sponsorship,
    cohort: Cohort,
    values: SponsorshipIn,
    meta: RequestMeta,
) -> SponsorshipPublic:
    """Store a new or changed sponsorship, audit it with the terms it now has, and answer it:
    creating and editing one leave the same trail."""
    session.add(row)
    session.flush()
    _audit(
        session,
        action,
        row,
        actor_id,
        meta,
        amount=f"{values.amount:.2f}",
        currency=values.currency,
        starts_on=values.starts_on.isoformat(),
        ends_on=values.ends_on.isoformat(),
    )
    return _public(row, _org_name(session, row.organization_id), cohort.name)


def create_sponsorship(
    session: Session,
    principal: Principal | None,
    cohort_id: int,
    data: SponsorshipIn,
    *,
    meta: RequestMeta = NO_META,
) -> SponsorshipPublic:
    """A sponsor organisation funds seats in the cohort (its directors; audited)."""
    actor = require_director(principal)
    cohort, _ = get_cohort(session, actor, cohort_id, lock=True)
    values = _clean(session, actor, cohort, data)
    if _duplicate(session, values.organization_id, cohort.id or 0, None):
        raise Conflict(DUPLICATE)
    row = Sponsorship(cohort_id=cohort.id or 0, created_by_id=actor.user_id, **values.model_dump())
    return _saved(session, "sponsorship.created", actor.user_id, row, cohort, values, meta)


def _own(
    session: Session, principal: Principal | None, sponsorship_id: int
) -> tuple[Sponsorship, Cohort]:
    """The sponsorship and its cohort, if the principal directs the cohort's organisation."""
    actor = require_director(principal)
    row = session.get(Sponsorship, sponsorship_id, with_for_update=True)
    if row is None:
        raise NotFound(UNKNOWN)
    # The cohort's row too (as creating one and a capacity change take it): seats checked
    # against the capacity can't race a capacity cut checked against the seats.
    cohort = session.get(Cohort, row.cohort_id, with_for_update=True)
    program = session.get(Program, cohort.program_id) if cohort else None
    assert cohort is not None and program is not None
    try:
        check_org(actor, program.organization_id)
    except Forbidden as exc:  # another organisation's sponsorship: as if it did not exist
        raise NotFound(UNKNOWN) from exc
    return row, cohort


def update_sponsorship(
    session: Session,
    principal: Principal | None,
    sponsorship_id: int,
    data: SponsorshipIn,
    *,
    meta: RequestMeta = NO_META,
) -> SponsorshipPublic:
    """Change a sponsorship's sponsor, seats, amount, dates or notes (audited). Its sponsor may
    be kept though no longer pickable; a new one must be pickable."""
    row, cohort = _own(session, principal, sponsorship_id)
    assert principal is not None  # _own checked
    values = _clean(session, principal, cohort, data, row.organization_id)
    if _duplicate(session, values.organization_id, cohort.id or 0, row.id):
        raise Conflict(DUPLICATE)
    for key, value in values.model_dump().items():
        setattr(row, key, value)
    return _saved(session, "sponsorship.updated", principal.user_id, row, cohort, values, meta)


def remove_sponsorship(
    session: Session,
    principal: Principal | None,
    sponsorship_id: int,
    *,
    meta: RequestMeta = NO_META,
) -> SponsorshipRemoved:
    """End a sponsorship: its sponsor no longer sees the cohort (audited)."""
    row, cohort = _own(session, principal, sponsorship_id)
    removed = SponsorshipRemoved(id=row.id or 0, cohort_id=cohort.id or 0)
    _audit(session, "sponsorship.removed", row, principal, meta)
    session.delete(row)
    session.flush()
    return removed


# -- the sponsor's view ---------------------------------------------------------------------------


def is_current(sponsorship: Sponsorship, today: date) -> bool:
    """Whether the sponsorship runs on `today` (a day in its cohort's zone, `_funded`):
    from its start date to its end date, both included. Only a current sponsorship's sponsor
    sees learners by name (one not begun yet funds nobody so far: its sponsor sees the cohort
    and when it starts)."""
    return sponsorship.starts_on <= today <= sponsorship.ends_on


def _day_end(day: date, tz: tzinfo) -> datetime:
    """The first moment after `day`: the midnight that ends it in `tz` (a cohort's zone)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)


def _funded() -> Any:
    """Sponsorships with their sponsor organisation's name and their cohort's zone (`tz`
    column, services/learning/cohort_days.director_zone: the time zone of the cohort's
    director, None (UTC) when the cohort has none or they chose none). A sponsorship's dates
    are days there, as its cohort's are, the same instants for every reader: the sponsor's
    members, the cohort's directors and admins, wherever each of them is."""
    return (
        select(Sponsorship, Organization.name, director_zone().label("tz"))
        .join(Organization, col(Organization.id) == col(Sponsorship.organization_id))
        .join(Cohort, col(Cohort.id) == col(Sponsorship.cohort_id))
    )


# -- seats used ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeatAllocation:
    """A cohort's counted learners (COUNTED) shared among its sponsorships."""

    enrolled: int
    used: dict[int, int]  # per sponsorship id: its seats used (in its period, `seat_allocations`)
    funded: int  # the learners on a current sponsorship's seat today

    @property
    def unfunded(self) -> int:
        return self.enrolled - self.funded


def allocate(enrolled: int, claims: Sequence[tuple[int, int]]) -> dict[int, int]:
    """The seats rule: `enrolled` learners shared among sponsorships `claims` (id, seats) running
    at the same time, in the order given — the one created first fills first. Each uses at most
    its seats, at most those the ones before it left: together never more than `enrolled`, never
    below 0 (seats lowered under those used just means fewer used)."""
    left, used = enrolled, {}
    for sid, seats in claims:
        used[sid] = max(0, min(seats, left))
        left -= used[sid]
    return used


def seat_allocations(session: Session, cohort_ids: Collection[int]) -> dict[int, SeatAllocation]:
    """Each cohort's seats used per sponsorship, each counted on its day of reference: today
    while it runs, its last day once it has ended (its figures stop there too, `_figures`); one
    not begun yet uses none. On that day the learners enrolled by its end are shared (`allocate`)
    among the sponsorships running then, in their order of creation: the earliest commitment
    keeps its learners, so a sponsor added later, or another's dates or seats edited, never takes
    seats from one made before it; and sponsorships of different terms never share. The days are
    the cohort's (its zone, `_funded`). Two statements however many cohorts."""
    ids = sorted(set(cohort_ids))
    rows = session.exec(
        _funded()
        .where(col(Sponsorship.cohort_id).in_(ids or [-1]))
        .order_by(col(Sponsorship.created_at), col(Sponsorship.id))
    ).all()
    # Each enrolment's seat, from when it was enrolled until it was withdrawn (for ever while
    # seated): an ended sponsorship counts those seated at the end of its last day, whoever left
    # since (as `_seated_sql`).
    enrolled_at: dict[int, list[tuple[datetime, datetime]]] = {cid: [] for cid in ids}
    for cid, at, status, left in session.execute(
        sa_select(
            col(Enrollment.cohort_id),
            col(Enrollment.enrolled_at),
            col(Enrollment.status),
            col(Enrollment.withdrawn_at),
        ).where(
            col(Enrollment.cohort_id).in_(ids or [-1]),
            col(Enrollment.status).in_(COUNTED) | col(Enrollment.withdrawn_at).is_not(None),
        )
    ).all():
        enrolled_at[cid].append((at, _FOR_EVER if status in COUNTED else left))
    funding: dict[int, list[Sponsorship]] = {cid: [] for cid in ids}
    zones: dict[int, str | None] = {}
    for s, _, tz in rows:
        funding[s.cohort_id].append(s)
        zones[s.cohort_id] = tz
    now = utcnow()
    out = {}
    for cid in ids:
        tz = zones.get(cid)
        today = cohort_today(tz, now)
        used: dict[int, int] = {}
        for s in funding[cid]:
            if s.starts_on > today:
                used[s.id or 0] = 0
                continue
            day = min(today, s.ends_on)
            end = _day_end(day, zone(tz))
            running = [(t.id or 0, t.seats) for t in funding[cid] if is_current(t, day)]
            pool = sum(1 for at, left in enrolled_at[cid] if at < end <= left)
            used[s.id or 0] = allocate(pool, running)[s.id or 0]
        funded = sum(used[s.id or 0] for s in funding[cid] if is_current(s, today))
        enrolled = sum(1 for _, left in enrolled_at[cid] if left == _FOR_EVER)
        out[cid] = SeatAllocation(enrolled=enrolled, used=used, funded=funded)
    return out


_FOR_EVER = datetime.max.replace(tzinfo=UTC)


def _seated_sql(until: datetime) -> Any:
    """An enrolment that held its seat at `until`: seated now, or withdrawn at `until` or later
    (a learner who leaves after an ended sponsorship's last day still counts in the figures it
    kept)."""
    return col(Enrollment.status).in_(COUNTED) | (col(Enrollment.withdrawn_at) >= until)


# One scan of the cohort's submissions of the programme's missions serves every figure that
# counts them (activity, weekly submissions, approvals per track): separate queries read the
# same ~5,000 heap pages several times (issue 15's sponsor dashboard goal,
# bench/sponsor_dashboard.py). Each named learner's progress is mission_scope.scopes's, as
# every other page shows it (_learners).
_WEEK_COLUMNS = ",\n  ".join(
    f"count(*) FILTER (WHERE submitted_at >= :w{i} AND submitted_at < :w{i + 1})"
    for i in range(WEEKS)
)
_SUBMISSION_FIGURES = text(
    f"""
WITH enrolled AS MATERIALIZED (
  SELECT student_id FROM enrollments
  WHERE cohort_id = :cohort_id AND enrolled_at < :until
    AND (status = ANY(:counted) OR withdrawn_at >= :until)
), subs AS MATERIALIZED (
  SELECT s.student_id, s.mission_id, s.status, s.submitted_at
  FROM enrolled e
  JOIN submissions s ON s.student_id = e.student_id
  JOIN program_missions pm ON pm.mission_id = s.mission_id AND pm.program_id = :program_id
  WHERE s.submitted_at IS NULL OR s.submitted_at < :until
)
SELECT
  count(DISTINCT student_id) FILTER (WHERE submitted_at >= :since_7d),
  count(DISTINCT student_id) FILTER (WHERE submitted_at >= :since_30d),
  {_WEEK_COLUMNS},
  (SELECT coalesce(json_agg(json_build_array(name, n) ORDER BY name), '[]')
   FROM (SELECT t.name, count(*) AS n
         FROM subs a JOIN missions m ON m.id = a.mission_id JOIN tracks t ON t.id = m.track_id
         WHERE a.status = :approved GROUP BY t.name) per_track)
FROM subs
"""
)


def _learners(
    session: Session, cohorts: Collection[tuple[int, int]]
) -> dict[int, list[ConsentingLearner]]:
    """Each (cohort, its programme)'s counted learners who consent to share with its sponsors,
    with their track and progress in the programme: the same "N of M" (mission_scope.scopes) as
    their own dashboard and their director's roster. Two statements however many cohorts."""
    program_of = dict(cohorts)
    rows = session.execute(
        sa_select(col(Enrollment.cohort_id), col(User.id), col(User.full_name), col(User.email))
        .join(User, col(User.id) == col(Enrollment.student_id))
        .where(
            col(Enrollment.cohort_id).in_(program_of or [-1]),
            col(Enrollment.status).in_(COUNTED),
            col(User.is_active),  # a deactivated account is no longer named to anyone
            consents.granted_sql(consents.SPONSOR_SHARING, col(Enrollment.student_id)),
        )
        .order_by(col(Enrollment.cohort_id), name_order(User), col(User.email))
    ).all()
    figures = program_scopes(session, [(user_id, program_of[cid]) for cid, user_id, _, _ in rows])
    out: dict[int, list[ConsentingLearner]] = {cid: [] for cid in program_of}
    for (cid, _, full_name, email), scope in zip(rows, figures, strict=True):
        out[cid].append(
            ConsentingLearner(
                name=person_name(full_name, email),
                track=scope.track_name,
                approved=scope.approved,
                published=scope.expected,
                progress=scope.percent,
            )
        )
    return out


@dataclass(frozen=True)
class _Counted:
    """A funded cohort's figures before its consenting learners are read (`_cohorts` reads
    those of every current sponsorship at once)."""

    cohort: SponsoredCohort
    program_id: int
    current: bool


def _figures(
    session: Session,
    sponsorship: Sponsorship,
    sponsor: str,
    cohort_zone: str | None,
    reader: Principal,
) -> _Counted:
    """Two queries per cohort: the cohort with its counts, and every figure counted from its
    submissions (one scan); after the sponsorship's end the figures stop at its end. The
    consenting learners come later (`_cohorts`), only while the sponsorship is current. Whether it has begun or
    ended is decided on the day in `cohort_zone` (the cohort's, `_funded`); the weeks begin on
    Monday at midnight in the reader's time zone, as the page shows them."""

    def count_of(*where: Any) -> Any:
        return select(func.count()).where(*where).scalar_subquery()

    now = utcnow()
    today = cohort_today(cohort_zone, now)  # the cohort's day: the sponsorship's dates are its days
    current = is_current(sponsorship, today)
    ended = today > sponsorship.ends_on
    until = _day_end(sponsorship.ends_on, zone(cohort_zone)) if ended else _FOR_EVER
    as_of = until if ended else now  # where the activity windows and the weeks end
    cid = sponsorship.cohort_id
    row = session.execute(
        sa_select(
            col(Cohort.id),
            col(Cohort.name),
            col(Cohort.starts_on),
            col(Cohort.ends_on),
            col(Program.id),
            col(Program.name),
            col(Organization.name),
            count_of(
                col(Enrollment.cohort_id) == cid,
                _seated_sql(until),
                col(Enrollment.enrolled_at) < until,
            ),
            count_of(
                col(Enrollment.cohort_id) == cid,
                # Complete now, or withdrawn after the end having completed by then.
                (col(Enrollment.status) == EnrollmentStatus.completed)
                | (
                    (col(Enrollment.withdrawn_at) >= until)
                    & col(Enrollment.completed_at).is_not(None)
                ),
                col(Enrollment.enrolled_at) < until,
                # Completions from before the column was kept have no date: counted.
                col(Enrollment.completed_at).is_(None) | (col(Enrollment.completed_at) < until),
            ),
            count_of(
                col(Certificate.cohort_id) == cid,
                # Valid then: one revoked after the end still counts in the ended period.
                col(Certificate.revoked_at).is_(None) | (col(Certificate.revoked_at) >= until),
                col(Certificate.issued_at) < until,
            ),
        )
        .join(Program, col(Program.id) == col(Cohort.program_id))
        .join(Organization, col(Organization.id) == col(Program.organization_id))
        .where(col(Cohort.id) == cid)
    ).one()
    _, cohort_name, starts_on, ends_on, program_id, program_name, runner = row[:7]
    enrolled, completions, certificates = (int(n) for n in row[7:])
    tz = zone(reader.time_zone)
    # The reader's today, or an ended period's last day: the weeks end with its week.
    last = sponsorship.ends_on if ended else now.astimezone(tz).date()
    week0 = last - timedelta(days=last.weekday() + 7 * (WEEKS - 1))
    starts = [
        datetime.combine(week0 + timedelta(weeks=i), time(0), tzinfo=tz) for i in range(WEEKS)
    ]
    figures = session.execute(
        _SUBMISSION_FIGURES,
        {
            "cohort_id": cid,
            "program_id": program_id,
            "counted": [s.value for s in COUNTED],
            "approved": SubmissionStatus.approved.value,
            "since_7d": as_of - timedelta(days=7),
            "since_30d": as_of - timedelta(days=30),
            "until": until,
            **{f"w{i}": start for i, start in enumerate(starts)},
            f"w{WEEKS}": until,
        },
    ).one()
    active_7d, active_30d = int(figures[0]), int(figures[1])
    weekly = [int(n) for n in figures[2 : 2 + WEEKS]]
    # The weeks before the cohort's first week are left out while nothing was submitted in
    # them: a cohort that began two weeks ago reads two weeks, not six empty ones before it.
    first = starts_on - timedelta(days=starts_on.weekday())
    while len(starts) > 1 and starts[0].date() < first and weekly[0] == 0:
        starts, weekly = starts[1:], weekly[1:]
    approvals = [(str(t), int(n)) for t, n in figures[2 + WEEKS]]
    cohort = SponsoredCohort(
        cohort_id=cid,
        cohort=cohort_name,
        program=program_name,
        organization=runner,
        starts_on=starts_on,
        ends_on=ends_on,
        sponsorship=_public(sponsorship, sponsor, cohort_name),
        enrolled=enrolled,
        seats_used=0,  # `_cohorts` shares the cohort's learners among its sponsorships
        active_7d=active_7d,
        active_30d=active_30d,
        submissions_per_week=[
            WeekCount(week=start.date(), submissions=n)  # the Monday, in the reader's zone
            for start, n in zip(starts, weekly, strict=True)
        ],
        approvals=sum(n for _, n in approvals),
        approvals_per_track=[TrackApprovals(track=t, approvals=n) for t, n in approvals],
        completions=completions,
        certificates=certificates,
        learners=[],
        withheld=0,
        ended=ended,
        starts_on_later=None if current or ended else sponsorship.starts_on,
    )
    return _Counted(cohort=cohort, program_id=program_id, current=current)


def _other_sponsors(
    seen: Sequence[tuple[Sponsorship, str, str | None]],
) -> dict[int, list[SponsorOrganization]]:
    """Per sponsorship id, the other sponsorships of its cohort among those the reader sees
    (`seen`), as their organisations, in the order they are listed."""
    per_cohort: dict[int, list[tuple[int, SponsorOrganization]]] = {}
    for s, name, _ in seen:
        per_cohort.setdefault(s.cohort_id, []).append(
            (s.id or 0, SponsorOrganization(id=s.organization_id, name=name))
        )
    return {
        sid: [org for other, org in funders if other != sid]
        for funders in per_cohort.values()
        for sid, _ in funders
    }


def _cohorts(
    session: Session,
    found: Sequence[tuple[Sponsorship, str, str | None]],
    reader: Principal,
    seen: Sequence[tuple[Sponsorship, str, str | None]] | None = None,
    *,
    directing: bool = False,
) -> list[SponsoredCohort]:
    """Each funded cohort's figures (`_figures`), with the consenting learners of the current
    sponsorships read together: two statements for all, not two per cohort. Before its start and
    after its end a sponsorship names no one: their learners are not even loaded. Each names
    the other sponsors of its cohort among `seen` (all the reader sees; `found` by default).
    Seats used are `seat_allocations`'s (two statements for all); a reader `directing` the
    cohorts (its director, an admin) also gets how many learners are on no sponsor's seat."""
    others = _other_sponsors(found if seen is None else seen)
    seats = seat_allocations(session, {s.cohort_id for s, _, _ in found})
    counted = [_figures(session, s, name, tz, reader) for s, name, tz in found]
    learners = _learners(
        session, {(c.cohort.cohort_id, c.program_id) for c in counted if c.current}
    )
    out = []
    for c in counted:
        named = learners.get(c.cohort.cohort_id, []) if c.current else []
        withheld = max(c.cohort.enrolled - len(named), 0) if c.current else 0
        shared = seats[c.cohort.cohort_id]
        used = shared.used.get(c.cohort.sponsorship.id, 0)
        out.append(
            c.cohort.model_copy(
                update={
                    "seats_used": used,
                    "sponsorship": c.cohort.sponsorship.model_copy(update={"seats_used": used}),
                    "unfunded": shared.unfunded if directing or reader.is_admin else None,
                    "learners": named,
                    "withheld": withheld,
                    "other_sponsors": others.get(c.cohort.sponsorship.id, []),
                }
            )
        )
    return out


def _sponsorships(
    session: Session, principal: Principal, cohort_id: int | None = None
) -> list[tuple[Sponsorship, str, str | None]]:
    """The principal's organisations' sponsorships (an admin: all), as `_funded` gives them."""
    orgs = _sponsor_orgs(principal)
    stmt = _funded().order_by(col(Cohort.starts_on).desc(), col(Cohort.name), col(Sponsorship.id))
    if orgs is not None:
        stmt = stmt.where(col(Sponsorship.organization_id).in_(orgs or [-1]))
    if cohort_id is not None:
        stmt = stmt.where(Sponsorship.cohort_id == cohort_id)
    return [(s, n, tz) for s, n, tz in session.exec(stmt).all()]


def dashboard(session: Session, principal: Principal | None) -> SponsorDashboard:
    """The cohorts the user's sponsor organisations fund, each with its figures."""
    actor = require_sponsor(principal)
    orgs = _sponsor_orgs(actor)
    names = (
        ["All organisations (admin)"]
        if orgs is None
        else list(
            session.exec(
                select(Organization.name)
                .where(col(Organization.id).in_(orgs or [-1]))
                .order_by(col(Organization.name))
            ).all()
        )
    )
    return SponsorDashboard(
        organizations=names,
        every_organization=orgs is None,
        cohorts=_cohorts(session, _sponsorships(session, actor), actor),
    )


def sponsored_cohort(
    session: Session,
    principal: Principal | None,
    cohort_id: int,
    organization_id: int | None = None,
) -> SponsoredCohort:
    """One funded cohort's figures (NotFound unless the user's organisation sponsors it).
    A reader seeing several sponsorships of it (an admin, a sponsor of two organisations that
    both fund it) gets `organization_id`'s, or by default the first the dashboard lists; the
    answer names the others (`other_sponsors`)."""
    actor = require_sponsor(principal)
    seen = _sponsorships(session, actor, cohort_id)
    found = [f for f in seen if organization_id in (None, f[0].organization_id)]
    if not found:
        raise NotFound(NOT_FUNDED)
    return _cohorts(session, found[:1], actor, seen)[0]


def report(
    session: Session, principal: Principal | None, cohort_id: int | None = None
) -> SponsorDashboard:
    """The sponsor report's figures: every cohort the user's sponsor organisations fund (the
    dashboard), or one funded cohort. For one cohort a director of its organisation (or an
    admin) gets every sponsorship of it; a sponsor only their own organisations' (NotFound
    when none, like sponsored_cohort). Learners appear only when they consent, for everyone."""
    if cohort_id is None:
        return dashboard(session, principal)
    # Who runs the cohort reads it as its director, even when they also sponsor it (a director
    # may name their own organisation as a sponsor): every sponsorship, and who is on none.
    if principal is not None and _manages(session, principal, cohort_id):
        every = (
            _funded()
            .where(Sponsorship.cohort_id == cohort_id)
            .order_by(col(Organization.name), col(Sponsorship.id))
        )
        rows = list(session.exec(every).all())
        if not rows:
            raise NotFound("Nobody sponsors that cohort.")
        return SponsorDashboard(
            organizations=sorted({name for _, name, _ in rows}),
            cohorts=_cohorts(session, [(s, n, tz) for s, n, tz in rows], principal, directing=True),
        )
    if principal is not None and principal.has_role(Role.sponsor):
        found = _sponsorships(session, principal, cohort_id)
        if found:
            names = sorted({name for _, name, _ in found})
            return SponsorDashboard(
                organizations=names,
                cohorts=_cohorts(session, found, principal),
            )
    if principal is not None and (principal.is_admin or principal.has_role(Role.director)):
        get_cohort(session, principal, cohort_id)  # a director of another organisation: its 404
    raise NotFound(NOT_FUNDED)


def _manages(session: Session, principal: Principal, cohort_id: int) -> bool:
    """Whether the principal is an admin or a director of the cohort's organisation."""
    if not (principal.is_admin or principal.has_role(Role.director)):
        return False
    try:
        get_cohort(session, principal, cohort_id)
    except (NotFound, Forbidden):
        return False
    return True


# -- the report as CSV ----------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run: text starting with = + - @ (or a tab or carriage
    return) gets a leading apostrophe, so `=HYPERLINK(...)` shows as typed (OWASP CSV injection).
    Control characters and bidi overrides kept from before services/text.py are left out."""
    text = "" if value is None else free_text.printable(str(value))
    return "'" + text if text.startswith(_FORMULA_START) else text


COHORT_COLUMNS = [
    "Cohort",
    "Programme",
    "Organisation",
    "Starts",
    "Ends",
    "Sponsor",
    "Seats funded",
    "Seats used",
    "Amount",
    "Currency",
    "Enrolled",
    "Active (7 days)",
    "Active (30 days)",
    "Approvals",
    "Completions",
    "Certificates",
    "Approvals per track",
    "Sponsorship ended on",  # empty while it runs (the dashboard's "This sponsorship ended on")
    "Sponsorship starts on",  # empty once begun (the dashboard's "This sponsorship starts on")
    "Enrolled on no sponsor's seat",  # for the cohort's directors and admins; empty for sponsors
]
LEARNER_COLUMNS = ["Cohort", "Learner", "Track", "Missions approved", "Missions", "Progress (%)"]


def report_csv(session: Session, principal: Principal | None) -> str:
    """The sponsor report: one row per funded cohort, then the consenting learners."""
    found = dashboard(session, principal)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for cells in report_rows(found):
        writer.writerow([safe_cell(c) for c in cells])
    return out.getvalue()


def report_rows(report: SponsorDashboard) -> Iterator[list[object]]:
    """The report's CSV rows (cells not yet made safe): the cohort header and one row per
    funded cohort (with the day its sponsorship ended, once it has, or the day it starts, until
    it has begun: why no learner follows), an empty row, the learner header and the consenting
    learners."""
    yield list(COHORT_COLUMNS)
    for c in report.cohorts:
        s = c.sponsorship
        yield (
            [
                c.cohort,
                c.program,
                c.organization,
                c.starts_on.isoformat(),
                c.ends_on.isoformat(),
                s.sponsor,
                s.seats,
                c.seats_used,
                s.amount,
                s.currency,
                c.enrolled,
                c.active_7d,
                c.active_30d,
                c.approvals,
                c.completions,
                c.certificates,
                "; ".join(f"{t.track}: {t.approvals}" for t in c.approvals_per_track),
                s.ends_on.isoformat() if c.ended else "",
                c.starts_on_later.isoformat() if c.starts_on_later else "",
                "" if c.unfunded is None else c.unfunded,
            ]
        )
    yield []
    yield list(LEARNER_COLUMNS)
    for c in report.cohorts:
        for learner in c.learners:
            yield [
                c.cohort,
                learner.name,
                learner.track,
                learner.approved,
                learner.published,
                learner.progress,
            ]


def report_filename(time_zone: str | None, *, now: datetime | None = None) -> str:
    """The report's file name, dated with the reader's own day (in their time zone)."""
    day = (now or utcnow()).astimezone(zone(time_zone)).date()
    return f"sponsor-report-{day.isoformat()}.csv"
