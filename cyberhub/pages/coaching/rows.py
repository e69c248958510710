"""The /coaching page's rows, already written for the reader: each habit with the days open
for a check-in and its streak, each goal with its progress line, each reflection, the week's
figures (CoachingState holds them)."""

from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel

from cyberhub.formatting import plural, when
from cyberhub.schemas.coaching import (
    CoachingOverview,
    Figure,
    GoalPublic,
    HabitPublic,
    ReflectionPublic,
)
from cyberhub.schemas.rows import from_row


class DayChoice(BaseModel):
    value: str  # ISO date
    label: str  # "today", "yesterday", "Tue 1 Dec"


class CheckinView(BaseModel):
    """A past check-in in a habit's recent history, or a note in the week's summary."""

    day: str  # "today", "yesterday", "Tue 1 Dec"
    note: str  # the learner's markdown ("" when none)
    habit: str = ""  # the habit's title (the week's notes)


class HabitView(BaseModel):
    id: int
    title: str
    cadence: str  # "Every day"
    streak: str  # "3 days in a row · best 5 days"
    current: int
    done: bool  # today's period is checked in
    week: str  # "4 check-ins this week"
    reminder: str  # "Reminder at 19:00" or ""
    link: str  # "Builders track · Linux hardening", or ""
    days: list[DayChoice]  # open for a check-in, today first
    history: list[CheckinView]  # the last few check-ins with their notes, newest first


class GoalView(BaseModel):
    id: int
    title: str
    why: str
    percent: int
    progress: str  # "2 of 3 missions approved · 67%", "40 % (your estimate)"
    status: str
    target: str  # "Target 1 Jun 2027" or ""
    overdue: str = ""  # "Overdue since 2 Jun 2027" (still active after its target date) or ""
    links: str  # "Missions: Harden a server, Write a policy"
    active: bool
    week: str = ""  # "+20 % this week", "no change this week", "" (manual or set this week)


class ReflectionView(BaseModel):
    id: int
    body: str
    prompt: str
    feeling: str  # "Mood 4/5 · energy 2/5"
    shared: bool
    when: str


class FigureView(BaseModel):
    label: str
    this_week: int
    change: str  # "+3 on last week", "same as last week"


def day_label(d: date, today: date) -> str:
    if d == today:
        return "today"
    if d == today - timedelta(days=1):
        return "yesterday"
    return d.strftime("%a %-d %b")


def habit_view(h: HabitPublic, today: date) -> HabitView:
    s = h.streak
    streak = f"{plural(s.current, s.unit)} in a row · best {plural(s.longest, s.unit)}"
    return HabitView(
        id=h.id,
        title=h.title,
        cadence=h.cadence_label,
        streak=streak,
        current=s.current,
        done=h.done_today,
        week=f"{plural(h.week_count, 'check-in')} this week",
        reminder=f"Reminder at {h.reminder_time.strftime('%H:%M')}" if h.reminder_time else "",
        link=" · ".join(x for x in (f"{h.track_name} track" if h.track_name else "", h.skill) if x),
        days=[DayChoice(value=d.isoformat(), label=day_label(d, today)) for d in h.open_days],
        history=[CheckinView(day=day_label(c.day, today), note=c.note) for c in h.recent],
    )


def _goal_week(change: int | None) -> str:
    if change is None:
        return ""
    return f"{change:+d} % this week" if change else "no change this week"


def progress_line(g: GoalPublic) -> str:
    """The card's progress line: the source's count and the percentage — once: a goal measured
    by the learner's estimate already says it ("40 % (your estimate)")."""
    if g.progress_source == "manual" and g.status != "achieved":
        return g.progress_label
    return f"{g.progress_label} · {g.percent}%"


def goal_view(g: GoalPublic, change: int | None = None) -> GoalView:
    links = ""
    if g.progress_source == "missions":
        links = "Missions: " + ", ".join(m.title for m in g.missions)
    elif g.progress_source == "habits":
        links = "Habits: " + ", ".join(h.title for h in g.habits)
    return from_row(
        GoalView,
        g,
        progress=progress_line(g),
        target=f"Target {when(g.target_date, style='date')}" if g.target_date else "",
        overdue=(
            f"Overdue since {when(g.target_date + timedelta(days=1), style='date')}"
            if g.overdue and g.target_date
            else ""
        ),
        links=links,
        active=g.status == "active",
        week=_goal_week(change),
    )


def reflection_view(r: ReflectionPublic, tz: str) -> ReflectionView:
    parts = [f"Mood {r.mood}/5" if r.mood else "", f"energy {r.energy}/5" if r.energy else ""]
    return from_row(
        ReflectionView,
        r,
        feeling=" · ".join(p for p in parts if p),
        shared=r.visibility == "mentor",
        when=when(r.created_at, tz),
    )


def _change(f: Figure) -> str:
    if f.change == 0:
        return "same as last week"
    return f"{f.change:+d} on last week"


def figure_views(o: CoachingOverview) -> list[FigureView]:
    s = o.summary
    return [
        FigureView(label=label, this_week=f.this_week, change=_change(f))
        for label, f in (
            ("Check-ins", s.checkins),
            ("Reflections", s.reflections),
            ("Missions submitted", s.submissions),
            ("Missions approved", s.approvals),
        )
    ]
