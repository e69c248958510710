"""Feedback snippets on the review page: the mission's saved snippets (shared by its mentors in the
learner's organisation), save the feedback being written as one, insert one into the feedback or
into a criterion's comment, delete your own after a confirmation. The rules are in services/learning/snippets.py."""

from __future__ import annotations

from typing import Any

import reflex as rx
from pydantic import BaseModel

from cyberhub.components.confirm import confirm_dialog
from cyberhub.components.layout import wrap_row
from cyberhub.components.markdown import safe_markdown
from cyberhub.components.ui import danger_button, error_callout, icon_button, muted
from cyberhub.formatting import when
from cyberhub.pages.review.state import ReviewState
from cyberhub.services.learning import snippets
from cyberhub.state.dialogs import open_setter
from cyberhub.state.forms import url_id
from cyberhub.state.service import ServiceState


class SnippetRow(BaseModel):
    id: int
    body: str
    author: str
    mine: bool
    at: str


class SnippetState(ServiceState, rx.State):
    submission_id: int = 0
    rows: list[SnippetRow] = []
    snippet_error: str = ""
    snippet_notice: str = ""
    busy: bool = False
    delete_id: int = 0
    delete_open: bool = False

    async def _refresh(self) -> None:
        found = await self._try(snippets.list_snippets, self.submission_id)
        tz = await self._time_zone()
        self.rows = (
            [
                SnippetRow(
                    id=s.id, body=s.body, author=s.author, mine=s.mine, at=when(s.created_at, tz)
                )
                for s in found.value
            ]
            if found
            else []
        )

    @rx.event
    async def load(self) -> None:
        self.rows, self.snippet_error, self.snippet_notice = [], "", ""
        self.busy, self.delete_id, self.delete_open = False, 0, False
        submission_id = url_id(self, "submission_id")
        if submission_id is None:
            return
        self.submission_id = submission_id
        await self._refresh()

    @rx.event
    async def save(self) -> Any:
        """Save the feedback written so far as a snippet for this mission."""
        review = await self.get_state(ReviewState)
        self.snippet_error, self.snippet_notice, self.busy = "", "", True
        yield
        done = await self._try(snippets.create_snippet, self.submission_id, review.feedback)
        self.busy = False
        if not done:
            self.snippet_error = done.error
            return
        await self._refresh()
        self.snippet_notice = "Saved as a snippet: the mission's other mentors can use it too."

    @rx.event
    async def insert(self, snippet_id: int) -> None:
        """Add the snippet at the end of the feedback (after a blank line)."""
        row = next((r for r in self.rows if r.id == int(snippet_id)), None)
        if row is None:
            return
        review = await self.get_state(ReviewState)
        text = review.feedback.rstrip()
        review.feedback = f"{text}\n\n{row.body}" if text else row.body
        self.snippet_error, self.snippet_notice = "", "Snippet inserted into your feedback."

    @rx.event
    async def insert_into(self, snippet_id: int, key: str) -> None:
        """Add the snippet at the end of the comment on one criterion."""
        row = next((r for r in self.rows if r.id == int(snippet_id)), None)
        review = await self.get_state(ReviewState)
        if row is None or key not in review.typed_comments:
            return
        text = review.typed_comments[key].rstrip()
        review.typed_comments = {
            **review.typed_comments,
            key: f"{text}\n\n{row.body}" if text else row.body,
        }
        title = next((c.title for c in review.rubric if c.key == key), key)
        self.snippet_error, self.snippet_notice = (
            "",
            f"Snippet inserted into the comment on {title}.",
        )

    @rx.event
    def ask_delete(self, snippet_id: int) -> None:
        self.delete_id, self.delete_open = int(snippet_id), True

    set_delete_open = open_setter("delete_open")

    @rx.event
    async def delete(self) -> None:
        self.delete_open, self.snippet_error, self.snippet_notice = False, "", ""
        done = await self._try(snippets.delete_snippet, self.delete_id)
        if not done:
            self.snippet_error = done.error
        else:
            self.snippet_notice = "Snippet deleted."
        self.delete_id = 0
        await self._refresh()


S = SnippetState


def _snippet(s: rx.Var[SnippetRow]) -> rx.Component:
    S = SnippetState
    return rx.el.li(
        rx.box(safe_markdown(s.body), width="100%", class_name="snippet-body"),
        wrap_row(
            # a one-word name breaks (as in components/learning's "by <mentor>" line)
            muted("by ", s.author, " · ", s.at, size="1", overflow_wrap="anywhere"),
            rx.button(
                "Insert",
                type="button",
                size="1",
                variant="soft",
                on_click=S.insert(s.id),
                aria_label="Insert this snippet",
            ),
            rx.cond(
                ReviewState.rubric.length() > 0,
                rx.menu.root(
                    rx.menu.trigger(
                        rx.button(
                            "Insert into a comment",
                            rx.icon("chevron-down", size=14),
                            type="button",
                            size="1",
                            variant="soft",
                        )
                    ),
                    rx.menu.content(
                        rx.foreach(
                            ReviewState.rubric,
                            lambda c: rx.menu.item(
                                "Comment on ", c.title, on_click=S.insert_into(s.id, c.key)
                            ),
                        )
                    ),
                ),
            ),
            rx.cond(
                s.mine,
                danger_button(
                    "Delete", "Delete this snippet", S.ask_delete(s.id), size="1", type="button"
                ),
            ),
            spacing="2",
        ),
        style={"marginBottom": "0.75em"},
        data_testid="snippet",
    )


def snippets_panel() -> rx.Component:
    """Inside the review form: save the feedback as a snippet, the saved ones to insert."""
    return rx.vstack(
        wrap_row(
            rx.heading("Feedback snippets", size="3", as_="h3"),
            icon_button(
                "bookmark-plus",
                "Save feedback as snippet",
                type="button",
                size="1",
                variant="soft",
                on_click=S.save,
                disabled=S.busy,
            ),
            spacing="3",
        ),
        error_callout(S.snippet_error),
        rx.cond(
            S.snippet_notice != "",
            rx.text(S.snippet_notice, size="2", color_scheme="green", role="status"),
        ),
        rx.cond(
            S.rows.length() > 0,
            rx.el.ul(
                rx.foreach(S.rows, _snippet),
                style={"paddingLeft": "1.1em", "margin": "0", "width": "100%"},
            ),
            muted(
                "No snippets for this mission yet: write feedback you often give, then save it "
                "here to reuse it."
            ),
        ),
        confirm_dialog(
            "Delete this snippet?",
            "It is removed for every mentor of this mission. Reviews already sent keep their "
            "feedback.",
            confirm="Delete snippet",
            on_confirm=S.delete,
            open=S.delete_open,
            on_open_change=S.set_delete_open,
        ),
        spacing="2",
        width="100%",
        align="start",
        data_testid="snippets",
    )
