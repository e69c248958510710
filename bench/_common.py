"""Shared pieces of the issue-6 benchmarks: a throwaway embedded PostgreSQL + Redis, realistic
synthetic missions, COPY loaders, the cached real-model vectors, and percentiles.

Not a benchmark itself. The scripts put the project root on sys.path before importing this.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
CACHE = ROOT / ".data" / "bench"
if TYPE_CHECKING:
    from cyberhub.models import Mission

MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"


# --- numbers -----------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    """The q-quantile (nearest rank) of values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def p50(values: list[float]) -> float:
    return statistics.median(values)


def machine() -> str:
    """One line saying what the figures were measured on (they vary with the load)."""
    import platform

    load = os.getloadavg()
    cpu = platform.processor() or platform.machine()
    return (
        f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
        f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} at the end"
    )


# --- a throwaway database + Redis ---------------------------------------------------------------


@dataclass
class Env:
    root: Path
    db_url: str
    redis_url: str


@contextmanager
def throwaway_env(name: str, keep: bool = False, **pg_settings: str) -> Iterator[Env]:
    """An embedded PostgreSQL (pgvector, migrated) and Redis under /tmp; DATABASE_URL and
    REDIS_URL point at them for this process. Everything is stopped and deleted afterwards.
    pg_settings (e.g. shared_buffers="1GB") are set with ALTER SYSTEM before anything runs."""
    from cyberhub import infra
    from cyberhub.settings import get_settings

    root = Path(tempfile.mkdtemp(prefix=f"cyberhub-bench-{name}-", dir="/tmp"))
    db_url = infra.start_postgres(root / "pg", "bench")
    if pg_settings:
        infra.configure_postgres(root / "pg", db_url, **pg_settings)
    redis = infra.EmbeddedRedis(root / "redis")
    os.environ["DATABASE_URL"], os.environ["REDIS_URL"] = db_url, redis.url
    get_settings.cache_clear()
    try:
        from cyberhub.migrate import upgrade

        upgrade(db_url)
        yield Env(root=root, db_url=db_url, redis_url=redis.url)
    finally:
        from cyberhub import db

        db._engine_for.cache_clear()
        redis.stop()
        infra.stop_postgres(root / "pg")
        if not keep:
            shutil.rmtree(root, ignore_errors=True)


def libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


# --- realistic synthetic missions -----------------------------------------------------------------

