"""Load CyberHub at scale: 100,000 learners, 1,000 missions and 1,000,000 submissions (COPY).

    source scripts/env.sh && python bench/seed_scale.py            # throwaway embedded PostgreSQL
    DATABASE_URL=postgresql://... python bench/seed_scale.py        # an empty, migratable database

Without DATABASE_URL the data goes to an embedded PostgreSQL in its own data directory
(/tmp/cyberhub-scale/pg by default, replaced on every run; the server is stopped at the end and
bench/dashboards.py starts it again). Migrations run first; rows are written with COPY (psycopg),
never row by row; ANALYZE at the end.

Shape (one organization, one flagship programme, so every dashboard query sees the full volume):
- 5 tracks, 1,000 missions (200 per track; titles, briefs, rubric, hints, skills; ~96 %
  published; ~30 % with one or two prerequisites of lower difficulty in the same track);
- 400 cohorts of 250 learners over the last two years, 20 directors (20 cohorts each);
- 4,000 mentors (1 per 25 learners): 10 serve each cohort (capacity 30), each assigned 25;
- 100,000 learners, each enrolled in one cohort (2 % withdrawn), working mostly on their track
  in order of difficulty: earlier missions approved (some waiting for the student after changes
  requested), the latest one or two in progress (draft, submitted, in review, changes
  requested); 18 % of missions needed a second or third attempt;
- a review (scores per criterion, feedback) for every decided attempt, and the student's
  "review done" notification for it (read after a week).
Submission events and hint reveals are not generated: no dashboard reads them.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DIR = Path("/tmp/cyberhub-scale")
DB_NAME = "cyberhub_scale"
SCALE_PASSWORD = "Scale-Bench-2026"
TRACKS = ("builders", "leaders", "entrepreneurs", "researchers", "educators")
COHORT_SIZE = 250
MENTEES_PER_MENTOR = 25
COHORTS_PER_DIRECTOR = 20

# -- missions: realistic titles and briefs per track ------------------------------------------

VOCAB: dict[str, dict[str, list[str]]] = {
    "builders": {
        "verbs": [
            "Harden",
            "Automate security checks for",
            "Threat model",
            "Containerise and scan",
            "Add secrets management to",
            "Lock down",
            "Audit the configuration of",
            "Build detection-friendly logging into",
        ],
        "subjects": [
            "an Nginx reverse proxy",
            "a Django REST API",
            "a GitHub Actions pipeline",
            "a PostgreSQL database",
            "an S3 bucket policy",
            "a Kubernetes ingress",
            "a Terraform module",
            "an SSH bastion host",
            "a Node.js microservice",
            "a Redis cache",
            "a WordPress site",
            "a mobile banking backend",
        ],
        "skills": [
            "linux",
            "docker",
            "kubernetes",
            "terraform",
            "ci/cd",
            "owasp",
            "python",
            "aws",
            "secrets management",
            "logging",
        ],
    },
    "leaders": {
        "verbs": ["Write", "Assess", "Present", "Run", "Review", "Build", "Negotiate", "Measure"],
        "subjects": [
            "an incident response plan",
            "a cyber risk register",
            "a vendor security review",
            "a business continuity plan",
            "a data protection impact assessment",
            "a security awareness programme",
            "a board-level risk report",
            "an access review process",
            "a backup policy",
            "a third-party risk questionnaire",
            "a security budget",
            "a KPI dashboard",
        ],
        "skills": [
            "governance",
            "risk management",
            "nist csf",
            "iso 27001",
            "kenya dpa",
            "communication",
            "policy",
            "incident response",
            "metrics",
            "budgeting",
        ],
    },
    "entrepreneurs": {
        "verbs": [
            "Price",
            "Pitch",
            "Package",
            "Validate demand for",
            "Model the economics of",
            "Design the sales process for",
            "Write the go-to-market plan for",
            "Build a partner programme for",
        ],
        "subjects": [
            "a managed detection service",
            "a penetration testing offer",
            "a compliance readiness package",
            "a security awareness SaaS",
            "a virtual CISO retainer",
            "a cyber insurance partnership",
            "a bug bounty platform",
            "a SOC-as-a-service",
            "a phishing simulation tool",
            "a secure hosting offer",
            "a data protection consultancy",
            "an OT security assessment",
        ],
        "skills": [
            "pricing",
            "customer discovery",
            "sales",
            "unit economics",
            "pitching",
            "contracts",
            "marketing",
            "partnerships",
            "compliance",
            "product",
        ],
    },
    "researchers": {
        "verbs": [
            "Analyse",
            "Reverse engineer",
            "Hunt for",
            "Triage",
            "Write detections for",
            "Map to MITRE ATT&CK",
            "Investigate",
            "Write an advisory on",
        ],
        "subjects": [
            "a credential-stealing Android app",
            "a phishing kit",
            "a ransomware loader",
            "Kerberoasting activity",
            "a malicious Office macro",
            "a C2 beacon in Zeek logs",
            "a supply-chain backdoor",
            "a web shell on IIS",
            "a mobile money SIM-swap campaign",
            "a cryptominer on Linux",
            "a BEC attack on a SACCO",
            "a vulnerable router firmware",
        ],
        "skills": [
            "malware analysis",
            "yara",
            "sigma",
            "wireshark",
            "zeek",
            "volatility",
            "ghidra",
            "threat intelligence",
            "mitre att&ck",
            "fuzzing",
        ],
    },
    "educators": {
        "verbs": [
            "Teach",
            "Design",
            "Create",
            "Run",
            "Assess learners in",
            "Coach a cohort on",
            "Build a lab for",
            "Write a study guide for",
        ],
        "subjects": [
            "SQL injection",
            "password managers",
            "cross-site scripting",
            "log analysis",
            "career paths in security",
            "network basics",
            "phishing awareness",
            "secure coding in Python",
            "incident handling",
            "cloud security fundamentals",
            "digital safety for journalists",
            "mobile device security",
        ],
        "skills": [
            "instructional design",
            "assessment",
            "lab design",
            "ctf",
            "facilitation",
            "mentoring",
            "accessibility",
            "curriculum",
            "public speaking",
            "writing",
        ],
    },
}
CONTEXTS = [
    "for a mobile money startup",
    "for a county hospital",
    "for an e-commerce shop",
    "for a SACCO",
    "for an NGO field office",
    "for a school network",
    "for a logistics company",
    "for a fintech in Lagos",
    "for a university lab",
    "for a government agency",
]
CRITERIA = [
    ("approach", "Approach"),
    ("evidence", "Evidence"),
    ("accuracy", "Accuracy"),
    ("communication", "Communication"),
]
DIFFICULTIES = [1] * 20 + [2] * 25 + [3] * 25 + [4] * 18 + [5] * 12


@dataclass
class MissionRow:
    id: int
    track: str
    difficulty: int
    status: str
    prereqs: list[int] = field(default_factory=list)


def now_utc() -> datetime:
    return datetime.now(UTC)


def brief(title: str, context: str, skills: list[str]) -> str:
    return (
        f"## Scenario\n\nYou have been asked to {title[0].lower() + title[1:]}. The team "
        f"{context.removeprefix('for ')} has little time and no dedicated security staff, so "
        "your work must be practical, evidenced and easy to hand over.\n\n## Your task\n\n"
        f"Plan the work, carry it out in a lab you control, and record what you did using "
        f"{', '.join(skills)}. Explain the trade-offs you made.\n\n## Deliverables\n\n"
        "- a short report (what, why, evidence)\n- the scripts, configs or documents you produced"
        "\n- what you would do next with more time"
    )


def make_missions(rng: random.Random, count: int) -> tuple[list[tuple[Any, ...]], list[MissionRow]]:
    """Mission rows (for COPY) and what the rest of the generator needs to know about them."""
    rows: list[tuple[Any, ...]] = []
    meta: list[MissionRow] = []
    per_track = count // len(TRACKS)
    mission_id = 0
    created = now_utc() - timedelta(days=800)
    for t, track in enumerate(TRACKS):
        v = VOCAB[track]
        combos = [(a, b, c) for a in v["verbs"] for b in v["subjects"] for c in CONTEXTS]
        rng.shuffle(combos)
        n = per_track + (count - per_track * len(TRACKS) if t == len(TRACKS) - 1 else 0)
        for i, (verb, subject, context) in enumerate(combos[:n]):
            mission_id += 1
            title = f"{verb} {subject} {context}"
            skills = rng.sample(v["skills"], 3)
            difficulty = rng.choice(DIFFICULTIES)
            status = rng.choices(["published", "draft", "archived"], [96, 2, 2])[0]
            rubric = [
                {
                    "key": key,
                    "title": name,
                    "description": f"{name} meets the brief.",
                    "points": pts,
                }
                for (key, name), pts in zip(CRITERIA, (30, 30, 20, 20), strict=True)
            ]
            hints = [
                f"Start with the {skills[0]} basics.",
                "Keep a log of every step.",
                "Compare your result with the brief's deliverables.",
            ]
            rows.append(
                (
                    mission_id,
                    None,  # a library mission, run by the programme (program_missions)
                    t + 1,
                    f"{track}-{i + 1:03d}-{mission_id}",
                    title[:200],
                    f"{verb} {subject} — a {track} mission, difficulty {difficulty}."[:400],
                    brief(title, context, skills),
                    difficulty,
                    skills,
                    rng.choice([60, 90, 120, 180, 240, 360]),
                    json.dumps(rubric),
                    json.dumps(hints),
                    "[]",
                    None,
                    status,
                    created,
                    created,
                )
            )
            meta.append(MissionRow(mission_id, track, difficulty, status))
    by_track: dict[str, list[MissionRow]] = {}
    for m in meta:
        by_track.setdefault(m.track, []).append(m)
    for ms in by_track.values():
        for m in ms:
            easier = [o.id for o in ms if o.difficulty < m.difficulty and o.status == "published"]
            if easier and rng.random() < 0.3:
                m.prereqs = rng.sample(easier, min(len(easier), rng.choice([1, 1, 2])))
    return rows, meta


# -- people, cohorts, work --------------------------------------------------------------------


@dataclass
class Plan:
    """Every table's rows, in COPY column order."""

    users: list[tuple[Any, ...]] = field(default_factory=list)
    roles: list[tuple[Any, ...]] = field(default_factory=list)
    cohorts: list[tuple[Any, ...]] = field(default_factory=list)
    cohort_mentors: list[tuple[Any, ...]] = field(default_factory=list)
    enrollments: list[tuple[Any, ...]] = field(default_factory=list)
    assignments: list[tuple[Any, ...]] = field(default_factory=list)
    submissions: list[tuple[Any, ...]] = field(default_factory=list)
    reviews: list[tuple[Any, ...]] = field(default_factory=list)
    notifications: list[tuple[Any, ...]] = field(default_factory=list)


