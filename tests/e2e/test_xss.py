"""Issue 11, item 1 — user-written text is shown, never run. The XSS corpus (tests/xss_corpus.py)
is written through the services into every free-text field that another role reads: a
director's mission (title, summary, brief, hints, rubric criteria), a learner's answers and link,
a mentor's feedback (mission page, dashboard quote, bell, /notifications) and comments per
rubric criterion (mission page), a mentor's feedback snippets (review page), the Coaching OS's
habit and goal titles, a goal's why, reflections and a check-in's note (/coaching, the learner's
home, after a reload), people's full names (an applicant's on the cohort
page too), the organization, programme and cohort names (also on /cohorts), an admin's
reason for deactivating an account (that account's page) and the user agent a browser signed in
with (Settings → Security, where you're signed in). Each page is then opened in Chromium as the reader: no dialog opens, no payload
sets `window.__xss`, nothing is requested from another host, no frame/object/style/script comes
out of the text — and the text is still there to read. The invisible characters
(INVISIBLE_PAYLOADS: controls, bidi overrides) are typed by the learner into a reflection and a
habit's title: refused, naming the character, and never shown."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import quote as url_quote
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from sqlmodel import Session

from cyberhub.models import User
from cyberhub.schemas.coaching import (
    CheckinCreate,
    GoalCreate,
    GoalUpdate,
    HabitCreate,
    ReflectionCreate,
)
from cyberhub.services import text as free_text
from cyberhub.services.admin.audit import RequestMeta
from cyberhub.services.coaching import goals, habits, reflections
from cyberhub.services.identity import browser_sessions, deactivation
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning import (
    applications,
    reviews,
    snippets,
    submissions,
)
from tests.e2e.conftest import BrowserPage
from tests.e2e.journeys import app_engine, remove_made, sign_in_to
from tests.factories import (
    assign,
    enroll,
    make_cohort,
    make_mission,
    make_org,
    make_program,
    make_track,
    make_user,
    principal,
    serve,
)
from tests.xss_corpus import FOREIGN_HOST, INVISIBLE_PAYLOADS, XSS_PAYLOADS, all_payloads

# Short enough for every name field (200 characters), hostile in three ways.
NAME_PAYLOAD = '<img src=x onerror="window.__xss=1;alert(1)"><script>window.__xss=1</script>**b**'
LINK_PAYLOAD = 'https://ok.example/?q="><script>window.__xss=1</script>'
# Whatever the text, nothing it makes may end up as one of these inside the page's main area
# (nor a <style>, apart from the one Radix's scroll area brings).
ACTIVE = (
    "main iframe, main frame, main object, main embed, main script, main form[action], "
    "main meta, main base, main img, main a[href^='javascript' i], main a[href^='data' i], "
    "main [onerror], main [onload], main [onclick], main [onmouseover], main [ontoggle], "
    "main [srcdoc], main [style*='url(' i]"
)

_FOREIGN_STYLES = """() => [...document.querySelectorAll("main style")]
    .map((s) => s.textContent)
    .filter((t) => !t.startsWith("[data-radix-scroll-area-viewport]"))"""


def _chunks(limit: int) -> list[str]:
    """The corpus packed into texts of at most `limit` characters (for size-limited fields)."""
    out: list[str] = []
    for payload in XSS_PAYLOADS.values():
        if out and len(out[-1]) + 2 + len(payload) <= limit:
            out[-1] += "\n\n" + payload
        else:
            out.append(payload)
    return out


@dataclass
class World:
    tag: str
    mark: str
    student_email: str
    mentor_email: str
    director_email: str
    admin_email: str
    student_id: int
    leaver_id: int
    org_id: int
    cohort_id: int
    mission_id: int
    submission_id: int


def _coaching(session: Session, as_student: Principal, tag: str, mark: str) -> None:
    """The learner's habit (title, check-in note), goal (title, why), a dropped goal (listed
    under "Achieved and dropped") and reflections."""
    habit = habits.create_habit(
        session, as_student, HabitCreate(title=f"Habit {tag} {NAME_PAYLOAD}")
    )
    habits.check_in(session, as_student, habit.id, CheckinCreate(note=f"{mark} {NAME_PAYLOAD}"))
    goals.create_goal(
        session,
        as_student,
        GoalCreate(title=f"Goal {tag} {NAME_PAYLOAD}", why=f"{mark}\n\n{_chunks(1900)[0]}"),
    )
    dropped = goals.create_goal(
        session, as_student, GoalCreate(title=f"Dropped {tag} {NAME_PAYLOAD}")
    )
    goals.update_goal(session, as_student, dropped.id, GoalUpdate(status="dropped"))
    for text in _chunks(1900):
        reflections.add_reflection(
            session, as_student, ReflectionCreate(body=f"{mark}\n\n{text}", visibility="mentor")
        )


@pytest.fixture
def world(app_url: str, pg_admin_url: str) -> Iterator[World]:
    tag = uuid.uuid4().hex[:6]
    mark = f"Canary {tag}"

    def named(label: str) -> str:
        return f"{label} {tag} {NAME_PAYLOAD}"

    with app_engine(pg_admin_url) as engine:
        with Session(engine, expire_on_commit=False) as session:
            org = make_org(session, named("Org"))
            program = make_program(session, org, named("Programme"))
            track = make_track(session, program, "builders")
            cohort = make_cohort(session, program, name=named("Cohort"))
            descriptions = _chunks(1000)
            mission = make_mission(
                session,
                program,
                track,
                title=named("Mission"),
                rubric=[
                    {
                        "key": f"c{i}",
                        "title": f"Criterion {i} {NAME_PAYLOAD}",
                        "description": text,
                        "points": 5,
                    }
                    for i, text in enumerate(descriptions[:12], start=1)
                ],
                hints=_chunks(1000)[:10],
                owner=org,  # the organisation's own: its director edits it
            )
            mission.summary = named("Summary")
            mission.brief = all_payloads(mark)
            session.add(mission)

            def person(label: str, role: str) -> User:
                user: User = make_user(
                    session, f"{label.lower()}-{tag}@example.org", role, organization_id=org.id
                )
                user.full_name = named(label)
                session.add(user)
                return user

            student, mentor = person("Student", "student"), person("Mentor", "mentor")
            director = person("Director", "director")
            applicant = person("Applicant", "student")
            leaver = person("Leaver", "student")  # an admin deactivates their account
            admin: User = make_user(session, f"admin-{tag}@example.org", "admin")
            session.commit()
            # The cohort takes applications: the learner reads its names at /cohorts, the
            # director the applicant's name in the applications panel.
            applications.set_enrolment(
                session, principal(session, director), cohort.id or 0, mode="application"
            )
            applications.apply(session, principal(session, applicant), cohort.id or 0)
            session.commit()
            enroll(session, cohort, student)
            serve(session, cohort, mentor)
            assign(session, cohort, mentor, student)
            as_student, as_mentor = principal(session, student), principal(session, mentor)
            mission_id = mission.id or 0
            for _ in mission.hints:
                submissions.reveal_hint(session, as_student, mission_id)
            first = submissions.submit(
                session, as_student, mission_id, answer=all_payloads(mark), links=[LINK_PAYLOAD]
            )
            reviews.claim(session, as_mentor, first.id or 0)
            reviews.review(
                session,
                as_mentor,
                first.id or 0,
                decision="changes_requested",
                scores={str(c["key"]): 1 for c in mission.rubric},
                feedback=f"**{mark}** feedback\n\n" + all_payloads(),
                comments={
                    str(c["key"]): f"{mark} comment\n\n{text}"
                    for c, text in zip(mission.rubric, _chunks(1900), strict=False)
                },
            )
            for text in _chunks(4900):
                snippets.create_snippet(
                    session, as_mentor, first.id or 0, f"{mark} snippet\n\n{text}"
                )
            second = submissions.submit(
                session,
                as_student,
                mission_id,
                answer=all_payloads(mark) + "\n\nSecond attempt.",
                links=[LINK_PAYLOAD],
            )
            _coaching(session, as_student, tag, mark)
            # A sign-in from a "browser" whose user agent is the corpus (Settings → Security).
            browser_sessions.complete_sign_in(
                session,
                browser_sessions.begin_sign_in(session, student),
                RequestMeta("198.51.100.20", f"{mark} {_chunks(380)[0]}"),
            )
            deactivation.deactivate_user(
                session, principal(session, admin), leaver.id or 0, f"{mark} {NAME_PAYLOAD}"
            )
            session.commit()
            ids = [student.id, mentor.id, director.id, applicant.id, leaver.id, admin.id]
            world = World(
                tag=tag,
                mark=mark,
                student_email=student.email,
                mentor_email=mentor.email,
                director_email=director.email,
                admin_email=admin.email,
                student_id=student.id or 0,
                leaver_id=leaver.id or 0,
                org_id=org.id or 0,
                cohort_id=cohort.id or 0,
                mission_id=mission_id,
                submission_id=second.id or 0,
            )
            program_id = program.id
        yield world
        remove_made(engine, world.org_id, program_id, ids)


class Reader:
    """One role's browser, watching for dialogs and for requests to any other host."""

    def __init__(self, browser: Browser, app_url: str, email: str, first: str) -> None:
        self.bp = BrowserPage(browser, app_url)
        self.page: Page = self.bp.page
        self.host = urlsplit(app_url).netloc
        self.dialogs: list[str] = []
        self.foreign: list[str] = []
        self.page.on("dialog", self._on_dialog)
        self.bp.context.on("request", lambda r: self._on_request(r.url))
        sign_in_to(self.page, f"{first}", email)
        # Signing in ends with a full page load: the path may gain a trailing slash.
        expect(self.page).to_have_url(re.compile(re.escape(first) + "/?$"), timeout=15_000)

    def _on_dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def _on_request(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.netloc != self.host:
            self.foreign.append(url)

    def open(self, path: str) -> Page:
        self.page.goto(path)
        return self.page

    def check(self, where: str) -> None:
        """Nothing ran, nothing was fetched elsewhere, nothing active came out of the text."""
        page = self.page
        page.wait_for_load_state("networkidle")
        assert page.evaluate("() => typeof window.__xss") == "undefined", where
        assert self.dialogs == [], (where, self.dialogs)
        assert self.foreign == [], (where, self.foreign)
        active = page.locator(ACTIVE)
        assert active.count() == 0, (where, [a.evaluate("e => e.outerHTML") for a in active.all()])
        styles = page.evaluate(_FOREIGN_STYLES)
        assert styles == [], (where, styles)

    def close(self) -> None:
        self.bp.context.close()


def _literal(box: Locator, mark: str) -> None:
    """The text is there to read: the marker, raw HTML as the typed text, words of bad links."""
    expect(box).to_contain_text(mark)
    expect(box).to_contain_text(XSS_PAYLOADS["script tag"])
    expect(box).to_contain_text('<iframe srcdoc="<script>')
    expect(box).to_contain_text("md js")
    expect(box.get_by_role("link", name="md js")).to_have_count(0)
    image = box.get_by_role("link", name="foreign image").first
    expect(image).to_have_attribute("href", f"https://{FOREIGN_HOST}/tracker.png")
    expect(image).to_have_attribute("rel", "noopener noreferrer nofollow")


def _search_takes_markup_as_text(
    reader: Reader,
    path: str,
    label: str,
    rows: Callable[[Page], Locator],
    *,
    typed: str,
    listed: str,
    nothing: str,
) -> None:
    """The search box `label` on `path` echoes what was typed (the box, the address): markup
    typed is searched for as text, and the one row it finds shows `listed` as text. A script
    searched for in the address finds `nothing` and stays in the box, as text."""
    page = reader.open(path)
    box = page.get_by_label(label)
    box.fill(typed)
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"[?&]q=" + re.escape(url_quote(typed.split()[0]))))
    found = rows(page)
    expect(found).to_have_count(1)
    expect(found).to_contain_text(listed)
    expect(found.locator("img, script")).to_have_count(0)
    expect(box).to_have_value(typed)
    reader.check(f"{path} (searched for markup)")
    page = reader.open(f"{path}?q=" + url_quote(XSS_PAYLOADS["script tag"]))
    expect(page.get_by_text(nothing)).to_be_visible()
    expect(page.get_by_label(label)).to_have_value(XSS_PAYLOADS["script tag"])
    reader.check(f"{path} (a search for a script in the address)")


