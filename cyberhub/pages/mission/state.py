"""The mission page's state: the mission, the student's work, the draft form and its file."""

from __future__ import annotations

from typing import Any

import reflex as rx

from cyberhub import upload_guard
from cyberhub.models import Role, SubmissionStatus
from cyberhub.pages.mission.data import (
    NO_WORK,
    MissionView,
    Work,
    attach,
    file_content,
    load,
    load_work,
    remove_file,
    save,
    save_draft,
)
from cyberhub.pages.mission.due import MissionDueState
from cyberhub.schemas.learning import AttemptRow, EventRow, HintPublic, MissionRef, WorkStatus
from cyberhub.services.identity.permissions import roles
from cyberhub.services.learning import submissions
from cyberhub.state.dialogs import open_setter
from cyberhub.state.forms import url_id
from cyberhub.state.service import ServiceState


class MissionState(ServiceState, rx.State):
    mission: MissionView = MissionView()
    is_student: bool = False
    work: WorkStatus = NO_WORK
    attempts: list[AttemptRow] = []
    events: list[EventRow] = []
    download_error: str = ""  # why an attempt's file could not be downloaded
    revealed: list[HintPublic] = []
    loading: bool = True
    hint_error: str = ""
    # The form's copies, so a refused submit keeps what was typed.
    answer: str = ""
    links_text: str = ""
    intent: str = "submit"
    saving: bool = False
    form_error: str = ""
    notice: str = ""
    uploading: bool = False
    file_error: str = ""
    file_notice: str = ""
    remove_file_open: bool = False  # "Remove this file?" asked (its stored copy goes with it)
    # A file chosen but not attached is attached by the Submit / Save click (attach_pending)
    # while the form's own event (save_work) arrives separately, in either order: whichever runs
    # second saves. "" = not known yet, "ok", or why the file was refused.
    _file_outcome: str = ""
    _waiting_for_file: bool = False
    _pending_file: str = ""

    # -- derived -------------------------------------------------------------------------------

    @rx.var
    def status(self) -> str:
        return self.work.status or "not_started"

    @rx.var
    def missing(self) -> list[MissionRef]:
        return list(self.work.missing_prerequisites)

    @rx.var
    def waiting(self) -> bool:
        return self.status in (SubmissionStatus.submitted, SubmissionStatus.in_review)

    @rx.var
    def resubmitting(self) -> bool:
        """The next submit is a new attempt after changes were requested."""
        return self.status == SubmissionStatus.changes_requested or (
            self.status == SubmissionStatus.draft and self.work.attempts > 1
        )

    @rx.var
    def feedback(self) -> AttemptRow:
        """The review the student is answering (the newest attempt, when changes were
        requested on it), shown beside the form while they work on the next attempt; an empty
        attempt (id 0) when there is none."""
        latest = self.attempts[0] if self.attempts else AttemptRow()
        if self.work.can_submit and latest.decision == SubmissionStatus.changes_requested:
            return latest
        return AttemptRow()

    @rx.var
    def has_feedback(self) -> bool:
        return self.feedback.id != 0

    @rx.var
    def draft_file(self) -> str:
        return (self.work.draft.file or "") if self.work.draft else ""

    @rx.var
    def hints_total(self) -> int:
        return len(self.mission.hints)

    @rx.var
    def hints_left(self) -> int:
        return max(0, self.hints_total - len(self.revealed))

    @rx.var
    def staff_hints(self) -> list[str]:
        """Staff (mentors, directors) see every hint; only students' reveals are recorded."""
        return [] if self.is_student else list(self.mission.hints)

    # -- events --------------------------------------------------------------------------------

    def _apply_work(self, work: Work) -> None:
        self.work = work.status
        self.attempts = [AttemptRow.model_validate(a) for a in work.attempts]
        self.events = [EventRow.model_validate(e) for e in work.events]
        self.revealed = work.hints

    def _fill_form(self) -> None:
        draft = self.work.draft
        self.answer = draft.answer if draft else ""
        self.links_text = "\n".join(draft.links) if draft else ""

    @rx.event
    async def load(self) -> Any:
        self.loading, self.mission, self.error, self.hint_error = True, MissionView(), "", ""
        self.download_error = ""
        self._apply_work(Work())
        self.form_error, self.notice, self.file_error, self.file_notice = "", "", "", ""
        self.intent = "submit"
        # A save or upload the last visit left unfinished (its file's upload failed in the
        # browser, so attach_pending never came) does not keep this one's buttons busy.
        self.saving = self.uploading = self.remove_file_open = self._waiting_for_file = False
        self._file_outcome = self._pending_file = ""
        yield  # the spinner at once, not the last mission's page while this one loads
        mission_id = url_id(self, "mission_id")
        if mission_id is None:
            self.error, self.loading = "That mission does not exist.", False
            return
        if loaded := await self._call(load, mission_id):
            self.mission, self.is_student = loaded.value.mission, loaded.value.is_student
            self._apply_work(loaded.value.work)
            self._fill_form()
        self.loading = False

    @rx.event
    async def refresh_work(self) -> Any:
        """The student's attempt changed elsewhere (claimed, reviewed): show its status, decision
        and feedback, and the due badge's ("approved"), without touching a form they are typing
        into."""
        if not self.is_student or not self.mission.id or self.saving:
            return None
        was_waiting = self.waiting
        if work := await self._try(load_work, self.mission.id):
            self._apply_work(work.value)
            if was_waiting:  # the form was closed: it opens on the reviewed attempt
                self._fill_form()
        return MissionDueState.load

    @rx.event
    async def reveal_hint(self, index: int) -> None:
        """Reveal hint `index`: the next one as the page showed it when clicked, so a second
        click before the first's answer arrived (a double click) reveals that one only, once."""
        shown = await self._try(submissions.reveal_hint, self.mission.id, int(index))
        self.hint_error = shown.error
        if shown:
            self.revealed = shown.value.revealed

    @rx.event
    def set_intent(self, intent: str, chosen: list[str] | None = None) -> None:
        # Runs on the button's click, just before the form's submit event (same queue, in order),
        # with the file chosen in the drop zone but not attached yet (attach_pending sends it).
        self.intent = intent
        self._pending_file = ", ".join(chosen or [])

    @rx.event
    async def save_work(self, form: dict[str, Any]) -> Any:
        self.answer = str(form.get("answer") or "")
        self.links_text = str(form.get("links") or "")
        pending, self._pending_file = self._pending_file, ""
        self.saving, self.form_error, self.notice = True, "", ""
        if pending and not self._file_outcome:
            # The chosen file is still on its way (attach_pending): it finishes the save.
            self._waiting_for_file = True
            self.file_notice = f"Attaching {pending}…"
            return
        yield
        if await self._finish_save():
            yield MissionDueState.load

    @rx.event
    async def attach_pending(self, files: list[rx.UploadFile]) -> Any:
        """Attach the file chosen but not attached yet, as part of Submit / Save draft."""
        if not files:
            return
        self.file_error, self.file_notice = "", ""
        upload = files[0]
        content = await upload.read()
        done = await self._try(attach, self.mission.id, upload.filename or "", content)
        if done:
            name, work = done.value
            self._apply_work(work)
            self.file_notice = f"Attached {name} to your draft."
        self._file_outcome = "ok" if done else (done.error or "the file could not be stored")
        if self._waiting_for_file:
            yield
            if await self._finish_save():
                yield MissionDueState.load

    async def _finish_save(self) -> bool:
        """Save the draft or submit it (`intent`); True when an attempt was submitted (the due
        badge then says "handed in")."""
        final = self.intent != "draft"
        outcome, self._file_outcome, self._waiting_for_file = self._file_outcome, "", False
        if outcome not in ("", "ok"):
            self.form_error = (
                f"Your file was not attached, so nothing was "
                f"{'submitted' if final else 'saved'}: {outcome} Your answer and links are "
                "kept: choose another file (or none) and try again."
            )
            self.file_notice, self.saving, self.intent = "", False, "submit"
            return False
        links = self.links_text.splitlines()
        if final:
            done = await self._try(save, self.mission.id, True, self.answer, links)
            self.form_error = done.error
            if done:
                attempt, work = done.value
                self._apply_work(work)
                self.notice = f"Attempt {attempt} was submitted for review."
                self.answer, self.links_text = "", ""
        else:
            # a draft adds no event, attempt shown or hint: only the status changes
            saved = await self._try(save_draft, self.mission.id, self.answer, links)
            self.form_error = saved.error
            if saved:
                self.work = saved.value[1]
                self.notice = "Draft saved."
        self.saving, self.intent = False, "submit"
        return final and not self.form_error

    @rx.event
    async def attach(self, files: list[rx.UploadFile]) -> Any:
        self.file_error, self.file_notice = "", ""
        if not files:
            self.file_error = "Choose a file first."
            return
        self.uploading = True
        yield
        upload = files[0]
        content = await upload.read()
        done = await self._try(attach, self.mission.id, upload.filename or "", content)
        self.file_error = done.error
        if done:
            name, work = done.value
            self._apply_work(work)
            self.file_notice = f"Attached {name} to your draft."
        self.uploading = False

    set_remove_file_open = open_setter("remove_file_open")

    @rx.event
    async def remove_file(self) -> None:
        """Take the attached file off the draft (what is typed in the form stays as it is), once
        confirmed in its dialog."""
        self.remove_file_open = False
        self.file_error, self.file_notice = "", ""
        name = self.draft_file
        done = await self._try(remove_file, self.mission.id)
        self.file_error = done.error
        if done:
            self._apply_work(done.value)
            self.file_notice = f"Removed {name} from your draft."

    @rx.event
    async def download_file(self, submission_id: int) -> Any:
        got = await self._try(file_content, submission_id)
        # Said above the attempts (a toast sent from here would need eval, which the
        # Content-Security-Policy forbids: the refusal showed nowhere).
        self.download_error = got.error
        if not got:
            return None
        content, name = got.value
        return rx.download(data=content, filename=name)


# Only students upload work files (checked before Reflex reads the body: cyberhub/upload_guard.py).
upload_guard.declare(MissionState.attach, roles(Role.student))
upload_guard.declare(MissionState.attach_pending, roles(Role.student))
