"""A file attached to a draft could be replaced but never taken off: a learner who attached the
wrong file (their notes, a file with a password in it) had to submit it or attach some other
file, and a resubmission after "changes requested" carried the previous attempt's file with no
way to drop it, even when the mentor asked for a link instead. The draft's file can now be
removed (submissions.remove_file, DELETE /missions/{id}/draft/file, "Remove" on the mission
page); an earlier attempt keeps its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session

from cyberhub.models import Submission, SubmissionStatus
from cyberhub.services.errors import Conflict
from cyberhub.services.learning import submissions
from cyberhub.settings import get_settings
from tests.factories import GOOD_ANSWER, World, build_world, decide, id_of, principal
from tests.integration.conftest import ClientFor

pytestmark = [pytest.mark.missions, pytest.mark.integration]

API = "/api/v1"


@pytest.fixture
def world(session: Session) -> World:
    return build_world(session, prefix="rmfile")


@pytest.fixture
def uploads(session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setattr(get_settings(), "data_dir", tmp_path)
    yield tmp_path / "uploads"


def stored(uploads: Path) -> set[str]:
    return {p.name for p in uploads.iterdir()} if uploads.exists() else set()


def test_the_drafts_file_is_removed_and_deleted(
    session: Session, world: World, uploads: Path, client_for: ClientFor
) -> None:
    who, mission = principal(session, world.student), id_of(world.m1)
    submissions.save_draft(session, who, mission, answer="Half done")
    submissions.attach_file(session, who, mission, submissions.Upload("notes.txt", b"secret"))
    session.commit()
    assert len(stored(uploads)) == 1

    r = client_for(world.student).delete(f"{API}/missions/{mission}/draft/file")
    assert r.status_code == 200, r.text
    assert r.json()["file"] is None and r.json()["status"] == "draft"
    assert stored(uploads) == set()  # deleted once the removal committed
    work = submissions.work_status(session, who, mission)
    assert work.draft is not None and (work.draft.answer, work.draft.file) == ("Half done", None)
    again = client_for(world.student).delete(f"{API}/missions/{mission}/draft/file")
    assert again.status_code == 409 and "no file" in again.json()["detail"], again.text


def test_a_resubmission_drops_the_file_of_the_attempt_it_starts_from(
    session: Session, world: World, uploads: Path
) -> None:
    who, mission = principal(session, world.student), id_of(world.m1)
    first = submissions.submit(
        session,
        who,
        mission,
        answer=GOOD_ANSWER,
        file=submissions.Upload("dump.txt", b"credentials: hunter2"),
    )
    session.commit()
    decide(session, world, first, "changes_requested")

    draft = submissions.remove_file(session, who, mission)
    session.commit()
    assert (draft.attempt, draft.status, draft.file_path) == (2, SubmissionStatus.draft, None)
    assert draft.answer == GOOD_ANSWER  # the rest still starts from attempt 1
    kept = session.get(Submission, id_of(first))
    assert kept is not None and kept.file_name == "dump.txt"  # attempt 1 keeps its file
    assert stored(uploads) == {Path(kept.file_path or "").name}
    second = submissions.submit(session, who, mission, answer=GOOD_ANSWER)
    assert second.attempt == 2 and second.file_path is None

    with pytest.raises(Conflict):  # waiting for review: nothing to remove from
        submissions.remove_file(session, who, mission)
