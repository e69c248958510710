"""The admin console in a real browser: giving a user the mentor role (they see the mentor navigation
after a reload), the audit log with its chart and table, organizations, API keys, and 403s."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Browser, Page, expect

from cyberhub.services.admin.demo import DEMO_PASSWORD
from tests.e2e.conftest import BrowserPage, sign_in

ADMIN = "admin@cyberhub.example"
PASSWORD = "violet-harbour-lantern-58"


def sign_up_by_api(web: BrowserPage, app_url: str, name: str) -> tuple[str, int]:
    email = f"{name.split()[0].lower()}-{uuid.uuid4().hex[:8]}@example.org"
    r = web.context.request.post(
        f"{app_url}/api/v1/auth/signup",
        data={
            "email": email,
            "password": PASSWORD,
            "full_name": name,
            "consents": ["terms", "privacy"],
        },
    )
    assert r.status == 201, r.text()
    return email, int(r.json()["user"]["id"])


def signed_in(page: Page, email: str, password: str, next_path: str = "") -> None:
    page.goto("/signin" + (f"?next={next_path}" if next_path else ""))
    sign_in(page, email, password)
    # The path only: the sign-in page's own address (/signin?next=/x) ends with it too.
    expect(page).to_have_url(re.compile(rf"^[^?]*{next_path or '/dashboard'}"))


def test_admin_gives_a_user_the_mentor_role_and_they_see_mentoring(
    web: BrowserPage, browser: Browser, app_url: str
) -> None:
    email, user_id = sign_up_by_api(web, app_url, "Zawadi Mwangi")
    learner = BrowserPage(browser, app_url)
    try:
        lp = learner.page
        signed_in(lp, email, PASSWORD)
        nav = lp.locator("nav[aria-label=Main]")
        expect(nav.get_by_role("link", name="Missions")).to_be_visible()
        expect(nav.get_by_role("link", name="Mentoring")).to_have_count(0)
        # A student opening an admin page sees 403.
        lp.goto("/admin/audit")
        expect(lp.get_by_role("heading", name=re.compile("403"))).to_be_visible()
        expect(lp.get_by_role("heading", name="Audit log")).to_have_count(0)

        # The admin finds the user in the list and opens their page.
        page = web.page
        signed_in(page, ADMIN, DEMO_PASSWORD, "/admin/users")
        page.get_by_label("Search users").fill(email)
        page.get_by_role("button", name="Search").click()
        page.get_by_role("link", name="Zawadi Mwangi").click()
        expect(page).to_have_url(re.compile(rf"/admin/users/{user_id}$"))
        expect(page.get_by_role("heading", name="Zawadi Mwangi", level=1)).to_be_visible()
        expect(page.get_by_text("not locked")).to_be_visible()
        expect(page.get_by_role("button", name=re.compile("^Revoke student"))).to_be_visible()

        # Assign: a reason is required.
        page.get_by_role("combobox", name="Role").click()
        page.get_by_role("option", name="Mentor").click()
        page.get_by_role("button", name="Assign role").click()
        expect(page.get_by_role("alert")).to_contain_text("Give a reason")
        page.get_by_label("Reason", exact=True).fill("Mentors the spring cohort")
        page.get_by_role("button", name="Assign role").click()
        expect(page.get_by_role("status").filter(has_text="mentor role")).to_be_visible()
        expect(
            page.get_by_role("cell", name="Mentors the spring cohort", exact=True)
        ).to_be_visible()
        expect(page.get_by_role("button", name=re.compile("^Revoke mentor"))).to_be_visible()
        expect(page.get_by_role("cell", name="role.assigned").first).to_be_visible()

        # The user reloads: the mentor navigation is there and leads to their mentor home.
        lp.reload()
        expect(nav.get_by_role("link", name="Mentoring")).to_be_visible()
        nav.get_by_role("link", name="Mentoring").click()
        expect(lp).to_have_url(re.compile("/dashboard/mentor"))
        expect(lp.get_by_role("heading", name="Mentoring", level=1)).to_be_visible()
        expect(lp.get_by_role("cell", name=re.compile("Nairobi Spring Cohort"))).to_be_visible()
        expect(lp.get_by_role("heading", name="Learners you may be matched with")).to_be_visible()
        expect(lp.get_by_role("cell", name="student@cyberhub.example")).to_be_visible()
        expect(lp.get_by_text("Review queues")).to_be_visible()

        # The audit log shows the change, with the chart and the table of the same numbers.
        page.goto("/admin/audit")
        expect(page.get_by_role("heading", name="Audit log")).to_be_visible()
        expect(page.locator("nav[aria-label=Admin]").get_by_role("link")).to_have_count(5)
        page.get_by_role("combobox", name="Action").click()
        page.get_by_role("option", name="role.assigned").click()
        # Only role.assigned entries are left once the filter applies.
        entries = page.get_by_test_id("audit-entries")
        expect(entries.get_by_role("row").filter(has_text="login.success")).to_have_count(0)
        target = page.get_by_role("cell", name="Zawadi Mwangi", exact=True)
        row = entries.get_by_role("row").filter(has=target)
        expect(row).to_have_count(1)
        expect(row).to_contain_text("role.assigned")
        expect(row).to_contain_text(ADMIN)
        expect(row).to_contain_text("Mentors the spring cohort")
        expect(page.get_by_test_id("audit-chart").locator("svg").first).to_be_visible()
        expect(
            page.get_by_test_id("audit-chart").locator(".recharts-bar-rectangle").first
        ).to_be_attached()
        stats = page.get_by_test_id("audit-stats-table")
        expect(stats.get_by_role("row").filter(has_text="role.assigned").first).to_be_visible()

        # Revoking asks for confirmation and a reason; after a reload the navigation is gone.
        page.goto(f"/admin/users/{user_id}")
        page.get_by_role("button", name=re.compile("^Revoke mentor")).click()
        dialog = page.get_by_role("alertdialog")
        expect(dialog).to_contain_text("Revoke the mentor role?")
        dialog.get_by_role("button", name="Revoke role").click()
        expect(dialog.get_by_role("alert")).to_contain_text("Give a reason")
        dialog.get_by_label("Reason for revoking").fill("Cohort finished")
        dialog.get_by_role("button", name="Revoke role").click()
        expect(dialog).to_have_count(0)
        expect(page.get_by_role("button", name=re.compile("^Revoke mentor"))).to_have_count(0)
        lp.reload()
        expect(lp.get_by_role("heading", name=re.compile("403"))).to_be_visible()
        expect(nav.get_by_role("link", name="Mentoring")).to_have_count(0)
        assert web.console_errors == []
    finally:
        learner.context.close()


def test_the_admin_role_is_offered_globally_only(web: BrowserPage, app_url: str) -> None:
    """Choosing the admin role sets the organisation to "Global" (the only place it can be
    granted); choosing another role again brings back the organisation it had."""
    _, user_id = sign_up_by_api(web, app_url, "Baraka Otieno")
    page = web.page
    signed_in(page, ADMIN, DEMO_PASSWORD, f"/admin/users/{user_id}")
    expect(page.get_by_role("heading", name="Baraka Otieno", level=1)).to_be_visible()
    org = page.get_by_role("combobox", name="Organization")
    expect(org).not_to_have_text("")
    first = org.inner_text()
    assert "Global" not in first
    page.get_by_role("combobox", name="Role").click()
    page.get_by_role("option", name="Admin").click()
    expect(org).to_have_text("Global (admin role only)")
    page.get_by_role("combobox", name="Role").click()
    page.get_by_role("option", name="Mentor").click()
    expect(org).to_have_text(first)
    assert web.console_errors == []


def test_admin_manages_organizations_and_members(web: BrowserPage, app_url: str) -> None:
    email, _ = sign_up_by_api(web, app_url, "Kamau Otieno")
    page = web.page
    signed_in(page, ADMIN, DEMO_PASSWORD, "/admin/organizations")
    expect(page.get_by_role("heading", name="Organizations", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Ongoza CyberHub Academy")).to_be_visible()
    name = f"Lake Campus {uuid.uuid4().hex[:6]}"
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_role("button", name="Create organization").click()
    expect(page.get_by_role("status")).to_contain_text(f"Created {name}")
    # The list found by the new name goes in the address bar; the notice stays.
    expect(page).to_have_url(re.compile(r"/admin/organizations\?q=Lake"))
    expect(page.get_by_role("status")).to_contain_text(f"Created {name}")
    page.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", name=name, level=1)).to_be_visible()
    expect(page.get_by_text("No members yet")).to_be_visible()

    page.get_by_label("Email").fill("nobody-here@example.org")
    page.get_by_role("button", name="Add member").click()
    # No account: an invitation is sent instead (membership by consent, issue 12).
    expect(page.get_by_role("status")).to_contain_text("Invited nobody-here@example.org")
    expect(page.get_by_role("cell", name="nobody-here@example.org", exact=True)).to_be_visible()
    page.get_by_role("button", name="Revoke the invitation to nobody-here@example.org").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Revoke invitation").click()
    expect(page.get_by_role("status")).to_contain_text("Revoked the invitation")
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Add member").click()
    expect(page.get_by_role("status")).to_contain_text(f"Added {email} as student")
    expect(page.get_by_role("cell", name=re.compile("Kamau Otieno"))).to_be_visible()

    page.get_by_role("button", name=f"Remove {email}").click()
    dialog = page.get_by_role("alertdialog")
    dialog.get_by_label("Reason for removing").fill("Joined by mistake")
    dialog.get_by_role("button", name="Remove member").click()
    expect(page.get_by_role("status")).to_contain_text(f"Removed {email}")
    expect(page.get_by_text("No members yet")).to_be_visible()


def test_director_sees_only_their_organization(web: BrowserPage) -> None:
    page = web.page
    signed_in(page, "director@cyberhub.example", DEMO_PASSWORD)
    page.locator("nav[aria-label=Main]").get_by_role("link", name="Organizations").click()
    expect(page.get_by_role("heading", name="Organizations", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="Ongoza CyberHub Academy")).to_be_visible()
    expect(page.get_by_role("button", name="Create organization")).to_have_count(0)
    expect(page.locator("nav[aria-label=Admin]").get_by_role("link")).to_have_count(1)
    page.goto("/admin/users")
    expect(page.get_by_role("heading", name=re.compile("403"))).to_be_visible()


def test_api_key_is_shown_once_then_listed_and_revoked(web: BrowserPage, app_url: str) -> None:
    email, _ = sign_up_by_api(web, app_url, "Njeri Wambui")
    page = web.page
    signed_in(page, email, PASSWORD, "/settings/api-keys")
    expect(page.get_by_role("heading", name="API keys", level=1)).to_be_visible()
    expect(page.get_by_text("No API keys yet")).to_be_visible()
    page.get_by_role("button", name="Create key").click()
    expect(page.get_by_role("alert")).to_contain_text("Give the key a name")
    page.get_by_label("Name").fill("Reporting script")
    # A key acts as you: it needs the current password.
    page.get_by_role("button", name="Create key").click()
    expect(page.get_by_role("alert")).to_contain_text("Confirm it's you")
    page.get_by_label("Current password (or authenticator code)").fill(PASSWORD)
    page.get_by_role("button", name="Create key").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("can't be shown again")
    secret = page.get_by_test_id("api-key-secret").input_value()
    assert secret.startswith("chk_")
    r = web.context.request.get(
        f"{app_url}/api/v1/auth/me", headers={"Authorization": f"Bearer {secret}"}
    )
    assert r.status == 200 and r.json()["email"] == email
    dialog.get_by_role("button", name=re.compile("close")).click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_test_id("api-key-secret")).to_have_count(0)
    row = page.get_by_role("row").filter(has_text="Reporting script")
    expect(row).to_contain_text(secret[:12])
    expect(row).to_contain_text("read")
    page.reload()
    expect(row.get_by_role("cell").nth(4)).not_to_have_text("never")  # last used: just now
    row.get_by_role("button", name="Revoke Reporting script").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Revoke key").click()
    expect(row).to_contain_text("revoked")
    r = web.context.request.get(
        f"{app_url}/api/v1/auth/me", headers={"Authorization": f"Bearer {secret}"}
    )
    assert r.status == 401
