"""/missions/[mission_id]: one mission's brief, rubric, prerequisites and hints, and for a
student "Your work": the lock / enrolment state, the draft and submit form (answer, links, a
file), the attempt history with the mentors' reviews and the status timeline."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from cyberhub import db, upload_guard
from cyberhub.components.learning import attempt_renderer, status_badge, timeline
from cyberhub.components.markdown import safe_markdown
from cyberhub.components.shell import guarded, shell
from cyberhub.components.ui import difficulty_badge, empty_state, error_callout, loading_state
from cyberhub.models import Role, SubmissionStatus
from cyberhub.pages.registry import SIGNED_IN, Page, register
from cyberhub.services.errors import DomainError
from cyberhub.services.identity.permissions import Principal, roles
from cyberhub.services.learning import catalog, submissions
from cyberhub.state.forms import parse_id
from cyberhub.state.session import SessionState

ROUTE = "/missions/[mission_id]"
UPLOAD_ID = "work_file"
ALLOWED_TYPES = ", ".join(ext.upper() for ext in submissions.ALLOWED_FILES)
MAX_MB = submissions.MAX_UPLOAD_BYTES // (1024 * 1024)
# react-dropzone's accept map (content type -> extensions); the service checks again.
UPLOAD_ACCEPT: dict[str, list[str]] = {}
for _ext, _type in submissions.ALLOWED_FILES.items():
    UPLOAD_ACCEPT.setdefault(_type, []).append(f".{_ext}")


# -- data (worker threads) ---------------------------------------------------------------------


def _work(session: Any, principal: Principal, mission_id: int) -> dict[str, Any]:
    """The student's side: work status, submitted attempts (newest first), combined timeline."""
    work = submissions.work_status(session, principal, mission_id)
    details = submissions.history(session, principal, principal.user_id, mission_id)
    views = submissions.attempt_views(session, details)
    events = [
        {**e, "label": f"Attempt {a['attempt']} · {e['label']}"} for a in views for e in a["events"]
    ]
    return {
        "work": work,
        # A draft lives in the form, not in the history.
        "attempts": [a for a in reversed(views) if a["status"] != SubmissionStatus.draft],
        "events": events,
        "hints": submissions.revealed_hints(session, principal, mission_id),
    }


def _load(principal: Principal | None, mission_id: int) -> dict[str, Any]:
    with db.session_scope() as session:
        d = catalog.get_mission(session, principal, mission_id)
        m = d.mission
        out: dict[str, Any] = {
            "mission": {
                "id": m.id,
                "title": m.title,
                "summary": m.summary,
                "brief": m.brief,
                "difficulty": m.difficulty,
                "skills": m.skills,
                "minutes": m.estimated_minutes,
                "track": d.track.name,
                "rubric": m.rubric,
                "hints": m.hints,
                "prerequisites": [{"id": p.id, "title": p.title} for p in d.prerequisites],
            },
            "is_student": principal is not None and principal.has_role(Role.student),
        }
        if out["is_student"]:
            assert principal is not None
            out |= _work(session, principal, mission_id)
        return out


def _reload_work(principal: Principal | None, mission_id: int) -> dict[str, Any]:
    with db.session_scope() as session:
        assert principal is not None
        return _work(session, principal, mission_id)


def _reveal(principal: Principal | None, mission_id: int) -> list[dict[str, Any]]:
    with db.session_scope() as session:
        return list(submissions.reveal_hint(session, principal, mission_id)["revealed"])


def _save(
    principal: Principal | None, mission_id: int, final: bool, answer: str, links: list[str]
) -> dict[str, Any]:
    with db.session_scope() as session:
        if final:
            sub = submissions.submit(session, principal, mission_id, answer=answer, links=links)
        else:
            sub = submissions.save_draft(session, principal, mission_id, answer=answer, links=links)
        return {"attempt": sub.attempt}


def _attach(principal: Principal | None, mission_id: int, name: str, content: bytes) -> str:
    with db.session_scope() as session:
        sub = submissions.attach_file(
            session, principal, mission_id, submissions.Upload(filename=name, content=content)
        )
        return sub.file_name or name