# (topic, skills, tools): the tools are ones a person would really use for that topic.
TOPICS: list[tuple[str, list[str], list[str]]] = [
    (
        "phishing triage",
        ["Email analysis", "IOC extraction"],
        ["PhishTool", "URLScan.io", "MXToolbox", "CyberChef"],
    ),
    ("web server hardening", ["Linux", "CIS Benchmarks"], ["Lynis", "ufw", "fail2ban", "Ansible"]),
    (
        "container security",
        ["Docker", "Container security"],
        ["Trivy", "Grype", "Docker Scout", "Hadolint"],
    ),
    (
        "Kubernetes hardening",
        ["Kubernetes", "Policy as code"],
        ["kube-bench", "Kyverno", "OPA Gatekeeper", "Falco"],
    ),
    (
        "cloud identity and access",
        ["Cloud security", "IAM"],
        ["AWS IAM Access Analyzer", "Prowler", "ScoutSuite", "Steampipe"],
    ),
    (
        "infrastructure as code review",
        ["Terraform", "Infrastructure as Code"],
        ["Checkov", "tfsec", "Terrascan", "KICS"],
    ),
    (
        "secure CI/CD pipelines",
        ["CI/CD", "SAST"],
        ["Semgrep", "gitleaks", "GitHub Actions", "CodeQL"],
    ),
    (
        "network forensics",
        ["Network forensics", "Packet analysis"],
        ["Wireshark", "Zeek", "NetworkMiner", "tshark"],
    ),
    (
        "memory forensics",
        ["Memory forensics", "Incident response"],
        ["Volatility 3", "WinPmem", "LiME", "MemProcFS"],
    ),
    (
        "malware triage",
        ["Malware analysis", "Static analysis"],
        ["YARA", "Ghidra", "PEStudio", "capa"],
    ),
    (
        "detection engineering",
        ["Detection engineering", "Log analysis"],
        ["Sigma", "Splunk", "Elastic Security", "Sysmon"],
    ),
    (
        "threat intelligence",
        ["Threat intelligence", "MITRE ATT&CK"],
        ["MISP", "OpenCTI", "ATT&CK Navigator", "VirusTotal"],
    ),
    (
        "vulnerability management",
        ["Vulnerability assessment", "Risk assessment"],
        ["OpenVAS", "Nessus Essentials", "Nuclei", "DefectDojo"],
    ),
    (
        "web application testing",
        ["Web security", "OWASP Top 10"],
        ["Burp Suite", "OWASP ZAP", "sqlmap", "ffuf"],
    ),
    (
        "API security",
        ["API security", "Authentication"],
        ["Postman", "OWASP ZAP", "Schemathesis", "42Crunch"],
    ),
    (
        "identity and single sign-on",
        ["Authentication", "Identity management"],
        ["Keycloak", "Okta", "Entra ID", "Authentik"],
    ),
    (
        "incident response planning",
        ["Incident response", "Policy writing"],
        ["NIST SP 800-61", "TheHive", "a RACI chart", "a tabletop script"],
    ),
    (
        "ransomware readiness",
        ["Incident response", "Backup and recovery"],
        ["Veeam", "restic", "BorgBackup", "a tabletop script"],
    ),
    (
        "risk registers",
        ["Risk assessment", "Governance"],
        ["NIST CSF 2.0", "ISO 27005", "FAIR", "a spreadsheet model"],
    ),
    (
        "compliance readiness",
        ["Compliance", "ISO 27001"],
        ["ISO/IEC 27001:2022", "SOC 2", "Eramba", "CISO Assistant"],
    ),
    (
        "data protection",
        ["Data protection", "Privacy engineering"],
        ["GDPR", "Kenya's Data Protection Act", "a DPIA template", "OneTrust"],
    ),
    (
        "security awareness",
        ["Security awareness", "Instructional design"],
        ["GoPhish", "Canva", "Moodle", "H5P"],
    ),
    (
        "capture-the-flag design",
        ["CTF design", "Lab design"],
        ["CTFd", "Docker Compose", "picoCTF", "HackTheBox"],
    ),
    (
        "SOC operations",
        ["Log analysis", "Security monitoring"],
        ["Wazuh", "Security Onion", "Graylog", "TheHive"],
    ),
    (
        "endpoint hardening",
        ["Windows security", "Group Policy"],
        ["Microsoft Intune", "LAPS", "Sysmon", "HardeningKitty"],
    ),
    (
        "wireless security",
        ["Wireless security", "Network scanning"],
        ["Kismet", "aircrack-ng", "Wireshark", "hcxdumptool"],
    ),
    (
        "mobile app security",
        ["Mobile security", "Reverse engineering"],
        ["MobSF", "Frida", "jadx", "objection"],
    ),
    (
        "fuzzing and vulnerability research",
        ["Vulnerability research", "Fuzzing"],
        ["AFL++", "libFuzzer", "GDB", "AddressSanitizer"],
    ),
    (
        "security pricing and services",
        ["Pricing", "Service design"],
        ["a unit-economics model", "a SOW template", "Stripe", "HubSpot"],
    ),
    (
        "customer discovery",
        ["Customer discovery", "Market research"],
        ["interview scripts", "Typeform", "a value proposition canvas", "Notion"],
    ),
    (
        "secrets management",
        ["Secrets management", "DevSecOps"],
        ["HashiCorp Vault", "SOPS", "AWS Secrets Manager", "gitleaks"],
    ),
    (
        "zero trust networking",
        ["Network segmentation", "Zero trust"],
        ["Tailscale", "WireGuard", "pfSense", "OpenZiti"],
    ),
]