# The text of the page's elements (not what is typed in its fields) holding a character
# services/text.py refuses: a control other than tab and line feed, or a bidi control.
_SHOWN_INVISIBLE = r"""() => {
    const bad = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const found = [];
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
        if (!n.parentElement.closest("textarea, input, script, style") && bad.test(n.data)) {
            found.push(JSON.stringify(n.data.slice(0, 80)));
        }
    }
    return found;
}"""


def _shown_invisible(page: Page) -> list[str]:
    result: list[str] = page.evaluate(_SHOWN_INVISIBLE)
    return result


def _types_invisible(page: Page, mark: str) -> None:
    """Each INVISIBLE_PAYLOADS text typed as a reflection and as a habit's title, and saved."""
    fields = [
        ("Your reflection", "Save reflection", "reflection", False),
        ("What will you do?", "Start habit", "habit's title", True),
    ]
    for label, button, what, one_line in fields:
        box = page.get_by_label(label, exact=True)
        for name, payload in INVISIBLE_PAYLOADS.items():
            typed = f"Invisible {mark} {payload}"
            box.fill(typed)
            page.get_by_role("button", name=button).click()
            said = free_text.refusal(typed, what, one_line=one_line)
            assert said is not None, name
            expect(page.get_by_role("alert").filter(has_text=said)).to_be_visible()
            expect(box).to_have_value(typed)


