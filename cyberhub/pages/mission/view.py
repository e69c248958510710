"""The mission page's view: brief, rubric, prerequisites, hints and the student's work."""

from __future__ import annotations

from typing import Any

import reflex as rx
from reflex.vars import FunctionStringVar

from cyberhub.components.fields import field_label
from cyberhub.components.layout import flag_confirm, full_column, wide_callout
from cyberhub.components.learning import (
    attempt_renderer,
    review_block,
    rubric_table,
    status_badge,
    timeline,
)
from cyberhub.components.link_button import link_button
from cyberhub.components.markdown import safe_markdown
from cyberhub.components.notice import notice_callout
from cyberhub.components.page_kit import once_found, page_column
from cyberhub.components.tables import list_or
from cyberhub.components.ui import (
    badge_row,
    difficulty_badge,
    error_callout,
    icon_button,
    muted,
    track_badge,
)
from cyberhub.models import SubmissionStatus
from cyberhub.pages.mission.data import RubricRow
from cyberhub.pages.mission.due import due_badge
from cyberhub.pages.mission.hints import hints_section
from cyberhub.pages.mission.state import MissionState
from cyberhub.schemas.learning import MissionRef
from cyberhub.services.learning import submissions

UPLOAD_ID = "work_file"
ALLOWED_TYPES = ", ".join(ext.upper() for ext in submissions.ALLOWED_FILES)
MAX_MB = submissions.MAX_UPLOAD_BYTES // (1024 * 1024)
# react-dropzone's accept map (content type -> extensions); the service checks again.
UPLOAD_ACCEPT: dict[str, list[str]] = {}
for _ext, _type in submissions.ALLOWED_FILES.items():
    UPLOAD_ACCEPT.setdefault(_type, []).append(f".{_ext}")

FEEDBACK_ID = "feedback"
# A notification about a review links to /missions/<id>#feedback: the panel arrives after the
# page's data, so it brings itself into view and takes focus when it mounts. A function compiled
# into the page, not rx.call_script (that would reach the browser as a string to eval, which the
# Content-Security-Policy forbids).
_FOCUS_FEEDBACK: FunctionStringVar[Any] = FunctionStringVar.create(
    "(() => { if (window.location.hash !== '#feedback') return; "
    "const el = document.getElementById('feedback'); "
    "if (el) { el.scrollIntoView({block: 'start'}); el.focus({preventScroll: true}); } })"
)


def _rubric_row(c: rx.Var[RubricRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.text(c.title, weight="medium")),
        rx.table.cell(c.description),
        rx.table.cell(c.points),
    )


def _note(text: Any, icon: str, color: str, **props: Any) -> rx.Component:  # a full-width callout
    return wide_callout(text, icon=icon, color_scheme=color, **props)


def _mission_links(missions: rx.Var[list[MissionRef]]) -> rx.Component:
    return rx.foreach(
        missions,
        lambda p: rx.link(p.title, href="/missions/" + p.id.to(str), margin_right="0.75em"),
    )


def _label(text: str, html_for: str, hint: str = "") -> rx.Component:
    return rx.vstack(
        field_label(text, html_for),
        muted(hint, size="1") if hint else rx.fragment(),
        spacing="0",
    )


def _work_field(
    text: str, name: str, hint: str, value: rx.Var[str], **area_props: Any
) -> tuple[rx.Component, rx.Component]:
    """A text area of the work form (its id and form name both `name`) and, above it, its label
    and hint; `area_props`: rows, max_length, placeholder."""
    area = rx.text_area(id=name, name=name, default_value=value, width="100%", **area_props)
    return _label(text, name, hint), area