def _file(principal: Principal | None, submission_id: int) -> tuple[bytes, str]:
    with db.session_scope() as session:
        path, name, _ = submissions.stored_file(session, principal, submission_id)
        return path.read_bytes(), name


# -- state -------------------------------------------------------------------------------------


class MissionState(rx.State):
    mission: dict[str, Any] = {}
    is_student: bool = False
    work: dict[str, Any] = {}
    attempts: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    revealed: list[dict[str, Any]] = []
    loading: bool = True
    error: str = ""
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

    # -- derived -------------------------------------------------------------------------------

    @rx.var
    def mission_id(self) -> int:
        return int(self.mission.get("id") or 0)

    @rx.var
    def status(self) -> str:
        return str(self.work.get("status") or "not_started")

    @rx.var
    def can_submit(self) -> bool:
        return bool(self.work.get("can_submit"))

    @rx.var
    def locked(self) -> bool:
        return bool(self.work.get("locked"))

    @rx.var
    def enrolled(self) -> bool:
        return bool(self.work.get("enrolled"))

    @rx.var
    def missing(self) -> list[dict[str, Any]]:
        return list(self.work.get("missing_prerequisites") or [])

    @rx.var
    def waiting(self) -> bool:
        return self.status in (SubmissionStatus.submitted, SubmissionStatus.in_review)

    @rx.var
    def resubmitting(self) -> bool:
        """The next submit is a new attempt after changes were requested."""
        attempts = int(self.work.get("attempts") or 0)
        return self.status == SubmissionStatus.changes_requested or (
            self.status == SubmissionStatus.draft and attempts > 1
        )

    @rx.var
    def draft_file(self) -> str:
        draft = self.work.get("draft") or {}
        return str(draft.get("file") or "")

    @rx.var
    def hints_total(self) -> int:
        return len(self.mission.get("hints") or [])

    @rx.var
    def hints_left(self) -> int:
        return max(0, self.hints_total - len(self.revealed))

    @rx.var
    def staff_hints(self) -> list[str]:
        """Staff (mentors, directors) see every hint; only students' reveals are recorded."""
        return [] if self.is_student else list(self.mission.get("hints") or [])

    # -- events --------------------------------------------------------------------------------

    async def _principal(self) -> Principal | None:
        return await (await self.get_state(SessionState)).principal()

    def _apply_work(self, data: dict[str, Any]) -> None:
        self.work = data.get("work", {})
        self.attempts = data.get("attempts", [])
        self.events = data.get("events", [])
        self.revealed = data.get("hints", [])

    def _fill_form(self) -> None:
        draft = self.work.get("draft") or {}
        self.answer = str(draft.get("answer") or "")
        self.links_text = "\n".join(draft.get("links") or [])

    @rx.event
    async def load(self) -> None:
        self.loading, self.mission, self.work, self.attempts, self.events = True, {}, {}, [], []
        self.revealed, self.form_error, self.notice, self.hint_error = [], "", "", ""
        self.file_error, self.file_notice, self.intent = "", "", "submit"
        mission_id = parse_id(self.router.page.params.get("mission_id", ""))
        if mission_id is None:
            self.error, self.loading = "That mission does not exist.", False
            return
        principal = await self._principal()
        try:
            data = await asyncio.to_thread(_load, principal, mission_id)
            self.mission, self.is_student = data["mission"], data["is_student"]
            self._apply_work(data)
            self._fill_form()
            self.error = ""
        except DomainError as exc:
            self.error = exc.message
        self.loading = False

    @rx.event
    async def reveal_hint(self) -> None:
        principal = await self._principal()
        try:
            self.revealed = await asyncio.to_thread(_reveal, principal, self.mission_id)
            self.hint_error = ""
        except DomainError as exc:
            self.hint_error = exc.message

    @rx.event
    def set_intent(self, intent: str) -> None:
        # Runs on the button's click, just before the form's submit event (same queue, in order).
        self.intent = intent

    @rx.event
    async def save_work(self, form: dict[str, Any]) -> None:
        self.answer = str(form.get("answer") or "")
        self.links_text = str(form.get("links") or "")
        final = self.intent != "draft"
        self.saving, self.form_error, self.notice = True, "", ""
        yield
        principal = await self._principal()
        try:
            links = self.links_text.splitlines()
            done = await asyncio.to_thread(
                _save, principal, self.mission_id, final, self.answer, links
            )
            self._apply_work(await asyncio.to_thread(_reload_work, principal, self.mission_id))
            if final:
                self.notice = f"Attempt {done['attempt']} was submitted for review."
                self.answer, self.links_text = "", ""
            else:
                self.notice = "Draft saved."
        except DomainError as exc:
            self.form_error = exc.message
        self.saving, self.intent = False, "submit"

    @rx.event
    async def attach(self, files: list[rx.UploadFile]) -> None:
        self.file_error, self.file_notice = "", ""
        if not files:
            self.file_error = "Choose a file first."
            return
        self.uploading = True
        yield
        principal = await self._principal()
        upload = files[0]
        try:
            content = await upload.read()
            name = await asyncio.to_thread(
                _attach, principal, self.mission_id, upload.filename or "", content
            )
            self._apply_work(await asyncio.to_thread(_reload_work, principal, self.mission_id))
            self.file_notice = f"Attached {name} to your draft."
        except DomainError as exc:
            self.file_error = exc.message
        self.uploading = False

    @rx.event
    async def download_file(self, submission_id: int) -> Any:
        principal = await self._principal()
        try:
            content, name = await asyncio.to_thread(_file, principal, submission_id)
        except DomainError as exc:
            return rx.toast.error(exc.message)
        return rx.download(data=content, filename=name)