TRACK_TEMPLATES: dict[str, list[tuple[str, str]]] = {
    # (title, summary) templates per track; {topic} {tool} {place} {level}
    "builders": [
        (
            "Build a {topic} setup with {tool} for {place}",
            "Design, build and automate {topic} for {place} using {tool}, then prove it works with before-and-after evidence.",
        ),
        (
            "Automate {topic} checks with {tool} at {place}",
            "Turn the manual {topic} checklist of {place} into repeatable {tool} automation that fails loudly when something drifts.",
        ),
        (
            "Harden {place} against common gaps in {topic}",
            "Find and fix the weakest points in {topic} at {place}, using {tool} to measure the improvement.",
        ),
        (
            "Ship {a_level} {topic} baseline with {tool}",
            "Write the {topic} baseline {place} will reuse on every new system, enforced with {tool} in the pipeline.",
        ),
    ],
    "leaders": [
        (
            "Write the {topic} policy for {place}",
            "Draft a {topic} policy {place} can actually follow, with owners, exceptions and a review cycle, referencing {tool}.",
        ),
        (
            "Brief the leadership of {place} on {topic}",
            "Explain the {topic} risks of {place} to non-technical leaders and ask for a decision, using {tool} as the reference.",
        ),
        (
            "Run {a_level} {topic} gap assessment for {place}",
            "Assess {place} against good practice in {topic}, rank the gaps by risk and present a funded roadmap informed by {tool}.",
        ),
        (
            "Lead the {topic} programme at {place}",
            "Set goals, metrics and a budget for {topic} at {place} and report progress with {tool}.",
        ),
    ],
    "entrepreneurs": [
        (
            "Package a {topic} service for {place}",
            "Design a fixed-scope {topic} offer for customers like {place}, price it, and write the statement of work around {tool}.",
        ),
        (
            "Validate demand for a {topic} product with {place}",
            "Interview buyers like {place}, test willingness to pay for {topic}, and decide whether to build on {tool}.",
        ),
        (
            "Model the economics of a {topic} business",
            "Estimate costs, margins and payback for selling {topic} to organisations like {place}, delivered with {tool}.",
        ),
        (
            "Pitch {a_level} {topic} startup to investors",
            "Build a pitch for a {topic} company serving {place}, with evidence of demand and a delivery plan on {tool}.",
        ),
    ],
    "researchers": [
        (
            "Investigate a {topic} incident at {place} with {tool}",
            "Reconstruct what happened during a {topic} incident at {place} from the evidence, using {tool}, and report indicators and techniques.",
        ),
        (
            "Measure how well {tool} handles {topic}",
            "Design a fair experiment comparing {tool} against alternatives for {topic} on data like that of {place}, and publish the method.",
        ),
        (
            "Reverse the attacker's {topic} playbook against {place}",
            "Analyse samples and logs from a {topic} campaign against {place} with {tool} and map it to MITRE ATT&CK.",
        ),
        (
            "Hunt for {topic} weaknesses at {place}",
            "Form hypotheses about {topic} at {place}, test them with {tool}, and write up what you found and how to detect it.",
        ),
    ],
    "educators": [
        (
            "Teach {topic} to beginners at {place}",
            "Create a short, hands-on lesson on {topic} for newcomers at {place}, with a {tool} exercise and a quiz.",
        ),
        (
            "Design {a_level} {topic} lab with {tool}",
            "Build a reproducible lab that teaches {topic} with {tool}, with a learner guide and an answer key for instructors at {place}.",
        ),
        (
            "Write an assessment for a {topic} module",
            "Write questions and a marking rubric that check real understanding of {topic}, including a practical task with {tool}, for {place}.",
        ),
        (
            "Mentor a junior analyst through {topic}",
            "Plan a six-week mentoring pathway in {topic} for a new hire at {place}, with weekly {tool} exercises and feedback.",
        ),
    ],
}

