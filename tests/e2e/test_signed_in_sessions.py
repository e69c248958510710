"""A learner sees where they're signed in under Settings → Security — this browser marked "This
device", an app that signed in by the API beside it — and signs the app out after a confirmation:
its token stops working at once."""

from __future__ import annotations

import re
import uuid

import httpx
from playwright.sync_api import expect

from tests.e2e.conftest import BrowserPage, sign_in

PASSWORD = "copper-valley-lantern-35"


def test_a_learner_signs_out_another_session(web: BrowserPage, app_url: str) -> None:
    email = f"where-{uuid.uuid4().hex[:8]}@example.org"
    r = httpx.post(
        f"{app_url}/api/v1/auth/signup",
        json={"email": email, "password": PASSWORD, "consents": ["terms", "privacy"]},
        timeout=20,
    )
    assert r.status_code == 201, r.text
    app = httpx.post(
        f"{app_url}/api/v1/auth/login",
        json={"email": email, "password": PASSWORD},
        headers={"User-Agent": "curl/8.5.0"},
        timeout=20,
    ).json()
    app_headers = {"Authorization": f"Bearer {app['access_token']}"}
    page = web.page
    page.goto("/signin")
    sign_in(page, email, PASSWORD)
    page.wait_for_url(re.compile(r"/(dashboard|onboarding)"))
    page.goto("/settings/security")
    card = page.get_by_test_id("sign-ins")
    rows = card.get_by_test_id("sign-in-row")
    # The sign-up's own session, this browser and the app.
    expect(rows).to_have_count(3)
    here = rows.filter(has_text="This device")
    expect(here).to_have_count(1)
    expect(here.get_by_role("button", name=re.compile("^Sign out"))).to_have_count(0)
    app_row = rows.filter(has_text="curl")
    expect(app_row).to_have_count(1)

    app_row.get_by_role("button", name="Sign out curl").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog.get_by_text("Sign out curl?")).to_be_visible()
    dialog.get_by_role("button", name="Sign out", exact=True).click()
    expect(card.get_by_text(re.compile("Signed out: curl"))).to_be_visible()
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="curl")).to_have_count(0)
    gone = httpx.get(f"{app_url}/api/v1/auth/me", headers=app_headers, timeout=20)
    assert gone.status_code == 401
    # This browser is still signed in.
    page.reload()
    expect(card.get_by_text("This device")).to_be_visible()