# Only students upload work files (checked before Reflex reads the body: cyberhub/upload_guard.py).
upload_guard.declare(MissionState.attach, roles(Role.student))


# -- view --------------------------------------------------------------------------------------


def _rubric_row(c: rx.Var[dict[str, Any]]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(c["title"], weight="medium")),
        rx.table.cell(c["description"]),
        rx.table.cell(c["points"]),
    )


def _hints() -> rx.Component:
    S = MissionState
    return rx.vstack(
        rx.heading("Hints", size="5", as_="h2"),
        rx.cond(
            S.is_student,
            rx.vstack(
                rx.foreach(
                    S.revealed,
                    lambda h: rx.callout(
                        h["hint"], icon="lightbulb", color_scheme="amber", width="100%"
                    ),
                ),
                error_callout(S.hint_error),
                rx.cond(
                    S.hints_left > 0,
                    rx.hstack(
                        rx.button(
                            rx.icon("lightbulb"),
                            "Reveal a hint",
                            variant="soft",
                            on_click=S.reveal_hint,
                        ),
                        rx.text(
                            S.hints_left,
                            " of ",
                            S.hints_total,
                            " left · your mentor sees how many you used",
                            size="2",
                            color_scheme="gray",
                        ),
                        align="center",
                        wrap="wrap",
                    ),
                    rx.text(
                        rx.cond(S.hints_total > 0, "No more hints.", "This mission has no hints."),
                        size="2",
                        color_scheme="gray",
                    ),
                ),
                width="100%",
                align="start",
            ),
            rx.vstack(
                rx.foreach(
                    S.staff_hints,
                    lambda h: rx.callout(h, icon="lightbulb", color_scheme="amber", width="100%"),
                ),
                rx.cond(
                    S.hints_total == 0,
                    rx.text("This mission has no hints.", size="2", color_scheme="gray"),
                ),
                width="100%",
                align="start",
            ),
        ),
        width="100%",
        align="start",
    )


def _label(text: str, html_for: str, hint: str = "") -> rx.Component:
    return rx.vstack(
        rx.el.label(text, html_for=html_for, style={"fontWeight": 500}),
        rx.text(hint, size="1", color_scheme="gray") if hint else rx.fragment(),
        spacing="0",
    )


