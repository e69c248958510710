"""/insights: a learner's goals and reflections (add, edit in place, delete after confirming)
and their work-style analysis — a bar and score per dimension with the evidence behind it,
computed by the worker ("Analyse again" queues it; the page shows that it is being prepared)."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from cyberhub import db
from cyberhub.components.shell import guarded, shell
from cyberhub.components.ui import empty_state, error_callout, loading_state, page_heading
from cyberhub.models import Role
from cyberhub.pages.registry import Page, register, roles
from cyberhub.services.ai import personality
from cyberhub.services.errors import DomainError
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning import learner_notes
from cyberhub.state.session import SessionState

ROUTE = "/insights"
KIND_LABELS = {"goal": "Goal", "reflection": "Reflection"}


# -- data (worker threads) ---------------------------------------------------------------------


def _when(iso: str | None) -> str:
    return f"{iso[:10]} {iso[11:16]} UTC" if iso else ""


def _note_view(n: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": n["id"],
        "kind": n["kind"],
        "kind_label": KIND_LABELS.get(n["kind"], n["kind"]),
        "body": n["body"],
        "when": _when(n["created_at"]) + (" · edited" if n["edited"] else ""),
    }


def _evidence_view(e: dict[str, Any]) -> dict[str, str]:
    if e.get("source") == "profiler":
        title, text = "Career profiler: " + str(e.get("question", "")), str(e.get("answer", ""))
    else:
        title, text = "From your reflection", str(e.get("excerpt", ""))
    return {"title": title, "text": text, "towards": "towards " + str(e.get("towards", ""))}


def _analysis_view(a: dict[str, Any]) -> dict[str, Any]:
    dims = [
        {
            "key": d["key"],
            "name": d["name"],
            "high": d["high"],
            "low": d["low"],
            "score": int(d["score"]),
            "label": d["label"],
            "description": d["description"],
            "evidence": [_evidence_view(e) for e in d.get("evidence", [])],
            "count": len(d.get("evidence", [])),
        }
        for d in a.get("dimensions", [])
    ]
    based = a.get("based_on") or {}
    parts = []
    if based.get("answers"):
        parts.append(f"{based['answers']} profiler answers")
    if based.get("reflections"):
        n = based["reflections"]
        parts.append(f"{n} reflection{'s' if n != 1 else ''}")
    basis = ""
    if dims:
        basis = "Based on " + (" and ".join(parts) or "your answers")
        basis += f" · analysed {_when(a.get('computed_at'))}"
    return {"status": a["status"], "message": a.get("message", ""), "dims": dims, "basis": basis}


def _read(principal: Principal | None) -> dict[str, Any]:
    with db.session_scope() as session:
        notes = learner_notes.list_notes(session, principal)
        analysis = personality.overview(session, principal)
        if analysis["status"] == "none":
            # Something to analyse and no analysis yet (e.g. the profiler was taken before this
            # feature existed): ask the worker for one instead of making the learner click.
            analysis = personality.request_analysis(session, principal)
        return {"notes": [_note_view(n) for n in notes], "analysis": _analysis_view(analysis)}


def _add(principal: Principal | None, kind: str, body: str) -> None:
    with db.session_scope() as session:
        learner_notes.add_note(session, principal, kind=kind, body=body)


def _edit(principal: Principal | None, note_id: int, kind: str, body: str) -> None:
    with db.session_scope() as session:
        learner_notes.update_note(session, principal, note_id, kind=kind, body=body)


def _delete(principal: Principal | None, note_id: int) -> None:
    with db.session_scope() as session:
        learner_notes.delete_note(session, principal, note_id)


def _analyse(principal: Principal | None) -> dict[str, Any]:
    with db.session_scope() as session:
        return _analysis_view(personality.request_analysis(session, principal))


# -- state -------------------------------------------------------------------------------------


class InsightsState(rx.State):
    loading: bool = True
    error: str = ""
    notice: str = ""
    notes: list[dict[str, Any]] = []
    # add
    new_kind: str = "reflection"
    new_body: str = ""
    add_error: str = ""
    saving: bool = False
    # edit in place
    editing_id: int = 0
    edit_kind: str = "reflection"
    edit_body: str = ""
    edit_error: str = ""
    # delete
    delete_open: bool = False
    delete_id: int = 0
    # analysis
    status: str = ""
    message: str = ""
    dims: list[dict[str, Any]] = []
    basis: str = ""
    analyse_error: str = ""
    queuing: bool = False

    async def _principal(self) -> Principal | None:
        return await (await self.get_state(SessionState)).principal()

    def _apply_analysis(self, a: dict[str, Any]) -> None:
        self.status, self.message, self.dims, self.basis = (
            a["status"],
            a["message"],
            a["dims"],
            a["basis"],
        )

    async def _fetch(self) -> None:
        data = await asyncio.to_thread(_read, await self._principal())
        self.notes = data["notes"]
        self._apply_analysis(data["analysis"])

    @rx.event
    async def load(self) -> None:
        self.loading, self.error, self.notice = True, "", ""
        self.add_error = self.edit_error = self.analyse_error = ""
        self.editing_id, self.delete_open = 0, False
        try:
            await self._fetch()
        except DomainError as exc:
            self.error = exc.message
        self.loading = False

    @rx.event
    async def refresh(self) -> None:
        self.notice, self.analyse_error = "", ""
        try:
            await self._fetch()
        except DomainError as exc:
            self.analyse_error = exc.message

    # add --------------------------------------------------------------------------------------
    @rx.event
    def set_new_kind(self, value: str) -> None:
        self.new_kind = value if value in KIND_LABELS else "reflection"

    @rx.event
    async def add(self, form: dict[str, Any]) -> Any:
        self.new_body = str(form.get("body", ""))[: learner_notes.BODY_MAX * 2]
        self.notice, self.saving = "", True
        yield
        try:
            await asyncio.to_thread(_add, await self._principal(), self.new_kind, self.new_body)
            await self._fetch()
        except DomainError as exc:
            self.add_error, self.saving = exc.message, False
            return
        self.add_error, self.new_body, self.saving = "", "", False
        self.notice = f"{KIND_LABELS.get(self.new_kind, 'Note')} saved."
        yield rx.set_value("note-body", "")

    # edit -------------------------------------------------------------------------------------
    @rx.event
    def start_edit(self, note: dict[str, Any]) -> None:
        self.editing_id = int(note.get("id") or 0)
        self.edit_kind = str(note.get("kind", "reflection"))
        self.edit_body = str(note.get("body", ""))
        self.edit_error, self.notice = "", ""

    @rx.event
    def cancel_edit(self) -> None:
        self.editing_id, self.edit_error = 0, ""

    @rx.event
    def set_edit_kind(self, value: str) -> None:
        self.edit_kind = value if value in KIND_LABELS else "reflection"

    @rx.event
    async def save_edit(self, form: dict[str, Any]) -> None:
        self.edit_body = str(form.get("body", ""))[: learner_notes.BODY_MAX * 2]
        try:
            await asyncio.to_thread(
                _edit, await self._principal(), self.editing_id, self.edit_kind, self.edit_body
            )
            await self._fetch()
        except DomainError as exc:
            self.edit_error = exc.message
            return
        self.editing_id, self.edit_error, self.notice = 0, "", "Changes saved."

    # delete -----------------------------------------------------------------------------------
    @rx.event
    def ask_delete(self, note_id: int) -> None:
        self.delete_id, self.delete_open = int(note_id), True

    @rx.event
    def set_delete_open(self, value: bool) -> None:
        self.delete_open = value

    @rx.event
    async def delete(self) -> None:
        self.delete_open, self.notice = False, ""
        try:
            await asyncio.to_thread(_delete, await self._principal(), self.delete_id)
            await self._fetch()
        except DomainError as exc:
            self.error = exc.message
            return
        if self.editing_id == self.delete_id:
            self.editing_id = 0
        self.notice = "Deleted."

    # analysis ---------------------------------------------------------------------------------
    @rx.event
    async def analyse(self) -> Any:
        self.analyse_error, self.notice, self.queuing = "", "", True
        yield
        try:
            view = await asyncio.to_thread(_analyse, await self._principal())
        except DomainError as exc:
            self.analyse_error, self.queuing = exc.message, False
            return
        self._apply_analysis(view)
        self.queuing = False


# -- components --------------------------------------------------------------------------------


def _label(text: str, for_id: str) -> rx.Component:
    return rx.el.label(text, html_for=for_id, font_weight="500")


def _kind_select(trigger_id: str, value: rx.Var[str], on_change: Any) -> rx.Component:
    return rx.select.root(
        rx.select.trigger(id=trigger_id, aria_label="Kind"),
        rx.select.content(
            rx.select.item("Reflection", value="reflection"),
            rx.select.item("Goal", value="goal"),
        ),
        value=value,
        on_change=on_change,
    )


def _add_form() -> rx.Component:
    S = InsightsState
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading("Add a goal or a reflection", size="4", as_="h3"),
                error_callout(S.add_error),
                rx.hstack(
                    _label("Kind", "note-kind"),
                    _kind_select("note-kind", S.new_kind, S.set_new_kind),
                    align="center",
                    spacing="2",
                ),
                _label("Your note", "note-body"),
                rx.text_area(
                    id="note-body",
                    name="body",
                    default_value=S.new_body,
                    placeholder=(
                        "A goal (“Pass my first CTF by June”) or a reflection on how a mission "
                        "went and how you like to work."
                    ),
                    max_length=learner_notes.BODY_MAX,
                    rows="4",
                    width="100%",
                ),
                rx.text(
                    f"Up to {learner_notes.BODY_MAX} characters; "
                    f"you can keep {learner_notes.MAX_NOTES} notes.",
                    size="1",
                    color_scheme="gray",
                ),
                rx.button(rx.icon("plus", size=16), "Save note", type="submit", loading=S.saving),
                spacing="2",
                width="100%",
                align="start",
            ),
            on_submit=S.add,
            reset_on_submit=False,
            width="100%",
        ),
        width="100%",
    )


def _edit_form(n: rx.Var[dict[str, Any]]) -> rx.Component:
    S = InsightsState
    return rx.form(
        rx.vstack(
            error_callout(S.edit_error),
            rx.hstack(
                _label("Kind", "edit-kind"),
                _kind_select("edit-kind", S.edit_kind, S.set_edit_kind),
                align="center",
                spacing="2",
            ),
            _label("Edit your note", "edit-body"),
            rx.text_area(
                id="edit-body",
                name="body",
                default_value=S.edit_body,
                max_length=learner_notes.BODY_MAX,
                rows="4",
                width="100%",
            ),
            rx.hstack(
                rx.button("Save changes", type="submit"),
                rx.button("Cancel", type="button", variant="soft", on_click=S.cancel_edit),
                spacing="2",
            ),
            spacing="2",
            width="100%",
        ),
        on_submit=S.save_edit,
        reset_on_submit=False,
        width="100%",
    )


def _note(n: rx.Var[dict[str, Any]]) -> rx.Component:
    S = InsightsState
    note_id = n["id"].to(int)
    return rx.card(
        rx.cond(
            S.editing_id == note_id,
            _edit_form(n),
            rx.vstack(
                rx.hstack(
                    rx.badge(
                        n["kind_label"],
                        color_scheme=rx.cond(n["kind"] == "goal", "violet", "teal"),
                        variant="soft",
                    ),
                    rx.text(n["when"], size="1", color_scheme="gray"),
                    spacing="2",
                    align="center",
                ),
                rx.text(n["body"], white_space="pre-wrap", overflow_wrap="anywhere"),
                rx.hstack(
                    rx.button(
                        rx.icon("pencil", size=14),
                        "Edit",
                        size="2",
                        variant="soft",
                        on_click=S.start_edit(n),
                        aria_label="Edit this " + n["kind"].to(str),
                    ),
                    rx.button(
                        rx.icon("trash_2", size=14),
                        "Delete",
                        size="2",
                        variant="soft",
                        color_scheme="red",
                        on_click=S.ask_delete(note_id),
                        aria_label="Delete this " + n["kind"].to(str),
                    ),
                    spacing="2",
                ),
                spacing="2",
                width="100%",
                align="start",
            ),
        ),
        width="100%",
        data_testid="note",
    )


def _delete_dialog() -> rx.Component:
    S = InsightsState
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title("Delete this note?"),
            rx.alert_dialog.description(
                "It is gone for good, and your recommendations and work-style analysis are "
                "updated without it."
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Keep it", variant="soft")),
                rx.alert_dialog.action(rx.button("Delete", color_scheme="red", on_click=S.delete)),
                justify="end",
                spacing="3",
                padding_top="1em",
            ),
        ),
        open=S.delete_open,
        on_open_change=S.set_delete_open,
    )


def _notes_section() -> rx.Component:
    S = InsightsState
    return rx.vstack(
        rx.heading("Goals & reflections", size="5", as_="h2"),
        rx.text(
            "What you want to achieve and how your missions went. They shape your mission "
            "recommendations and your work-style analysis.",
            size="2",
            color_scheme="gray",
        ),
        _add_form(),
        rx.cond(
            S.notes.length() > 0,
            rx.vstack(rx.foreach(S.notes, _note), spacing="2", width="100%"),
            empty_state(
                "No goals or reflections yet",
                "Write your first one above: a goal you are working towards, or a few lines on "
                "how a mission went.",
            ),
        ),
        spacing="3",
        width="100%",
    )


def _evidence(e: rx.Var[dict[str, str]]) -> rx.Component:
    return rx.el.li(
        rx.text(e["title"], size="1", color_scheme="gray"),
        rx.text("“", e["text"], "”", size="2"),
        rx.text(e["towards"], size="1", color_scheme="gray", font_style="italic"),
        margin_bottom="0.5em",
    )


def _dimension(d: rx.Var[dict[str, Any]]) -> rx.Component:
    score = d["score"].to(int)
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(d["name"], size="3", as_="h3"),
                rx.badge(d["label"], variant="soft", size="2"),
                justify="between",
                align="center",
                width="100%",
                wrap="wrap",
            ),
            rx.hstack(
                rx.text(d["low"], size="1", color_scheme="gray", min_width="7em"),
                rx.progress(
                    value=score,
                    max=100,
                    width="100%",
                    aria_label=d["name"].to(str) + ": " + score.to_string() + " of 100",
                ),
                rx.text(d["high"], size="1", color_scheme="gray", min_width="7em", align="right"),
                align="center",
                width="100%",
                spacing="2",
            ),
            rx.text(score, " / 100 · ", d["description"], size="2"),
            rx.cond(
                d["count"].to(int) > 0,
                rx.el.details(
                    rx.el.summary(
                        "Evidence (",
                        d["count"],
                        ")",
                        cursor="pointer",
                        font_size="0.9em",
                        min_height="24px",
                    ),
                    rx.el.ul(
                        rx.foreach(d["evidence"].to(list[dict[str, str]]), _evidence),
                        padding_left="1.2em",
                        margin_top="0.5em",
                    ),
                    width="100%",
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
        data_testid="dimension",
    )


def _analysis_section() -> rx.Component:
    S = InsightsState
    prepared = rx.callout(
        rx.hstack(
            rx.text(S.message),
            rx.button(rx.icon("refresh_cw", size=14), "Refresh", size="1", on_click=S.refresh),
            align="center",
            spacing="3",
            wrap="wrap",
        ),
        icon="hourglass",
        color_scheme="blue",
        role="status",
        width="100%",
    )
    return rx.vstack(
        rx.hstack(
            rx.heading("Your work style", size="5", as_="h2"),
            rx.cond(
                (S.status != "off") & (S.status != "empty"),
                rx.button(
                    rx.icon("sparkles", size=16),
                    "Analyse again",
                    variant="soft",
                    on_click=S.analyse,
                    loading=S.queuing,
                ),
            ),
            justify="between",
            align="center",
            width="100%",
            wrap="wrap",
        ),
        rx.text(
            "An AI reading of your profiler answers and reflections: a few tendencies, each "
            "with what it is based on. It describes how you like to work, not how good you are.",
            size="2",
            color_scheme="gray",
        ),
        error_callout(S.analyse_error),
        rx.match(
            S.status,
            (
                "off",
                rx.callout(
                    rx.vstack(
                        rx.text(S.message),
                        rx.link("Open Privacy & consents", href="/settings/privacy"),
                        spacing="1",
                    ),
                    icon="shield_off",
                    color_scheme="amber",
                    width="100%",
                ),
            ),
            (
                "empty",
                empty_state(
                    "Nothing to analyse yet",
                    S.message,
                    rx.link("Take the career profiler", href="/onboarding/ai-profiler"),
                ),
            ),
            ("none", prepared),
            ("queued", prepared),
            ("pending", prepared),
            rx.fragment(),
        ),
        rx.cond(
            S.dims.length() > 0,
            rx.vstack(
                rx.foreach(S.dims, _dimension),
                rx.text(S.basis, size="1", color_scheme="gray"),
                spacing="2",
                width="100%",
            ),
        ),
        spacing="3",
        width="100%",
        data_testid="analysis",
    )


def insights_content() -> rx.Component:
    S = InsightsState
    return rx.vstack(
        page_heading("Insights", "Your goals, your reflections, and how you like to work."),
        error_callout(S.error),
        rx.cond(
            S.notice != "",
            rx.callout(S.notice, icon="check", color_scheme="green", role="status", width="100%"),
        ),
        rx.cond(
            S.loading,
            loading_state("Loading your insights…"),
            rx.grid(
                _notes_section(),
                _analysis_section(),
                columns=rx.breakpoints(initial="1", md="2"),
                gap="2em",
                width="100%",
            ),
        ),
        _delete_dialog(),
        spacing="4",
        width="100%",
    )


def insights_page() -> rx.Component:
    return shell(guarded(ROUTE, insights_content()))


page = register(
    Page(
        route=ROUTE,
        title="Insights · CyberHub",
        component=insights_page,
        access=roles(Role.student),
        on_load=(InsightsState.load,),
        nav_label="Insights",
        nav_order=35,
    )
)