PLACES = [
    "a regional hospital",
    "a fintech startup",
    "a city water utility",
    "a university research lab",
    "an NGO's donation site",
    "a logistics company",
    "a school district",
    "a SaaS HR platform",
    "a supermarket chain",
    "a savings cooperative (SACCO)",
    "a ride-hailing app",
    "a textile factory",
    "a law firm",
    "a government ministry",
    "a telecom operator",
    "a newsroom",
    "a crypto exchange",
    "an online marketplace",
    "a mobile money provider",
    "an airline's booking system",
]
LEVELS = ["first-steps", "hands-on", "intermediate", "advanced", "expert-level"]
DELIVERABLES = [
    "Hand in a short report with evidence and a one-page summary for a manager.",
    "Hand in a repository with the code, a README and screenshots of the results.",
    "Hand in a slide deck and a recorded five-minute walkthrough.",
    "Hand in the findings table, the commands you ran and what you would do next.",
    "Hand in a decision memo with the options, the costs and your recommendation.",
]
TRACKS = list(TRACK_TEMPLATES)


@dataclass
class SyntheticMission:
    slug: str
    title: str
    summary: str
    brief: str
    track: str
    difficulty: int
    skills: list[str]
    meta: dict[str, Any]


def synthetic_missions(n: int, seed: int = 6) -> list[SyntheticMission]:
    """n distinct, realistic mission texts: templates x topics x tools x places x tracks x
    difficulty (about 400,000 combinations), drawn without repetition."""
    combos = [
        (ti, oi, tr, tmi, pi, d)
        for ti, (_, _, tools) in enumerate(TOPICS)
        for oi in range(len(tools))
        for tr in TRACKS
        for tmi in range(len(TRACK_TEMPLATES[tr]))
        for pi in range(len(PLACES))
        for d in range(1, 6)
    ]
    if n > len(combos):
        raise ValueError(f"at most {len(combos)} distinct missions")
    rng = random.Random(seed)
    picked = rng.sample(combos, n)
    out = []
    for i, (ti, oi, tr, tmi, pi, d) in enumerate(picked):
        topic, skills, tools = TOPICS[ti]
        tool, place, level = tools[oi], PLACES[pi], LEVELS[d - 1]
        title_t, summary_t = TRACK_TEMPLATES[tr][tmi]
        a_level = ("an " if level[0] in "aeiou" else "a ") + level
        fill = {"topic": topic, "tool": tool, "place": place, "level": level, "a_level": a_level}
        title = title_t.format(**fill)
        title = title[:1].upper() + title[1:]
        out.append(
            SyntheticMission(
                slug=f"bench-{i + 1}",
                title=title[:200],
                summary=summary_t.format(**fill)[:400],
                brief=DELIVERABLES[(ti + pi + d) % len(DELIVERABLES)],
                track=tr,
                difficulty=d,
                skills=[*skills, tool][:5],
                meta={"topic": topic, "tool": tool, "place": place, "template": tmi},
            )
        )
    return out


def text_of(m: SyntheticMission) -> str:
    """The exact text the pipeline embeds (services.embeddings.mission_text)."""
    from cyberhub.services.ai.embeddings import mission_text

    # mission_text only reads these four attributes; a SQLModel instance per text would cost
    # minutes at 100,000 missions.
    card = SimpleNamespace(title=m.title, summary=m.summary, skills=m.skills, brief=m.brief)
    return mission_text(cast("Mission", card))


GOALS = [
    "I want to become a {topic} specialist and work with {tool}.",
    "My goal is a junior role in {topic}; I have started learning {tool}.",
    "I enjoyed the {topic} mission and want something harder, maybe with {tool}.",
    "I want to help organisations like {place} with {topic}.",
]