def _file_box() -> rx.Component:
    S = MissionState
    return full_column(
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
                rx.button(
                    "Remove",
                    type="button",
                    size="1",
                    variant="ghost",
                    aria_label="Remove " + S.draft_file + " from your draft",
                    on_click=S.set_remove_file_open(True),
                ),
                align="center",
                data_testid="draft-file",
            ),
        ),
        flag_confirm(
            S,
            "remove_file_open",
            "Remove " + S.draft_file + "?",
            "It is deleted from your draft; to attach it again you will upload it again.",
            confirm="Remove file",
            on_confirm=S.remove_file,
            cancel="Keep it",
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
        icon_button(
            "upload",
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
        align="start",
        spacing="2",
    )


def _feedback_panel() -> rx.Component:
    """The mentor's review of the previous attempt, above the form of the next one."""
    S = MissionState
    return rx.card(
        full_column(
            rx.heading(
                "Your mentor's feedback on attempt ",
                S.feedback.attempt.to(str),
                size="4",
                as_="h3",
            ),
            muted(
                "Your next attempt starts from that one: change what the feedback asks for, "
                "then resubmit."
            ),
            review_block(S.feedback),
            align="start",
            spacing="2",
        ),
        id=FEEDBACK_ID,
        tab_index=-1,
        width="100%",
        data_testid="feedback-panel",
        on_mount=_FOCUS_FEEDBACK,
    )


def _saving_buttons(intent: str) -> list[Any]:
    """A Save / Submit click: remember the intent, and attach the file chosen but not attached
    yet (the form's submit event then waits for it: MissionState.save_work)."""
    S = MissionState
    return [
        S.set_intent(intent, rx.selected_files(UPLOAD_ID)),
        S.attach_pending(rx.upload_files(upload_id=UPLOAD_ID)),
        rx.clear_selected_files(UPLOAD_ID),
    ]


def _work_form() -> rx.Component:
    S = MissionState
    return page_column(
        rx.cond(S.has_feedback, _feedback_panel()),
        rx.form(
            full_column(
                *_work_field(
                    "Your answer",
                    "answer",
                    "Markdown is fine. At least 20 characters to submit.",
                    S.answer,
                    rows="10",
                    max_length=submissions.ANSWER_MAX,
                ),
                *_work_field(
                    "Links (one per line)",
                    "links",
                    f"Full http(s) URLs, at most {submissions.MAX_LINKS}.",
                    S.links_text,
                    rows="3",
                    placeholder="https://github.com/you/repo",
                ),
                error_callout(S.form_error),
                rx.hstack(
                    rx.button(
                        "Save draft",
                        type="submit",
                        variant="soft",
                        disabled=S.saving,
                        on_click=_saving_buttons("draft"),
                    ),
                    rx.button(
                        rx.cond(S.resubmitting, "Resubmit", "Submit for review"),
                        type="submit",
                        loading=S.saving,
                        on_click=_saving_buttons("submit"),
                    ),
                    spacing="3",
                ),
                align="start",
                spacing="2",
            ),
            on_submit=S.save_work,
            width="100%",
        ),
        _file_box(),
        align="start",
    )


def _state_callouts() -> rx.Component:
    """Why the form is not shown (no longer offered, locked, not enrolled, waiting, approved)."""
    S = MissionState
    return rx.cond(
        S.mission.retired,
        _note(
            "This mission is no longer offered, so it takes no new work. Work you already "
            "submitted is still reviewed, and its review shows here.",
            "archive",
            "gray",
            data_testid="retired-callout",
        ),
        _known_mission_callouts(),
    )


def _known_mission_callouts() -> rx.Component:
    """_state_callouts for a mission still offered."""
    S = MissionState
    return rx.cond(
        S.work.locked,
        _note(
            rx.text(
                "This mission is locked until your work on these missions is approved: ",
                _mission_links(S.missing),
            ),
            "lock",
            "gray",
            data_testid="locked-callout",
        ),
        rx.cond(
            ~S.work.enrolled,
            _note(
                "You are not enrolled in a programme that runs this mission, so you can read it "
                "but not start it or submit work yet. Join a cohort that runs it to start.",
                "user_x",
                "amber",
                data_testid="not-enrolled-callout",
            ),
            rx.cond(
                S.status == SubmissionStatus.approved,
                _note(
                    "Your work on this mission is approved. Well done!",
                    "circle_check",
                    "green",
                ),
                rx.cond(
                    S.waiting,
                    _note(
                        "Your latest attempt is waiting for a mentor's review. You will be "
                        "notified; you can submit again if changes are requested.",
                        "hourglass",
                        "blue",
                    ),
                ),
            ),
        ),
    )


def _your_work() -> rx.Component:
    S = MissionState
    return full_column(
        rx.hstack(
            rx.heading("Your work", size="5", as_="h2"),
            rx.cond(S.is_student, status_badge(S.status, testid="work-status")),
            align="center",
            spacing="3",
        ),
        rx.cond(
            S.is_student,
            full_column(
                notice_callout(S.notice),
                _state_callouts(),
                rx.cond(S.work.can_submit, _work_form()),
                rx.heading("Attempt history", size="4", as_="h3"),
                error_callout(S.download_error),
                rx.box(
                    list_or(
                        S.attempts,
                        attempt_renderer(download=S.download_file),
                        "You have not submitted this mission yet.",
                    ),
                    width="100%",
                    data_testid="attempt-history",
                    # Without the feedback panel (approved, or waiting), a review notification's
                    # #feedback lands on the history, newest review first.
                    id=rx.cond(S.has_feedback, "attempt-history", FEEDBACK_ID),
                    tab_index=-1,
                    on_mount=_FOCUS_FEEDBACK,
                ),
                rx.heading("Status timeline", size="4", as_="h3"),
                timeline(S.events),
                align="start",
                spacing="3",
            ),
            rx.text(
                "Only students submit work on missions; mentors review it from their dashboard.",
                color_scheme="gray",
            ),
        ),
        align="start",
        spacing="3",
    )


def mission_content() -> rx.Component:
    S = MissionState
    m = S.mission
    return once_found(
        S.loading,
        "Loading mission…",
        S.error,
        "Mission not found",
        link_button("Back to missions", href="/missions"),
        page_column(
            rx.link("← All missions", href="/missions", size="2"),
            rx.hstack(
                track_badge(m.track),
                difficulty_badge(m.difficulty),
                rx.badge(m.minutes, " min", variant="soft", color_scheme="gray"),
                due_badge(),
                wrap="wrap",
            ),
            rx.heading(m.title, size="7", as_="h1"),
            rx.text(m.summary, size="3", color_scheme="gray"),
            badge_row(
                m.skills,
                lambda s: rx.badge(s, variant="soft", color_scheme="gray"),
                gap="0.3em",
            ),
            rx.cond(
                m.prerequisites.length() > 0,
                wide_callout(rx.text("Builds on: ", _mission_links(m.prerequisites)), icon="link"),
            ),
            rx.card(safe_markdown(m.brief), width="100%", class_name="mission-brief"),
            rx.heading("How it is assessed", size="5", as_="h2"),
            rubric_table(rx.foreach(m.rubric, _rubric_row), variant="surface"),
            hints_section(),
            rx.divider(),
            _your_work(),
            align="start",
        ),
    )
