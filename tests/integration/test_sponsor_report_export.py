"""The sponsor report as an export job (issue 15, items 2 and 5): a sponsor (every cohort their
organisation funds, or one) or a director of the cohort asks for it; the worker's run_export
writes the same rows as the direct CSV; only the requester downloads it; a rival sponsor gets
nothing; a learner is named only while they consent to share with sponsors."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select

from cyberhub import db
from cyberhub.models import (
    AuditLog,
    Export,
    ExportStatus,
    Organization,
    Role,
    RoleAssignment,
    Sponsorship,
    User,
)
from cyberhub.pages.exports.state import ExportsState
from cyberhub.schemas.exports import ExportRequest
from cyberhub.schemas.sponsorships import SponsorshipIn
from cyberhub.services.admin import exports
from cyberhub.services.admin.audit import NO_META
from cyberhub.services.identity import consents
from cyberhub.services.learning import sponsorships
from cyberhub.settings import get_settings
from tests.factories import World, make_org, make_user, principal
from tests.integration.conftest import ClientFor
from tests.page_states import at_address, page_state
from tests.processes import run_in_own_loop

pytestmark = [pytest.mark.integration]

API = "/api/v1"


@pytest.fixture(autouse=True)
def data_dir(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(get_settings(), "data_dir", tmp_path)
    return tmp_path


def sponsor_of(session: Session, world: World) -> tuple[User, User]:
    """A sponsor whose organisation funds the world's cohort, and a rival sponsor whose
    organisation funds nothing of it."""
    org = make_org(session, "Savannah Fund")
    rival_org: Organization = make_org(session, "Rival Fund")
    sponsor = make_user(session, "kofi@fund.example", "sponsor", organization_id=org.id)
    rival = make_user(session, "rival@fund.example", "sponsor", organization_id=rival_org.id)
    sponsorships.create_sponsorship(
        session,
        principal(session, world.director),
        world.cohort.id or 0,
        SponsorshipIn(
            organization_id=org.id or 0,
            seats=10,
            amount=Decimal("1500.00"),
            currency="usd",
            starts_on=date.today() - timedelta(days=10),
            ends_on=date.today() + timedelta(days=80),
        ),
    )
    session.commit()
    return sponsor, rival


def share(session: Session, learner: User, granted: bool = True) -> None:
    consents.set_consent(session, principal(session, learner), consents.SPONSOR_SHARING, granted)
    session.commit()


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_a_sponsor_exports_the_report_and_only_they_download_it(
    session: Session, world: World, client_for: ClientFor
) -> None:
    sponsor, rival = sponsor_of(session, world)
    share(session, world.student)
    client = client_for(sponsor)
    r = client.post(f"{API}/exports", json={"kind": "sponsor_report"})
    assert r.status_code == 202, r.text
    export_id = r.json()["id"]
    assert r.json()["status"] == "queued" and r.json()["title"].startswith("Sponsor report")
    assert exports.run_export(db.session_scope, export_id) == ExportStatus.done
    body = client.get(f"{API}/exports/{export_id}").json()
    assert body["progress"] == 100 and body["expires_at"] and body["download_url"]
    got = client.get(body["download_url"])
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
    rows = csv_rows(got.text)
    # The same rows as the direct CSV of the dashboard.
    assert rows == csv_rows(client.get(f"{API}/sponsor/report.csv").text)
    assert rows[0] == sponsorships.COHORT_COLUMNS
    assert rows[1][0] == world.cohort.name
    names = [row[1] for row in rows[rows.index(sponsorships.LEARNER_COLUMNS) + 1 :]]
    assert names == [world.student.full_name or world.student.email]  # not student2
    # Nobody else sees or downloads it, not even the cohort's director or an admin.
    for other in (rival, world.director, world.admin, world.student):
        c = client_for(other)
        assert c.get(f"{API}/exports/{export_id}").status_code == 404
        assert c.get(f"{API}/exports/{export_id}/download").status_code == 404
    audited = session.exec(
        select(AuditLog.action, AuditLog.actor_id).where(
            AuditLog.target_type == "export", AuditLog.target_id == str(export_id)
        )
    ).all()
    assert set(audited) == {("export.requested", sponsor.id), ("export.downloaded", sponsor.id)}


def test_who_may_export_one_cohorts_report(
    session: Session, world: World, client_for: ClientFor
) -> None:
    sponsor, rival = sponsor_of(session, world)
    cohort = {"kind": "sponsor_report", "cohort_id": world.cohort.id}
    assert client_for(sponsor).post(f"{API}/exports", json=cohort).status_code == 202
    assert client_for(world.director).post(f"{API}/exports", json=cohort).status_code == 202
    # A rival sponsor, another organisation's director, the cohort's mentor and a learner.
    for user, codes in (
        (rival, {404}),
        (world.other_director, {403, 404}),
        (world.mentor, {403, 404}),
        (world.student, {403, 404}),
    ):
        r = client_for(user).post(f"{API}/exports", json=cohort)
        assert r.status_code in codes and r.json()["detail"], (user.email, r.text)
    # The whole report is for sponsors: a director names the cohort; a programme is refused.
    assert client_for(world.director).post(
        f"{API}/exports", json={"kind": "sponsor_report"}
    ).status_code in (403, 404)
    r = client_for(sponsor).post(
        f"{API}/exports", json={"kind": "sponsor_report", "program_id": world.program.id}
    )
    assert r.status_code == 422 and r.json()["detail"]
    # A sponsor is offered the kind on the exports page (the whole report).
    kinds = {c.kind: c.scopes for c in exports.choices(session, principal(session, sponsor))}
    assert kinds["sponsor_report"] == []


def test_a_learner_who_withdraws_consent_before_the_job_runs_is_not_in_it(
    session: Session, world: World, client_for: ClientFor
) -> None:
    sponsor, _ = sponsor_of(session, world)
    share(session, world.student)
    r = client_for(world.director).post(
        f"{API}/exports", json={"kind": "sponsor_report", "cohort_id": world.cohort.id}
    )
    export_id = r.json()["id"]
    share(session, world.student, granted=False)
    assert exports.run_export(db.session_scope, export_id) == ExportStatus.done
    rows = csv_rows(client_for(world.director).get(f"{API}/exports/{export_id}/download").text)
    assert rows[1][0] == world.cohort.name and rows[1][10] == "2"  # enrolled: aggregates stay
    assert rows[-1] == sponsorships.LEARNER_COLUMNS  # and no learner by name


def test_a_learner_who_withdraws_consent_after_the_file_was_written_is_not_handed_out(
    session: Session, world: World, client_for: ClientFor
) -> None:
    """The file stays downloadable for EXPORT_TTL_HOURS: a learner who stops sharing with
    sponsors meanwhile must not go on being named to them by it. A file that names someone the
    report no longer shows answers 410 (ask for a new one); one naming nobody gone still
    downloads."""
    sponsor, _ = sponsor_of(session, world)
    share(session, world.student)
    share(session, world.student2)
    client = client_for(sponsor)
    export_id = client.post(f"{API}/exports", json={"kind": "sponsor_report"}).json()["id"]
    assert exports.run_export(db.session_scope, export_id) == ExportStatus.done
    assert client.get(f"{API}/exports/{export_id}/download").status_code == 200
    share(session, world.student, granted=False)
    r = client.get(f"{API}/exports/{export_id}/download")
    assert r.status_code == 410 and "request a new one" in r.json()["detail"], r.text
    # Asked for on its own (as the exports page does before a download), it says why and offers
    # no link (so does the list: test_the_list_stops_offering_a_file_once_someone_it_names_...).
    one = client.get(f"{API}/exports/{export_id}").json()
    assert one["download_url"] is None and one["unavailable"] == r.json()["detail"], one
    # A new one, without them, downloads.
    fresh = client.post(f"{API}/exports", json={"kind": "sponsor_report"}).json()["id"]
    assert exports.run_export(db.session_scope, fresh) == ExportStatus.done
    rows = csv_rows(client.get(f"{API}/exports/{fresh}/download").text)
    names = [row[1] for row in rows[rows.index(sponsorships.LEARNER_COLUMNS) + 1 :]]
    assert names == [world.student2.full_name or world.student2.email]


def test_each_consenting_learner_shows_their_own_track(session: Session, world: World) -> None:
    """Each learner's latest profiler result gives their track (it once was everyone's newest)."""
    from cyberhub.models import ProfilerResult, ProfilerSession, ProfilerStatus

    sponsor, _ = sponsor_of(session, world)
    for learner, track in ((world.student, "builders"), (world.student2, "leaders")):
        share(session, learner)
        ps = ProfilerSession(
            user_id=learner.id or 0, bank_version="1", status=ProfilerStatus.completed
        )
        session.add(ps)
        session.flush()
        session.add(
            ProfilerResult(
                session_id=ps.id or 0,
                user_id=learner.id or 0,
                primary_track=track,
                secondary_track="leaders",
                confidence="high",
            )
        )
        session.commit()
    [cohort] = sponsorships.dashboard(session, principal(session, sponsor)).cohorts
    by_name = {le.name: le.track for le in cohort.learners}
    assert by_name == {
        (world.student.full_name or world.student.email.split("@")[0]): "Builders",
        (world.student2.full_name or world.student2.email.split("@")[0]): "Leaders",
    }


def test_a_namesake_still_sharing_does_not_keep_a_withdrawn_learner_in_the_file(
    session: Session, world: World, client_for: ClientFor
) -> None:
    """Two learners of the cohort go by the same name; both share, then one stops. The file
    written before names both: one of those rows is about someone who no longer shares, so it
    is not handed out (it was, as the other learner's name was still in the report)."""
    sponsor, _ = sponsor_of(session, world)
    world.student2.full_name = world.student.full_name
    session.add(world.student2)
    session.commit()
    share(session, world.student)
    share(session, world.student2)
    client = client_for(sponsor)
    export_id = client.post(f"{API}/exports", json={"kind": "sponsor_report"}).json()["id"]
    assert exports.run_export(db.session_scope, export_id) == ExportStatus.done
    rows = csv_rows(client.get(f"{API}/exports/{export_id}/download").text)
    assert [r[1] for r in rows[rows.index(sponsorships.LEARNER_COLUMNS) + 1 :]] == [
        world.student.full_name,
        world.student.full_name,
    ]
    share(session, world.student2, granted=False)
    r = client.get(f"{API}/exports/{export_id}/download")
    assert r.status_code == 410 and r.json()["detail"] == exports.NAMES_GONE, r.text
    assert client.get(f"{API}/exports/{export_id}").json()["download_url"] is None


def test_the_list_stops_offering_a_file_once_someone_it_names_stops_sharing(
    session: Session, world: World, client_for: ClientFor
) -> None:
    """Withdrawing the consent takes effect on the exports already listed too: the list (what
    the exports page shows, GET /exports) offered the file's download link and no reason, for a
    file its download then refused with 410. It now says why, as the export's own answer does."""
    sponsor, _ = sponsor_of(session, world)
    share(session, world.student)
    client = client_for(sponsor)
    export_id = client.post(f"{API}/exports", json={"kind": "sponsor_report"}).json()["id"]
    assert exports.run_export(db.session_scope, export_id) == ExportStatus.done
    [listed] = client.get(f"{API}/exports").json()
    assert listed["download_url"] and listed["unavailable"] == "", listed
    share(session, world.student, granted=False)
    [listed] = client.get(f"{API}/exports").json()
    one = client.get(f"{API}/exports/{export_id}").json()
    assert (listed["download_url"], listed["unavailable"]) == (None, exports.NAMES_GONE), listed
    assert (one["download_url"], one["unavailable"]) == (None, exports.NAMES_GONE), one
    assert client.get(f"{API}/exports/{export_id}/download").status_code == 410


def test_a_file_the_sweep_deletes_during_the_check_is_gone_not_an_error(
    session: Session, world: World, client_for: ClientFor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The retention sweep may delete an expiring file between the check that it is there and
    the read of a sponsor report's names: the list, the export's own answer and the download
    raised FileNotFoundError (500). They now say the file is no longer available (410)."""
    sponsor, _ = sponsor_of(session, world)
    share(session, world.student)
    client = client_for(sponsor)
    export_id = client.post(f"{API}/exports", json={"kind": "sponsor_report"}).json()["id"]
    assert exports.run_export(db.session_scope, export_id) == ExportStatus.done
    is_file = Path.is_file

    def swept_right_after(path: Path) -> bool:
        found = is_file(path)
        if found and path.parent.name == "exports":
            path.unlink()  # the sweep runs between the check and the read
        return found

    monkeypatch.setattr(Path, "is_file", swept_right_after)
    [listed] = client.get(f"{API}/exports").json()
    assert listed["download_url"] is None and "no longer available" in listed["unavailable"]
    # (Each answer below finds the file gone by then, as the sweep left it.)
    one = client.get(f"{API}/exports/{export_id}")
    assert one.status_code == 200 and one.json()["download_url"] is None, one.text
    r = client.get(f"{API}/exports/{export_id}/download")
    assert r.status_code == 410 and "no longer available" in r.json()["detail"], r.text


def test_the_report_says_when_a_sponsorship_ended(
    session: Session, world: World, client_for: ClientFor
) -> None:
    """The dashboard and the API say a sponsorship has ended ("This sponsorship ended on ...",
    `ended`); the CSV (export and direct) showed its figures and no learner, with no word of
    why. Its cohort row now carries the day it ended (empty while it runs)."""
    sponsor, _ = sponsor_of(session, world)
    share(session, world.student)
    client = client_for(sponsor)
    [row] = session.exec(select(Sponsorship)).all()
    column = sponsorships.COHORT_COLUMNS.index("Sponsorship ended on")
    rows = csv_rows(client.get(f"{API}/sponsor/report.csv").text)
    assert rows[1][column] == ""  # still running
    ended = date.today() - timedelta(days=3)
    row.starts_on, row.ends_on = date.today() - timedelta(days=60), ended
    session.add(row)
    session.commit()
    export_id = client.post(f"{API}/exports", json={"kind": "sponsor_report"}).json()["id"]
    assert exports.run_export(db.session_scope, export_id) == ExportStatus.done
    rows = csv_rows(client.get(f"{API}/exports/{export_id}/download").text)
    assert rows == csv_rows(client.get(f"{API}/sponsor/report.csv").text)
    assert rows[0][column] == "Sponsorship ended on" and rows[1][column] == ended.isoformat()
    assert rows[rows.index(sponsorships.LEARNER_COLUMNS) + 1 :] == []  # nobody named after it


def test_the_report_says_when_a_sponsorship_has_not_begun(
    session: Session, world: World, client_for: ClientFor
) -> None:
    """The dashboard and the API say a sponsorship has not begun ("This sponsorship starts on
    ...", `starts_on_later`); the CSV (export and direct) showed its figures and no learner, as
    if it were running. Its cohort row now carries the day it starts (empty once it has begun),
    as it carries the day one ended."""
    sponsor, _ = sponsor_of(session, world)
    share(session, world.student)
    client = client_for(sponsor)
    [row] = session.exec(select(Sponsorship)).all()
    column = sponsorships.COHORT_COLUMNS.index("Sponsorship starts on")
    rows = csv_rows(client.get(f"{API}/sponsor/report.csv").text)
    assert rows[1][column] == ""  # running
    starts = date.today() + timedelta(days=12)
    row.starts_on, row.ends_on = starts, starts + timedelta(days=60)
    session.add(row)
    session.commit()
    [shown] = client.get(f"{API}/sponsor/cohorts").json()["cohorts"]
    assert shown["starts_on_later"] == starts.isoformat() and shown["learners"] == []
    export_id = client.post(f"{API}/exports", json={"kind": "sponsor_report"}).json()["id"]
    assert exports.run_export(db.session_scope, export_id) == ExportStatus.done
    rows = csv_rows(client.get(f"{API}/exports/{export_id}/download").text)
    assert rows == csv_rows(client.get(f"{API}/sponsor/report.csv").text)
    assert rows[0][column] == "Sponsorship starts on" and rows[1][column] == starts.isoformat()
    ended = sponsorships.COHORT_COLUMNS.index("Sponsorship ended on")
    assert rows[1][ended] == ""
    assert rows[rows.index(sponsorships.LEARNER_COLUMNS) + 1 :] == []  # nobody named before it


def test_a_director_is_offered_the_report_of_each_sponsored_cohort(
    session: Session, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The API exported a sponsored cohort's report for its director, but the exports page
    offered them no such export, and the cohort page's Export link (/exports?cohort=...)
    preselected the cohort for every other kind only. Now the page offers the cohorts they
    direct that have a sponsor (not another organisation's, not an unsponsored one)."""
    sponsor_of(session, world)
    d = principal(session, world.director)
    offered = {c.kind: c.scopes for c in exports.choices(session, d)}
    assert [s.cohort_id for s in offered["sponsor_report"]] == [world.cohort.id]
    other = {c.kind for c in exports.choices(session, principal(session, world.other_director))}
    assert "sponsor_report" not in other

    page = page_state(ExportsState, session, d, monkeypatch)
    monkeypatch.setattr(ExportsState, "_meta", lambda _: NO_META)

    async def zone(_: Any) -> str:
        return "UTC"

    monkeypatch.setattr(ExportsState, "_time_zone", zone)
    at_address(ExportsState, monkeypatch, cohort=str(world.cohort.id))
    run_in_own_loop(ExportsState.event_handlers["load"].fn(page))
    assert page.picked["sponsor_report"] == f"c{world.cohort.id}"
    run_in_own_loop(ExportsState.event_handlers["request"].fn(page, "sponsor_report"))
    assert page.error == "" and "Sponsor report" in page.notice
    session.commit()
    made = session.exec(select(Export).where(Export.kind == "sponsor_report")).one()
    assert made.cohort_id == world.cohort.id


def test_a_director_who_also_sponsors_is_offered_both_reports(
    session: Session, world: World
) -> None:
    """Someone who directs the cohort and sponsors through their organisation too is offered
    the whole report of what their organisation funds and the report of each cohort they
    direct (only the whole one was offered), and each is made as they picked it."""
    sponsor, _ = sponsor_of(session, world)
    funder = session.exec(
        select(Sponsorship.organization_id).where(Sponsorship.cohort_id == world.cohort.id)
    ).one()
    session.add(
        RoleAssignment(user_id=world.director.id or 0, role=Role.sponsor, organization_id=funder)
    )
    session.commit()
    both = principal(session, world.director)
    [choice] = [c for c in exports.choices(session, both) if c.kind == "sponsor_report"]
    assert [(s.cohort_id, s.label) for s in choice.scopes][0] == (
        None,
        exports.EVERY_FUNDED_COHORT,
    )
    assert [s.cohort_id for s in choice.scopes[1:]] == [world.cohort.id]
    whole = exports.request_export(session, both, ExportRequest(kind="sponsor_report"))
    one = exports.request_export(
        session, both, ExportRequest(kind="sponsor_report", cohort_id=world.cohort.id)
    )
    session.commit()
    made = {e.id: e.cohort_id for e in session.exec(select(Export)).all()}
    assert (made[whole.id], made[one.id]) == (None, world.cohort.id)
    # A sponsor only is still offered the whole report alone, with nothing to pick.
    [alone] = [
        c
        for c in exports.choices(session, principal(session, sponsor))
        if c.kind == "sponsor_report"
    ]
    assert alone.scopes == []