def learner_texts(n: int, seed: int = 60) -> list[str]:
    """Texts like the ones learners are embedded from: a track, goals and completed missions."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        parts = [f"Track: {rng.choice(TRACKS).title()}."]
        for _ in range(rng.randint(1, 3)):
            topic, _, tools = rng.choice(TOPICS)
            goal = rng.choice(GOALS)
            parts.append(
                "Goal: "
                + goal.format(topic=topic, tool=rng.choice(tools), place=rng.choice(PLACES))
            )
        parts.extend(
            f"Completed: {m.title}. {m.summary}"
            for m in synthetic_missions(3, seed=rng.randint(0, 10**6))
        )
        out.append("\n".join(parts))
    return out


# --- loading ------------------------------------------------------------------------------------


def make_catalog(session: Any, slug: str = "bench") -> tuple[int, dict[str, int]]:
    """An organization, a program and the five tracks; returns (program id, track ids by key)."""
    from sqlmodel import select

    from cyberhub.models import Organization, Program, ProgramTrack, Track

    org = Organization(name=f"Bench {slug}", slug=f"{slug}-org")
    session.add(org)
    session.flush()
    assert org.id is not None
    program = Program(organization_id=org.id, name=f"Bench {slug}", slug=f"{slug}-program")
    session.add(program)
    session.flush()
    assert program.id is not None
    tracks = {}
    for key in TRACKS:
        # Tracks are global: reuse the row of the key when another catalog made it.
        t = session.exec(select(Track).where(Track.key == key)).first()
        if t is None:
            t = Track(key=key, name=key.title(), tagline=f"The {key} track")
            session.add(t)
            session.flush()
        assert t.id is not None
        session.add(ProgramTrack(program_id=program.id, track_id=t.id))
        session.flush()
        tracks[key] = t.id
    return program.id, tracks


def _pg_array(items: list[str]) -> str:
    return (
        "{" + ",".join('"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"' for s in items) + "}"
    )


def copy_missions(
    conn: Any, missions: list[SyntheticMission], program_id: int, tracks: dict[str, int]
) -> list[int]:
    """COPY the missions in (published); returns their ids in order. conn: a psycopg connection."""
    with conn.cursor() as cur:
        first = cur.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM missions").fetchone()[0]
        ids = list(range(first, first + len(missions)))
        rubric = json.dumps([{"key": "evidence", "title": "Evidence", "points": 10}])
        with cur.copy(
            "COPY missions (id, track_id, slug, title, summary, brief, difficulty, "
            "skills, estimated_minutes, rubric, hints, nice_work_roles, status, created_at, "
            "updated_at) FROM STDIN"
        ) as copy:
            for mid, m in zip(ids, missions, strict=True):
                copy.write_row(
                    (
                        mid, tracks[m.track], m.slug, m.title, m.summary, m.brief,
                        m.difficulty, _pg_array(m.skills), 60 * m.difficulty, rubric, "[]", "[]",
                        "published", "now", "now",
                    )
                )  # fmt: skip
        cur.execute("SELECT setval('missions_id_seq', (SELECT MAX(id) FROM missions))")
        # Library missions, run by the programme.
        cur.execute(
            "INSERT INTO program_missions (program_id, mission_id, added_at) "
            "SELECT %s, id, now() FROM missions WHERE id BETWEEN %s AND %s",
            (program_id, first, first + len(missions) - 1),
        )
    return ids


def vector_literal(v: np.ndarray) -> str:
    """pgvector's text format: [x1,x2,...]."""
    return "[" + ",".join(f"{x:.7g}" for x in v.tolist()) + "]"


def copy_mission_vectors(conn: Any, ids: list[int], texts: list[str], vectors: np.ndarray) -> None:
    """COPY mission vectors (pgvector text format) with the model name and text hashes."""
    from cyberhub.services.ai.embeddings import text_hash

    buf = io.StringIO()
    for mid, text, v in zip(ids, texts, vectors, strict=True):
        buf.write(f"{mid}\t{MODEL_NAME}\t{text_hash(text)}\t{vector_literal(v)}\tnow\n")
    with (
        conn.cursor() as cur,
        cur.copy(
            "COPY mission_embeddings (mission_id, model, text_hash, embedding, updated_at) "
            "FROM STDIN"
        ) as copy,
    ):
        data = buf.getvalue()
        for i in range(0, len(data), 1 << 20):
            copy.write(data[i : i + (1 << 20)])


# --- real-model vectors, cached -------------------------------------------------------------------