@pytest.fixture
def readers(browser: Browser, app_url: str) -> Iterator[list[Reader]]:
    opened: list[Reader] = []
    yield opened
    for r in opened:
        r.close()


def test_user_text_is_shown_not_run_for_every_reader(
    browser: Browser, app_url: str, world: World, readers: list[Reader]
) -> None:
    w = world
    name = re.compile(f"Student {w.tag}")

    # The learner reads the director's mission and the mentor's feedback.
    student = Reader(browser, app_url, w.student_email, f"/missions/{w.mission_id}")
    readers.append(student)
    page = student.page
    brief = page.locator(".mission-brief")
    expect(brief).to_contain_text(w.mark)
    student.check("mission page (learner)")  # first, so that a regression says what ran
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Mission {w.tag} <img")
    expect(page.get_by_text(f"Summary {w.tag} <img")).to_be_visible()
    _literal(brief, w.mark)
    expect(brief.get_by_role("link", name="the docs")).to_have_count(0)  # none in the corpus
    expect(page.locator("main")).to_contain_text(f"Criterion 1 {NAME_PAYLOAD}")
    expect(page.locator("main")).to_contain_text(XSS_PAYLOADS["svg onload"])  # a hint
    history = page.get_by_test_id("attempt-history")
    expect(history.locator(".review-feedback").first).to_contain_text(w.mark)
    expect(history.get_by_test_id("criterion-comment").first).to_contain_text(f"{w.mark} comment")
    _literal(history.locator(".attempt-answer").first, w.mark)
    student.check("mission page (learner)")

    page = student.open("/dashboard/student")
    feedback = page.get_by_test_id("latest-feedback")
    # The quote is the feedback rendered: "**Canary x** feedback" in bold, without asterisks.
    quote = feedback.get_by_test_id("feedback-quote").first
    expect(quote).to_contain_text(f"{w.mark} feedback")
    expect(quote.locator("strong").first).to_contain_text(w.mark)
    expect(page.locator("main")).to_contain_text(f"Cohort {w.tag} <img")
    expect(page.get_by_test_id("coaching-block")).to_contain_text(f"Goal {w.tag} <img")
    student.check("student dashboard")

    page.get_by_test_id("notification-bell").click()
    item = page.get_by_test_id("notification-item").filter(has_text=f"Mission {w.tag}")
    expect(item).to_contain_text(f"{w.mark} feedback")
    student.check("notification bell")
    page.keyboard.press("Escape")

    page = student.open("/cohorts")
    offer = page.get_by_test_id("cohort-offer").filter(has_text=f"Cohort {w.tag}")
    expect(offer).to_contain_text(f"Programme {w.tag} <img")
    expect(offer).to_contain_text(f"Org {w.tag} <img")
    expect(offer.get_by_test_id("my-status")).to_have_text("Enrolled")
    student.check("/cohorts")
    _search_takes_markup_as_text(
        student,
        "/cohorts",
        "Search cohorts",
        lambda p: p.get_by_test_id("cohort-offer"),
        typed=f"Org {w.tag} <img",
        listed=f"Cohort {w.tag} <img",
        nothing="No cohort matches",
    )

    page = student.open("/notifications")
    row = page.get_by_test_id("notification-row").filter(has_text=f"Mission {w.tag}")
    expect(row).to_contain_text(f"{w.mark} feedback")
    student.check("/notifications")

    page = student.open("/insights")  # the analysis quotes reflections (as text)
    expect(page.get_by_test_id("coaching-link")).to_be_visible()
    student.check("/insights")

    page = student.open("/settings/security")  # where you're signed in: a user agent
    agent = page.get_by_test_id("sign-in-row").filter(has_text=w.mark)
    expect(agent).to_contain_text("Unknown device")
    expect(agent).to_contain_text("<script>")
    student.check("/settings/security")

    for _ in range(2):  # the Coaching OS: habit and goal titles, a goal's why, reflections,
        # a check-in's note (the habit's recent history and the week's notes)
        page = student.open("/coaching")
        shown = page.get_by_test_id("reflection").filter(has_text=w.mark)
        expect(shown).to_have_count(min(10, len(_chunks(1900))))  # the newest ten
        expect(page.get_by_test_id("habit")).to_contain_text(f"Habit {w.tag} <img")
        expect(page.get_by_test_id("habit-checkin").filter(has_text=w.mark)).to_contain_text(
            "<img src=x"
        )
        expect(page.get_by_test_id("week-note").filter(has_text=w.mark)).to_be_visible()
        goal = page.get_by_test_id("goal").filter(has_text=f"Goal {w.tag}")
        expect(goal).to_contain_text(f"Goal {w.tag} <img")
        expect(page.get_by_test_id("closed-goals")).to_contain_text(f"Dropped {w.tag} <img")
        _literal(page.locator("main"), w.mark)
        student.check("/coaching")

    # The invisible characters (controls, bidi overrides) typed into a reflection and a habit's
    # title are refused, each named, the form keeping what was typed; nothing the page shows
    # holds one, then or after a reload (nothing was stored).
    _types_invisible(page, w.mark)
    assert _shown_invisible(page) == []
    page = student.open("/coaching")
    expect(page.get_by_test_id("habit")).to_contain_text(f"Habit {w.tag} <img")
    expect(page.get_by_test_id("reflection").filter(has_text="Invisible")).to_have_count(0)
    assert _shown_invisible(page) == []
    student.check("/coaching (invisible characters typed)")

    # The mentor reads the learner's answers, link and name.
    mentor = Reader(browser, app_url, w.mentor_email, "/dashboard/mentor")
    readers.append(mentor)
    page = mentor.page
    expect(page.get_by_test_id("queue-row").filter(has_text=f"Mission {w.tag}")).to_contain_text(
        name
    )
    mentor.check("mentor dashboard")
    page = mentor.open(f"/review/{w.submission_id}")
    _literal(page.get_by_test_id("submission-answer"), w.mark)
    expect(page.get_by_role("link", name=LINK_PAYLOAD).first).to_be_visible()
    expect(page.locator("main")).to_contain_text(name)
    earlier = page.get_by_test_id("earlier-attempts")
    expect(earlier).to_contain_text(w.mark)
    mentor.check("review page")
    # Claimed, the form shows the mission's snippets; the hints the learner revealed are shown.
    page.get_by_test_id("claim-button").click()
    saved = page.get_by_test_id("snippets").get_by_test_id("snippet")
    expect(saved).to_have_count(len(_chunks(4900)))
    expect(saved.first).to_contain_text(f"{w.mark} snippet")
    expect(page.get_by_test_id("hints-used")).to_contain_text(XSS_PAYLOADS["svg onload"])
    mentor.check("review page (claimed: snippets, hints)")

    # The director reads names on the roster and the brief in the editor's preview.
    director = Reader(browser, app_url, w.director_email, "/dashboard/director")
    readers.append(director)
    page = director.page
    expect(page.locator("main")).to_contain_text(f"Programme {w.tag} <img")
    director.check("director dashboard")
    page = director.open(f"/director/cohorts/{w.cohort_id}")
    expect(page.get_by_test_id("roster")).to_contain_text(name)
    expect(page.get_by_test_id("pending-applications")).to_contain_text(f"Applicant {w.tag} <img")
    director.check("cohort roster and applications")
    page = director.open("/director/missions")
    page.get_by_role("link", name=re.compile(f"^Edit Mission {w.tag}")).click()
    _literal(page.get_by_test_id("brief-preview"), w.mark)
    director.check("mission editor preview")

    # An admin reads names on the user's and the organization's pages.
    admin = Reader(browser, app_url, w.admin_email, f"/admin/users/{w.student_id}")
    readers.append(admin)
    expect(admin.page.locator("main")).to_contain_text(name)
    admin.check("admin user page")
    page = admin.open(f"/admin/users/{w.leaver_id}")
    expect(page.get_by_test_id("account-status")).to_have_text("disabled")
    expect(page.locator("main")).to_contain_text(f"{w.mark} <img")  # the reason, in its entry
    admin.check("admin user page (a deactivation's reason)")
    # The grant form's organisation search: markup is searched for as text, the box keeps it,
    # and the organisation found by it is offered by its name as text.
    grant_box = page.get_by_label("Find an organization")
    grant_box.fill(f"Org {w.tag} <img")
    grant_box.press("Enter")
    expect(grant_box).to_have_value(f"Org {w.tag} <img")
    page.get_by_label("Organization", exact=True).click()
    offered = page.get_by_role("option").filter(has_text=f"Org {w.tag} <img")
    expect(offered).to_have_count(1)
    expect(offered.locator("img, script")).to_have_count(0)
    page.keyboard.press("Escape")
    admin.check("admin user page (the grant form's organisation search)")
    page = admin.open(f"/admin/organizations/{w.org_id}")
    expect(page.locator("main")).to_contain_text(f"Org {w.tag} <img")
    admin.check("admin organization page")
    # The users page's two search boxes keep what was typed; the organisation filter offers the
    # organisation found by its markup as text, and lists its people.
    page = admin.open("/admin/users")
    users_box = page.get_by_label("Search users")
    users_box.fill(XSS_PAYLOADS["img onerror"])
    users_box.press("Enter")
    expect(page.get_by_text("No users match")).to_be_visible()
    expect(users_box).to_have_value(XSS_PAYLOADS["img onerror"])
    admin.check("admin users (a search for markup)")
    users_box.fill("")
    users_box.press("Enter")
    org_box = page.get_by_label("Find an organization for the filter")
    org_box.fill(f"Org {w.tag} <img")
    org_box.press("Enter")
    page.get_by_label("Filter by organization").click()
    option = page.get_by_role("option").filter(has_text=f"Org {w.tag} <img")
    expect(option).to_have_count(1)
    expect(option).to_contain_text(NAME_PAYLOAD)
    expect(option.locator("img, script")).to_have_count(0)
    option.click()
    expect(page.get_by_test_id("users-table")).to_contain_text(name)
    expect(org_box).to_have_value(f"Org {w.tag} <img")
    admin.check("admin users (an organisation found by its markup)")
    # A search that matches no organisation says so, quoting what was typed as text.
    org_box.fill(XSS_PAYLOADS["img onerror"])
    org_box.press("Enter")
    none = page.get_by_test_id("org-filter-capped-none")
    expect(none).to_have_text(f"No organization's name contains “{XSS_PAYLOADS['img onerror']}”.")
    expect(none.locator("img, script")).to_have_count(0)
    admin.check("admin users (an organisation search that finds none)")
    _search_takes_markup_as_text(
        admin,
        "/admin/organizations",
        "Search organizations",
        lambda p: p.locator("main table tbody tr"),
        typed=f"Org {w.tag} <img",
        listed=f"Org {w.tag} <img",
        nothing="No organization matches",
    )
