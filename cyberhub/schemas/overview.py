"""The signed-in home (/dashboard): programmes, their cohorts and, for admins, user counts."""

from __future__ import annotations

from pydantic import BaseModel


class CohortBrief(BaseModel):
    name: str
    dates: str  # "3 Mar 2026 – 30 Jun 2026"
    capacity: int
    status: str  # running, upcoming, finished


class TrackCount(BaseModel):
    track: str
    count: int


class ProgramOverview(BaseModel):
    name: str
    description: str
    cohorts: list[CohortBrief]
    missions: int
    missions_by_track: list[TrackCount]


class RoleCount(BaseModel):
    role: str
    count: int


class HomeOverview(BaseModel):
    programs: list[ProgramOverview]
    users_total: int = 0  # admins only (0 for everyone else)
    users_by_role: list[RoleCount] = []