def encode_cached(texts: list[str], tag: str, chunk: int = 1024, log: bool = True) -> np.ndarray:
    """Real-model vectors for texts (batch 64, normalized), cached under .data/bench/<tag>/ one
    chunk at a time, keyed by the chunk's texts: an interrupted run resumes, and a run on the
    first N texts of a list reuses the chunks a bigger run already encoded."""
    folder = CACHE / tag
    folder.mkdir(parents=True, exist_ok=True)
    model = None
    t0 = time.perf_counter()
    done = 0
    out = []
    for start in range(0, len(texts), chunk):
        part = texts[start : start + chunk]
        digest = hashlib.sha256("\n".join(part).encode()).hexdigest()[:20]
        path = folder / f"{start:08d}-{len(part)}-{digest}.npy"
        if path.exists():
            out.append(np.load(path))
            continue
        model = model or _model()
        v = model.encode(
            part,
            batch_size=64,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        ).astype(np.float32)
        np.save(path, v)
        out.append(v)
        done += len(v)
        if log:
            rate = done / (time.perf_counter() - t0)
            left = len(texts) - start - len(v)
            print(
                f"  {tag}: encoded {start + len(v):,}/{len(texts):,} ({rate:.1f} texts/s, "
                f"~{left / rate / 60:.0f} min left)",
                flush=True,
            )
    return np.concatenate(out) if out else np.zeros((0, 384), dtype=np.float32)


def hash_vector(text: str) -> np.ndarray:
    """A deterministic 384-d unit vector from a hash of text (when the model is not the point)."""
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
    v = np.random.default_rng(seed).standard_normal(384).astype(np.float32)
    return (v / np.linalg.norm(v)).astype(np.float32)


def _model() -> Any:
    from worker.model import load_model

    return load_model()


def _unit(m: np.ndarray) -> np.ndarray:
    return (m / np.linalg.norm(m, axis=1, keepdims=True)).astype(np.float32)


def composed_vectors(missions: list[SyntheticMission]) -> np.ndarray:
    """For a machine too busy to embed 100,000 texts: each mission's vector is the normalized,
    weighted sum of REAL-model vectors of its parts (the track template filled with its topic,
    its tool, its place, its deliverable and its level), ~800 texts encoded instead of 100,000.
    The vectors live in the model's space and cluster the way the texts share parts, but they
    are not the model's vectors of the full texts."""
    heads = [
        (tr, tmi, ti)
        for tr in TRACKS
        for tmi in range(len(TRACK_TEMPLATES[tr]))
        for ti in range(len(TOPICS))
    ]
    head_texts = []
    for tr, tmi, ti in heads:
        title_t, summary_t = TRACK_TEMPLATES[tr][tmi]
        fill = {"topic": TOPICS[ti][0], "tool": "the right tools", "place": "an organisation",
                "level": "hands-on", "a_level": "a hands-on"}  # fmt: skip
        head_texts.append(f"{title_t.format(**fill)}. {summary_t.format(**fill)}")
    tools = sorted({tool for _, _, ts in TOPICS for tool in ts})
    head_v = encode_cached(head_texts, "parts-heads")
    tool_v = encode_cached([f"Skills: {t}." for t in tools], "parts-tools")
    place_v = encode_cached([f"For {p}." for p in PLACES], "parts-places")
    deliv_v = encode_cached(DELIVERABLES, "parts-deliverables")
    level_v = encode_cached([f"Level: {lv}." for lv in LEVELS], "parts-levels")
    head_ix = {h: i for i, h in enumerate(heads)}
    topic_ix = {t[0]: i for i, t in enumerate(TOPICS)}
    tool_ix = {t: i for i, t in enumerate(tools)}
    out = np.empty((len(missions), 384), dtype=np.float32)
    for i, m in enumerate(missions):
        ti = topic_ix[m.meta["topic"]]
        h = head_ix[(m.track, m.meta["template"], ti)]
        out[i] = (
            1.0 * head_v[h]
            + 0.45 * tool_v[tool_ix[m.meta["tool"]]]
            + 0.4 * place_v[PLACES.index(m.meta["place"])]
            + 0.25 * deliv_v[DELIVERABLES.index(m.brief)]
            + 0.2 * level_v[m.difficulty - 1]
        )
    return _unit(out)
