"""Uploads through the real production server: a student attaches a file on the mission page
(Reflex's /_upload, behind the upload guard that asks the tab's session who it is), a replaced
file leaves no copy behind, and requests from outside a signed-in student's tab are refused
before their body is read."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import expect

from cyberhub.pages.mission import MissionState
from tests.e2e.conftest import BrowserPage
from tests.e2e.test_student_learning import _enrol, _go_to_mission, _open_mission, _signup

pytestmark = [pytest.mark.missions]

HANDLER = f"{MissionState.get_full_name()}.attach"


def test_a_student_attaches_and_replaces_a_file(
    web: BrowserPage, app_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    page = web.page
    email, headers = _signup(app_url, "Upload Learner")
    _enrol(app_url, email, headers)
    mid = _open_mission(app_url, headers)["id"]
    _go_to_mission(page, mid, email)
    folder = tmp_path_factory.mktemp("files")
    for name, text in (("notes.txt", "first notes"), ("final.md", "# final notes")):
        path = folder / name
        path.write_text(text)
        page.locator("#work_file input[type=file]").set_input_files(str(path))
        page.get_by_role("button", name="Attach file").click()
        expect(page.get_by_text(f"Attached {name} to your draft.")).to_be_visible()
        expect(page.get_by_test_id("draft-file")).to_contain_text(name)
    work = httpx.get(f"{app_url}/api/v1/missions/{mid}/work", headers=headers, timeout=20)
    assert work.status_code == 200, work.text
    assert "final.md" in work.text and "notes.txt" not in work.text


def test_a_student_removes_the_file_from_their_draft(
    web: BrowserPage, app_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A file attached by mistake could only be replaced: "Remove" takes it off the draft, once
    confirmed (its stored copy is deleted), and leaves what is typed in the form as it was."""
    page = web.page
    email, headers = _signup(app_url, "Remove Learner")
    _enrol(app_url, email, headers)
    mid = _open_mission(app_url, headers)["id"]
    _go_to_mission(page, mid, email)
    path = tmp_path_factory.mktemp("files") / "passwords.txt"
    path.write_text("not for the mentor")
    page.get_by_label("Your answer").fill("Typed but not saved yet")
    page.locator("#work_file input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="Attach file").click()
    expect(page.get_by_test_id("draft-file")).to_contain_text("passwords.txt")
    # The stored file goes with it: asked first, and "Keep it" keeps it.
    page.get_by_role("button", name="Remove passwords.txt from your draft").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Remove passwords.txt?")
    dialog.get_by_role("button", name="Keep it").click()
    expect(dialog).to_have_count(0)
    expect(page.get_by_test_id("draft-file")).to_contain_text("passwords.txt")
    page.get_by_role("button", name="Remove passwords.txt from your draft").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Remove file").click()
    expect(page.get_by_text("Removed passwords.txt from your draft.")).to_be_visible()
    expect(page.get_by_test_id("draft-file")).to_have_count(0)
    expect(page.get_by_label("Your answer")).to_have_value("Typed but not saved yet")
    work = httpx.get(f"{app_url}/api/v1/missions/{mid}/work", headers=headers, timeout=20)
    assert work.status_code == 200 and work.json()["draft"]["file"] is None, work.text


def test_an_upload_from_no_signed_in_tab_is_refused(app_url: str) -> None:
    r = httpx.post(
        f"{app_url}/_upload",
        headers={"reflex-client-token": "not-a-tab", "reflex-event-handler": HANDLER},
        files={"files": ("a.txt", b"hello", "text/plain")},
        timeout=20,
    )
    assert r.status_code == 401 and r.json() == {"detail": "Sign in to upload files."}


def test_a_60_mib_upload_is_refused_from_its_headers(app_url: str) -> None:
    """Only the headers are sent: the answer comes without the server waiting for the body."""
    url = urlsplit(app_url)
    with socket.create_connection((url.hostname, url.port), timeout=20) as conn:
        conn.sendall(
            (
                "POST /_upload HTTP/1.1\r\n"
                f"Host: {url.netloc}\r\n"
                "Content-Type: multipart/form-data; boundary=x\r\n"
                f"Content-Length: {60 * 1024 * 1024}\r\n"
                "reflex-client-token: not-a-tab\r\n"
                f"reflex-event-handler: {HANDLER}\r\n\r\n"
            ).encode()
        )
        answer = conn.recv(4096).decode(errors="replace")
    assert answer.startswith("HTTP/1.1 413"), answer
    assert "larger than 10 MB" in answer
