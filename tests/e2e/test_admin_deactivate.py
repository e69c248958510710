"""An admin deactivates an account from its page in a real browser: the dialog asks why (a refused
reason stays in the field with the refusal shown), the status badge turns "disabled", and
reactivating after a confirmation turns it "active" again; their own page offers neither."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from cyberhub.services.admin.demo import DEMO_PASSWORD
from tests.e2e.conftest import BrowserPage
from tests.e2e.test_admin_console import ADMIN, PASSWORD, sign_up_by_api, signed_in

RLO = "\u202e"


def test_admin_deactivates_and_reactivates_an_account(web: BrowserPage, app_url: str) -> None:
    email, user_id = sign_up_by_api(web, app_url, "Ilse Varga")
    page = web.page
    signed_in(page, ADMIN, DEMO_PASSWORD, f"/admin/users/{user_id}")
    status = page.get_by_test_id("account-status")
    expect(status).to_have_text("active")

    page.get_by_role("button", name=f"Deactivate account {email}").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text(f"Deactivate {email}?")
    reason = dialog.get_by_label("Reason for deactivating")
    typed = f"Left the academy {RLO}today"
    reason.fill(typed)
    dialog.get_by_role("button", name="Deactivate account").click()
    expect(dialog.get_by_role("alert")).to_contain_text("U+202E")
    expect(reason).to_have_value(typed)  # what was typed stays
    expect(status).to_have_text("active")

    reason.fill("Left the academy in November.")
    dialog.get_by_role("button", name="Deactivate account").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_role("status").filter(has_text=f"Deactivated {email}")).to_be_visible()
    expect(status).to_have_text("disabled")
    expect(page.get_by_role("cell", name="user.deactivated").first).to_be_visible()

    # They can't sign in any more.
    r = web.context.request.post(
        f"{app_url}/api/v1/auth/login", data={"email": email, "password": PASSWORD}
    )
    assert r.status == 401

    page.get_by_role("button", name="Reactivate account").click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text("not restored")
    confirm.get_by_role("button", name="Reactivate account").click()
    expect(page.get_by_role("status").filter(has_text=f"Reactivated {email}")).to_be_visible()
    expect(status).to_have_text("active")

    # The admin's own page offers no deactivation.
    me = web.context.request.get(f"{app_url}/api/v1/auth/me")
    assert me.status == 200, me.text()
    page.goto(f"/admin/users/{me.json()['id']}")
    expect(page.get_by_text("This is your own account")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Deactivate"))).to_have_count(0)