def _file_box() -> rx.Component:
    S = MissionState
    return rx.vstack(
        _label(
            "Attach a file (optional)",
            UPLOAD_ID,
            f"One {ALLOWED_TYPES} file, at most {MAX_MB} MB. Attaching saves it to your draft.",
        ),
        rx.cond(
            S.draft_file != "",
            rx.hstack(
                rx.icon("paperclip", size=14),
                rx.text("Attached: ", rx.text.strong(S.draft_file), size="2"),
                align="center",
                data_testid="draft-file",
            ),
        ),
        rx.upload(
            rx.vstack(
                rx.text("Drop a file here or click to choose one", size="2"),
                rx.foreach(rx.selected_files(UPLOAD_ID), lambda f: rx.badge(f, variant="soft")),
                align="center",
                spacing="1",
            ),
            id=UPLOAD_ID,
            accept=UPLOAD_ACCEPT,
            max_files=1,
            max_size=submissions.MAX_UPLOAD_BYTES,
            multiple=False,
            border=f"1px dashed {rx.color('gray', 7)}",
            border_radius="8px",
            padding="1em",
            width="100%",
            cursor="pointer",
        ),
        rx.button(
            rx.icon("upload", size=16),
            "Attach file",
            type="button",
            variant="soft",
            loading=S.uploading,
            # The selection is cleared by the browser after the upload event: sent back from the
            # server, Reflex would run the same call through eval, which the CSP forbids.
            on_click=[
                S.attach(rx.upload_files(upload_id=UPLOAD_ID)),
                rx.clear_selected_files(UPLOAD_ID),
            ],
        ),
        error_callout(S.file_error),
        rx.cond(S.file_notice != "", rx.text(S.file_notice, size="2", color_scheme="green")),
        width="100%",
        align="start",
        spacing="2",
    )


def _work_form() -> rx.Component:
    S = MissionState
    return rx.vstack(
        rx.form(
            rx.vstack(
                _label(
                    "Your answer", "answer", "Markdown is fine. At least 20 characters to submit."
                ),
                rx.text_area(
                    id="answer",
                    name="answer",
                    default_value=S.answer,
                    rows="10",
                    width="100%",
                    max_length=submissions.ANSWER_MAX,
                ),
                _label(
                    "Links (one per line)",
                    "links",
                    f"Full http(s) URLs, at most {submissions.MAX_LINKS}.",
                ),
                rx.text_area(
                    id="links",
                    name="links",
                    default_value=S.links_text,
                    rows="3",
                    width="100%",
                    placeholder="https://github.com/you/repo",
                ),
                error_callout(S.form_error),
                rx.hstack(
                    rx.button(
                        "Save draft",
                        type="submit",
                        variant="soft",
                        disabled=S.saving,
                        on_click=S.set_intent("draft"),
                    ),
                    rx.button(
                        rx.cond(S.resubmitting, "Resubmit", "Submit for review"),
                        type="submit",
                        loading=S.saving,
                        on_click=S.set_intent("submit"),
                    ),
                    spacing="3",
                ),
                width="100%",
                align="start",
                spacing="2",
            ),
            on_submit=S.save_work,
            width="100%",
        ),
        _file_box(),
        width="100%",
        align="start",
        spacing="4",
    )


def _state_callouts() -> rx.Component:
    """Why the form is not shown (locked, not enrolled, waiting, approved)."""
    S = MissionState
    return rx.cond(
        S.locked,
        rx.callout(
            rx.text(
                "This mission is locked until your work on these missions is approved: ",
                rx.foreach(
                    S.missing,
                    lambda p: rx.link(
                        p["title"], href="/missions/" + p["id"].to(str), margin_right="0.75em"
                    ),
                ),
            ),
            icon="lock",
            color_scheme="gray",
            width="100%",
            data_testid="locked-callout",
        ),
        rx.cond(
            ~S.enrolled,
            rx.callout(
                "You are not enrolled in a programme that runs this mission, so you can read it "
                "but not start it or submit work yet. Join a cohort that runs it to start.",
                icon="user_x",
                color_scheme="amber",
                width="100%",
                data_testid="not-enrolled-callout",
            ),
            rx.cond(
                S.status == SubmissionStatus.approved,
                rx.callout(
                    "Your work on this mission is approved. Well done!",
                    icon="circle_check",
                    color_scheme="green",
                    width="100%",
                ),
                rx.cond(
                    S.waiting,
                    rx.callout(
                        "Your latest attempt is waiting for a mentor's review. You will be "
                        "notified; you can submit again if changes are requested.",
                        icon="hourglass",
                        color_scheme="blue",
                        width="100%",
                    ),
                ),
            ),
        ),
    )