OPEN_MIX = (
    ["submitted"] * 35
    + ["in_review"] * 10
    + ["draft"] * 25
    + ["changes_requested"] * 15
    + ["approved"] * 15
)


def make_people_and_work(
    rng: random.Random,
    missions: list[MissionRow],
    learners: int,
    target_submissions: int,
    password_hash: str,
) -> Plan:
    plan = Plan()
    now = now_utc()
    n_cohorts = max(1, learners // COHORT_SIZE)
    n_mentors = max(1, learners // MENTEES_PER_MENTOR)
    n_directors = max(1, n_cohorts // COHORTS_PER_DIRECTOR)
    uid = 0

    def user(email: str, name: str, role: str, created: datetime) -> int:
        nonlocal uid
        uid += 1
        plan.users.append((uid, email, name, password_hash, True, created, None, 0))
        plan.roles.append((uid, uid, role, 1, None, "scale seed", created))
        return uid

    first = [
        "Amina",
        "Brian",
        "Grace",
        "Kofi",
        "Wanjiru",
        "Otieno",
        "Fatuma",
        "Juma",
        "Esther",
        "David",
        "Halima",
        "Peter",
        "Neema",
        "Samuel",
        "Zainabu",
        "Kevin",
        "Lucy",
        "Aisha",
        "Chinedu",
        "Thandiwe",
        "Yaw",
        "Nia",
        "Moses",
        "Ruth",
    ]
    last = [
        "Njoroge",
        "Otieno",
        "Mensah",
        "Wanjiku",
        "Kamau",
        "Achieng",
        "Kiprop",
        "Hassan",
        "Mwangi",
        "Okafor",
        "Abebe",
        "Banda",
        "Dlamini",
        "Mutua",
        "Yusuf",
        "Ali",
        "Owusu",
        "Nkosi",
        "Mbeki",
        "Adeyemi",
    ]

    def name() -> str:
        return f"{rng.choice(first)} {rng.choice(last)}"

    old = now - timedelta(days=760)
    directors = [
        user(f"director{i}@scale.example", name(), "director", old) for i in range(n_directors)
    ]
    cohort_start: list[date] = []
    for c in range(n_cohorts):
        starts = (now - timedelta(days=730 * (n_cohorts - c) / n_cohorts)).date()
        cohort_start.append(starts)
        plan.cohorts.append(
            (
                c + 1,
                1,
                f"Cohort {c + 1:03d} ({starts:%b %Y})",
                starts,
                starts + timedelta(days=84),
                COHORT_SIZE + 10,
                directors[c // COHORTS_PER_DIRECTOR % n_directors],
                old,
            )
        )
    mentors_by_cohort: dict[int, list[int]] = {}
    for m in range(n_mentors):
        cohort = m % n_cohorts + 1
        mid = user(f"mentor{m}@scale.example", name(), "mentor", old)
        mentors_by_cohort.setdefault(cohort, []).append(mid)
        plan.cohort_mentors.append((cohort, mid, MENTEES_PER_MENTOR + 5))

    published = [m for m in missions if m.status != "draft"]
    by_track = {
        t: sorted((m for m in published if m.track == t), key=lambda m: (m.difficulty, m.id))
        for t in TRACKS
    }
    others_by_track = {
        track: [m for t in TRACKS if t != track for m in by_track[t][:40]] for track in TRACKS
    }
    per_learner = target_submissions / learners
    sub_id = review_id = note_id = 0
    slot = 0
    for n in range(learners):
        cohort = n % n_cohorts + 1
        starts = datetime.combine(cohort_start[cohort - 1], datetime.min.time(), UTC)
        sid = user(f"learner{n}@scale.example", name(), "student", starts - timedelta(days=7))
        withdrawn = rng.random() < 0.02
        plan.enrollments.append(
            (
                n + 1,
                cohort,
                sid,
                "withdrawn" if withdrawn else "active",
                starts - timedelta(days=3),
                starts + timedelta(days=5 + n % 56) if withdrawn else None,  # rng untouched
            )
        )
        mentors = mentors_by_cohort[cohort]
        mentor = mentors[(n // n_cohorts) % len(mentors)]
        if not withdrawn:
            slot += 1
            plan.assignments.append((slot, cohort, mentor, sid, starts))
        # Missions touched: heavy-tailed around the mean so totals land near the target.
        k = max(0, min(60, int(rng.expovariate(1 / (per_learner / 1.16)) + 0.5)))
        track = rng.choice(TRACKS)
        mine, others = by_track[track], others_by_track[track]
        chosen = (
            mine[:k]
            if rng.random() < 0.8
            else sorted(
                rng.sample(mine[: k * 2] + others[:k], min(k, len(mine[: k * 2] + others[:k]))),
                key=lambda m: m.difficulty,
            )
        )
        active_until = min(now, starts + timedelta(days=84))
        span = max(1.0, (active_until - starts).total_seconds())
        for i, mission in enumerate(chosen):
            is_open = i >= len(chosen) - rng.choice([1, 2])
            final = (
                rng.choice(OPEN_MIX)
                if is_open
                else ("approved" if rng.random() < 0.96 else "changes_requested")
            )
            attempts = rng.choices([1, 2, 3], [86, 12, 2])[0]
            at = starts + timedelta(seconds=span * (i + 1) / (len(chosen) + 1))
            if is_open:
                at = now - timedelta(hours=rng.uniform(1, 20 * 24))
            for a in range(1, attempts + 1):
                status = final if a == attempts else "changes_requested"
                sub_id += 1
                submitted = at - timedelta(days=3 * (attempts - a))
                reviewer = mentor if rng.random() < 0.9 else rng.choice(mentors)
                decided = claimed = expires = None
                if status in ("approved", "changes_requested"):
                    decided = submitted + timedelta(hours=rng.uniform(2, 72))
                    claimed = reviewer
                elif status == "in_review":
                    claimed = reviewer
                    # A few claims ran out and wait for the sweep (or the next queue listing).
                    expires = now + timedelta(
                        hours=rng.uniform(-3, 23) if rng.random() < 0.03 else rng.uniform(1, 23)
                    )
                plan.submissions.append(
                    (
                        sub_id,
                        sid,
                        mission.id,
                        a,
                        status,
                        f"Attempt {a}: what I did, the evidence, and what I would do next.",
                        f'["https://github.com/learner{n}/m{mission.id}"]',
                        submitted - timedelta(hours=2),
                        None if status == "draft" else submitted,
                        claimed,
                        expires,
                        decided,
                    )
                )
                if decided is not None:
                    review_id += 1
                    ok = status == "approved"
                    low, high = (0.75, 1.0) if ok else (0.35, 0.65)
                    scores = {
                        key: int(pts * (low + (high - low) * rng.random()))
                        for (key, _), pts in zip(CRITERIA, (30, 30, 20, 20), strict=True)
                    }
                    plan.reviews.append(
                        (
                            review_id,
                            sub_id,
                            claimed,
                            status,
                            "{" + ", ".join(f'"{k}": {v}' for k, v in scores.items()) + "}",
                            sum(scores.values()),
                            "Clear and well evidenced." if ok else "Rework the evidence section.",
                            decided,
                        )
                    )
                    note_id += 1
                    plan.notifications.append(
                        (
                            note_id,
                            sid,
                            "review_done",
                            "Your mission is approved"
                            if ok
                            else "Changes requested on your mission",
                            "Your mentor reviewed your attempt.",
                            f"/missions/{mission.id}",
                            decided,
                            decided + timedelta(hours=5)
                            if decided < now - timedelta(days=7)
                            else None,
                        )
                    )
    return plan


# -- loading ----------------------------------------------------------------------------------

COLUMNS: dict[str, Sequence[str]] = {
    "users": (
        "id",
        "email",
        "full_name",
        "password_hash",
        "is_active",
        "created_at",
        "last_login_at",
        "failed_login_count",
    ),
    "role_assignments": (
        "id",
        "user_id",
        "role",
        "organization_id",
        "granted_by_id",
        "reason",
        "created_at",
    ),
    "cohorts": (
        "id",
        "program_id",
        "name",
        "starts_on",
        "ends_on",
        "capacity",
        "director_id",
        "created_at",
    ),
    "cohort_mentors": ("cohort_id", "mentor_id", "capacity"),
    "enrollments": ("id", "cohort_id", "student_id", "status", "enrolled_at", "withdrawn_at"),
    "mentor_assignments": ("id", "cohort_id", "mentor_id", "student_id", "assigned_at"),
    "missions": (
        "id",
        "organization_id",
        "track_id",
        "slug",
        "title",
        "summary",
        "brief",
        "difficulty",
        "skills",
        "estimated_minutes",
        "rubric",
        "hints",
        "nice_work_roles",
        "author_id",
        "status",
        "created_at",
        "updated_at",
    ),
    "mission_prerequisites": ("mission_id", "prerequisite_id"),
    "submissions": (
        "id",
        "student_id",
        "mission_id",
        "attempt",
        "status",
        "answer",
        "links",
        "created_at",
        "submitted_at",
        "claimed_by_id",
        "claim_expires_at",
        "decided_at",
    ),
    "reviews": (
        "id",
        "submission_id",
        "mentor_id",
        "decision",
        "scores",
        "total",
        "feedback",
        "created_at",
    ),
    "notifications": ("id", "user_id", "kind", "title", "body", "link", "created_at", "read_at"),
}


def copy(conn: Any, table: str, rows: Iterable[tuple[Any, ...]]) -> int:
    """COPY rows into table (binary-free text COPY through psycopg's write_row)."""
    cols = COLUMNS[table]
    n = 0
    started = time.perf_counter()
    with conn.cursor() as cur:
        with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as cp:
            for row in rows:
                cp.write_row(row)
                n += 1
        if "id" in cols:
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT coalesce(max(id), 1) FROM {table}))"
            )
    print(f"  {table:<22} {n:>10,} rows  {time.perf_counter() - started:6.1f} s", flush=True)
    return n


def base_rows(conn: Any) -> None:
    """The organization, the programme and its five tracks (from the demo's tracks.json)."""
    tracks = json.loads((ROOT / "cyberhub" / "data" / "tracks.json").read_text())
    with conn.cursor() as cur:
        cur.execute(
            "INSERT INTO organizations (id, name, slug, description, created_at) VALUES "
            "(1, 'Scale Academy', 'scale-academy', 'Benchmark data', now())"
        )
        cur.execute(
            "INSERT INTO programs (id, organization_id, name, slug, description, created_at) "
            "VALUES (1, 1, 'Scale Programme', 'scale-programme', 'Benchmark data', now())"
        )
        for i, key in enumerate(TRACKS):
            t = next(t for t in tracks if t["key"] == key)
            cur.execute(
                "INSERT INTO tracks (id, key, name, tagline, description, focus, "
                "careers) VALUES (%s, %s, %s, %s, %s, %s, %s)",
                (
                    i + 1,
                    key,
                    t["name"],
                    t.get("tagline", ""),
                    t.get("description", ""),
                    json.dumps(t.get("focus", [])),
                    json.dumps(t.get("careers", [])),
                ),
            )
        cur.execute("INSERT INTO program_tracks (program_id, track_id) SELECT 1, id FROM tracks")
        for table in ("organizations", "programs", "tracks"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), 10)")


def libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def start_embedded(data_dir: Path, fresh: bool) -> str:
    from cyberhub import infra

    if fresh and data_dir.exists():
        infra.stop_postgres(data_dir / "pg")
        shutil.rmtree(data_dir)
    return infra.start_postgres(data_dir / "pg", DB_NAME)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--learners", type=int, default=100_000)
    parser.add_argument("--missions", type=int, default=1_000)
    parser.add_argument("--submissions", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="embedded data directory")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()

    import psycopg

    from cyberhub.migrate import upgrade
    from cyberhub.services.identity.passwords import hash_password

    external = os.environ.get("DATABASE_URL")
    url = external or start_embedded(args.dir, fresh=True)
    print(f"database: {'DATABASE_URL' if external else args.dir / 'pg'}", flush=True)
    started = time.perf_counter()
    try:
        upgrade(url)
        with psycopg.connect(libpq(url)) as conn:
            if conn.execute("SELECT count(*) FROM users").fetchone()[0]:  # type: ignore[index]
                sys.exit("The database already has users: seed an empty one.")
            try:  # skip FK triggers while loading (superuser only; the data is consistent)
                conn.execute("SET session_replication_role = replica")
            except psycopg.Error:
                conn.rollback()
            rng = random.Random(args.seed)
            t = time.perf_counter()
            mission_rows, missions = make_missions(rng, args.missions)
            plan = make_people_and_work(
                rng, missions, args.learners, args.submissions, hash_password(SCALE_PASSWORD)
            )
            print(f"generated in {time.perf_counter() - t:.1f} s; loading with COPY:", flush=True)
            base_rows(conn)
            copy(conn, "missions", mission_rows)
            conn.execute(
                "INSERT INTO program_missions (program_id, mission_id, added_at) "
                "SELECT 1, id, now() FROM missions"
            )
            copy(conn, "mission_prerequisites", ((m.id, p) for m in missions for p in m.prereqs))
            copy(conn, "users", plan.users)
            copy(conn, "role_assignments", plan.roles)
            copy(conn, "cohorts", plan.cohorts)
            copy(conn, "cohort_mentors", plan.cohort_mentors)
            copy(conn, "enrollments", plan.enrollments)
            copy(conn, "mentor_assignments", plan.assignments)
            copy(conn, "submissions", plan.submissions)
            copy(conn, "reviews", plan.reviews)
            copy(conn, "notifications", plan.notifications)
            conn.commit()
            mix = conn.execute(
                "SELECT status, count(*) FROM submissions GROUP BY status ORDER BY 2 DESC"
            ).fetchall()
        t = time.perf_counter()
        with psycopg.connect(libpq(url), autocommit=True) as conn:
            conn.execute("ANALYZE")
        print(f"ANALYZE {time.perf_counter() - t:.1f} s")
        total = sum(n for _, n in mix)
        print("submission mix: " + ", ".join(f"{s} {100 * n / total:.0f} %" for s, n in mix))
        print(f"done in {time.perf_counter() - started:.0f} s")
    finally:
        if not external:
            from cyberhub import infra

            infra.stop_postgres(args.dir / "pg")


if __name__ == "__main__":
    main()
