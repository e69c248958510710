"""The catalog's state: filters, search and page from the address, one service call per page
(the cards with the learner's own status)."""

from collections.abc import Mapping

import reflex as rx
from pydantic import BaseModel
from sqlmodel import Session

from cyberhub.models import Role
from cyberhub.models.learning import TRACK_KEYS
from cyberhub.services.identity.permissions import Principal
from cyberhub.services.learning import catalog
from cyberhub.state import url_query
from cyberhub.state.paging import filter_setter
from cyberhub.state.service import ServiceState
from cyberhub.state.session import SessionState
from cyberhub.state.url_query import ALL

ROUTE = "/missions"


class CatalogCard(BaseModel):
    """A mission as the catalog's card shows it (`my_status`: the student's, "" for staff)."""

    id: int
    title: str
    summary: str
    track: str  # the track's name
    difficulty: int
    skills: list[str]
    minutes: int
    my_status: str
    recommended: int  # its rank in the learner's recommendations, 0 when not recommended


class TrackOption(BaseModel):
    key: str
    name: str


class CatalogPage(BaseModel):
    items: list[CatalogCard]
    total: int
    page: int  # the one asked for, or the last when it was past it
    pages: int
    tracks: list[TrackOption]
    skills: list[str]


def _search(session: Session, principal: Principal | None, f: catalog.MissionFilter) -> CatalogPage:
    # One call: the page of missions, with a student's own status on each of them.
    page = catalog.list_missions(session, principal, f)
    return CatalogPage(
        items=[
            CatalogCard(
                **m.model_dump(include={"title", "summary", "difficulty", "skills"}),
                id=m.id or 0,
                track=t.name,
                minutes=m.estimated_minutes,
                my_status=page.statuses.get(m.id or 0, ""),
                recommended=page.recommended.get(m.id or 0, 0),
            )
            for m, t in page.items
        ],
        total=page.total,
        page=page.page,
        pages=page.pages,
        tracks=[TrackOption(key=t.key, name=t.name) for t in catalog.list_tracks(session)],
        skills=catalog.all_skills(session, principal),
    )


STATUS_LABELS = [
    ("not_started", "Not started"),
    ("locked", "Locked"),
    ("in_progress", "In progress"),
    ("changes_requested", "Changes requested"),
    ("submitted", "Waiting for review"),
    ("in_review", "In review"),
    ("draft", "Draft"),
    ("approved", "Approved"),
]
STATUS_VALUES = {value for value, _ in STATUS_LABELS}
DIFFICULTY_VALUES = {str(d) for d in range(1, 6)}


class MissionCatalogState(ServiceState, url_query.AddressedList, rx.State):
    items: list[CatalogCard] = []
    total: int = 0
    track: str = ALL
    difficulty: str = ALL
    skill: str = ALL
    status: str = ALL
    sort: str = ""  # "" (track, then level) or "recommended"
    track_options: list[TrackOption] = []
    skill_options: list[str] = []
    # the skill type-ahead (components/combobox.py): what is typed, the list open, the highlight
    skill_text: str = ""
    skill_open: bool = False
    skill_active: int = -1
    loading: bool = True
    # Only a learner has a status on missions: the "My status" filter is theirs alone.
    is_student: bool = False

    @rx.event
    async def load(self) -> None:
        """Restores the filters, search and page from the URL (absent or unknown values mean
        "all"), so a shared link, a reload and Back all show the same list."""
        await self._load_from_address()

    async def _read_filters(self, params: Mapping[str, str]) -> None:
        self.track = url_query.choice(params, "track", TRACK_KEYS)
        self.difficulty = url_query.choice(params, "difficulty", DIFFICULTY_VALUES)
        self.skill = url_query.text(params, "skill", 100) or ALL
        self._close_skill()
        self.is_student = Role.student.value in (await self.get_state(SessionState)).roles
        self.status = url_query.choice(params, "status", STATUS_VALUES) if self.is_student else ALL
        self.sort = "recommended" if params.get("sort", "") == "recommended" else ""

    def _url(self) -> str:
        """The catalog's URL for the current filters: only what differs from the defaults."""
        filters = {
            "track": self.track,
            "difficulty": self.difficulty,
            "skill": self.skill,
            "status": self.status,
            "sort": self.sort,
        }
        return url_query.list_url(ROUTE, filters, self.query, self.page)

    async def _fetch(self) -> None:
        self.loading = True
        f = catalog.MissionFilter(
            track="" if self.track == ALL else self.track,
            difficulty=None if self.difficulty == ALL else int(self.difficulty),
            skill="" if self.skill == ALL else self.skill,
            status="" if self.status == ALL else self.status,
            sort="recommended" if self.sort == "recommended" else "",
            q=self.query,
            page=self.page,
            last_if_past=True,
        )
        found = await self._call(_search, f)
        self.loading = False
        if not found:
            return
        data = found.value
        self.items, self.total, self.pages = data.items, data.total, max(1, data.pages)
        self.page = data.page
        self.track_options, self.skill_options, self.error = data.tracks, data.skills, ""

    set_track = filter_setter("track")
    set_difficulty = filter_setter("difficulty")

    # the skill type-ahead -----------------------------------------------------------------------
    @rx.var
    def skill_matches(self) -> list[str]:
        typed = self.skill_text.strip().casefold()
        return [s for s in self.skill_options if typed in s.casefold()]

    def _close_skill(self) -> None:
        """Closes the list; the box shows the skill in force again (nothing typed is applied)."""
        self.skill_open, self.skill_active = False, -1
        self.skill_text = "" if self.skill == ALL else self.skill

    @rx.event
    def type_skill(self, value: str) -> None:
        self.skill_text, self.skill_open, self.skill_active = str(value)[:100], True, -1

    @rx.event
    async def pick_skill(self, value: str) -> None:
        self.skill = value if value in self.skill_options else ALL
        self._close_skill()
        self.page = 1
        await self._show()

    @rx.event
    def close_skill(self) -> None:
        self._close_skill()

    @rx.event
    async def skill_key(self, key: str) -> None:
        """ArrowDown / ArrowUp move through the matches (opening the list), Enter picks the
        highlighted one — or the only or exact match, or "any skill" when the box is empty —
        and Escape closes the list."""
        matches = self.skill_matches
        if key in ("ArrowDown", "ArrowUp"):
            step = 1 if key == "ArrowDown" else -1
            if self.skill_open and matches:
                start = -1 if step > 0 else len(matches)
                self.skill_active = (
                    (self.skill_active if self.skill_active >= 0 else start) + step
                ) % len(matches)
            self.skill_open = True
        elif key == "Escape":
            self._close_skill()
        elif key == "Enter":
            typed = self.skill_text.strip().casefold()
            exact = [s for s in matches if s.casefold() == typed]
            if 0 <= self.skill_active < len(matches):
                await self.pick_skill(matches[self.skill_active])
                return
            if not typed:
                await self.pick_skill(ALL)
                return
            if exact or len(matches) == 1:
                await self.pick_skill((exact or matches)[0])
                return
            self.skill_open = True  # several match: the list shows them

    set_status = filter_setter("status")

    @rx.event
    async def set_sort(self, value: str) -> None:
        await self._refilter("sort", "recommended" if value == "recommended" else "")

    @rx.event
    async def clear_filters(self) -> None:
        self.track = self.difficulty = self.skill = self.status = ALL
        self.query, self.page = "", 1  # the order is a preference, not a filter: kept
        await self._show()