def _your_work() -> rx.Component:
    S = MissionState
    return rx.vstack(
        rx.hstack(
            rx.heading("Your work", size="5", as_="h2"),
            rx.cond(S.is_student, status_badge(S.status, testid="work-status")),
            align="center",
            spacing="3",
        ),
        rx.cond(
            S.is_student,
            rx.vstack(
                rx.cond(
                    S.notice != "",
                    rx.callout(
                        S.notice, icon="check", color_scheme="green", width="100%", role="status"
                    ),
                ),
                _state_callouts(),
                rx.cond(S.can_submit, _work_form()),
                rx.heading("Attempt history", size="4", as_="h3"),
                rx.box(
                    rx.cond(
                        S.attempts.length() > 0,
                        rx.vstack(
                            rx.foreach(S.attempts, attempt_renderer(download=S.download_file)),
                            width="100%",
                            spacing="3",
                        ),
                        rx.text("You have not submitted this mission yet.", color_scheme="gray"),
                    ),
                    width="100%",
                    data_testid="attempt-history",
                ),
                rx.heading("Status timeline", size="4", as_="h3"),
                timeline(S.events),
                width="100%",
                align="start",
                spacing="3",
            ),
            rx.text(
                "Only students submit work on missions; mentors review it from their dashboard.",
                color_scheme="gray",
            ),
        ),
        width="100%",
        align="start",
        spacing="3",
    )


def mission_content() -> rx.Component:
    S = MissionState
    m = S.mission
    return rx.cond(
        S.loading,
        loading_state("Loading mission…"),
        rx.cond(
            S.error != "",
            empty_state(
                "Mission not found",
                S.error,
                rx.link(rx.button("Back to missions"), href="/missions"),
            ),
            rx.vstack(
                rx.link("← All missions", href="/missions", size="2"),
                rx.hstack(
                    rx.badge(m["track"], variant="outline"),
                    difficulty_badge(m["difficulty"].to(int)),
                    rx.badge(m["minutes"], " min", variant="soft", color_scheme="gray"),
                    wrap="wrap",
                ),
                rx.heading(m["title"], size="7", as_="h1"),
                rx.text(m["summary"], size="3", color_scheme="gray"),
                rx.flex(
                    rx.foreach(
                        m["skills"].to(list[str]),
                        lambda s: rx.badge(s, variant="soft", color_scheme="gray"),
                    ),
                    wrap="wrap",
                    gap="0.3em",
                ),
                rx.cond(
                    m["prerequisites"].to(list[dict[str, Any]]).length() > 0,
                    rx.callout(
                        rx.text(
                            "Builds on: ",
                            rx.foreach(
                                m["prerequisites"].to(list[dict[str, Any]]),
                                lambda p: rx.link(
                                    p["title"],
                                    href="/missions/" + p["id"].to(str),
                                    margin_right="0.75em",
                                ),
                            ),
                        ),
                        icon="link",
                        width="100%",
                    ),
                ),
                rx.card(
                    safe_markdown(m["brief"].to(str)), width="100%", class_name="mission-brief"
                ),
                rx.heading("How it is assessed", size="5", as_="h2"),
                rx.box(
                    rx.table.root(
                        rx.table.header(
                            rx.table.row(
                                rx.table.column_header_cell("Criterion"),
                                rx.table.column_header_cell("What mentors look for"),
                                rx.table.column_header_cell("Points"),
                            )
                        ),
                        rx.table.body(
                            rx.foreach(m["rubric"].to(list[dict[str, Any]]), _rubric_row)
                        ),
                        variant="surface",
                        width="100%",
                    ),
                    width="100%",
                    overflow_x="auto",
                ),
                _hints(),
                rx.divider(),
                _your_work(),
                spacing="4",
                width="100%",
                align="start",
            ),
        ),
    )


def mission_page() -> rx.Component:
    return shell(guarded(ROUTE, mission_content()))


page = register(
    Page(
        route=ROUTE,
        title="Mission · CyberHub",
        component=mission_page,
        access=SIGNED_IN,
        on_load=(MissionState.load,),
    )
)
