"""Issue 17, item 10: audit entries name their targets, read as "key: value" lines, and the
chart keeps a short legend; "Last sign-in" is set by every way a session starts."""

from __future__ import annotations

from sqlmodel import Session

from cyberhub.models import AuditLog, User
from cyberhub.services.admin import audit_log
from cyberhub.services.identity import accounts, browser_sessions
from tests.factories import make_user, principal


def test_targets_are_named_and_a_deleted_one_keeps_its_id(session: Session, admin_user) -> None:
    juma = make_user(session, "juma@example.org", "student")
    juma.full_name = "Juma Mwangi"
    session.add_all(
        [
            AuditLog(action="t.user", target_type="user", target_id=str(juma.id)),
            AuditLog(action="t.gone", target_type="user", target_id="999999"),
        ]
    )
    session.flush()
    found = audit_log.search(session, principal(session, admin_user), action="t.user").items
    assert [e.target_name for e in found] == ["Juma Mwangi"]
    gone = audit_log.search(session, principal(session, admin_user), action="t.gone").items
    assert [e.target_name for e in gone] == ["user 999999"]


def test_details_read_as_lines_without_python_syntax() -> None:
    text = audit_log.readable_details(
        {
            "role": "mentor",
            "roles": ["student", "mentor"],
            "changes": {"title": ["Old", "New"]},
            "mfa": True,
            "reason": None,
        }
    )
    assert text.splitlines() == [
        "role: mentor",
        "roles: student, mentor",
        "changes.title: Old, New",
        "mfa: yes",
    ]


def test_the_chart_keeps_the_top_actions_and_sums_the_rest(session: Session, admin_user) -> None:
    for i in range(9):
        session.add_all(AuditLog(action=f"chart.a{i}") for _ in range(i + 1))
    session.flush()
    stats = audit_log.stats(session, principal(session, admin_user))
    assert len(stats.actions) == audit_log.CHART_TOP_ACTIONS
    other = stats.actions[-1]
    assert other.key == audit_log.OTHER_KEY and other.name.startswith("Other (")
    # Every entry is counted once, in its own series or in "other".
    assert sum(v for day in stats.series for k, v in day.items() if k != "day") == stats.total
    assert {t.action for t in stats.totals} >= {f"chart.a{i}" for i in range(9)}


def test_every_way_of_starting_a_session_sets_last_sign_in(session: Session) -> None:
    api = make_user(session, "api@example.org", "student")
    browser = make_user(session, "browser@example.org", "student")
    assert api.last_login_at is None and browser.last_login_at is None
    accounts.start_session(session, api)  # API sign-in, sign-up, magic link by API
    browser_sessions.begin_sign_in(session, browser)  # /signin, /signup, invitation, magic link
    session.flush()
    assert session.get(User, api.id).last_login_at is not None  # type: ignore[union-attr]
    assert session.get(User, browser.id).last_login_at is not None  # type: ignore[union-attr]
