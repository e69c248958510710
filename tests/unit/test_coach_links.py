"""The coach's plan stores what each piece of evidence is about (schemas/coach.EvidenceRef) and
makes the link when it is read (plan_links.href_for): the learner's own pages for the learner,
the mentee page's parts for their mentor or director (a mission's brief and the catalogue
stay). A plan stored before references held the learner's links; each reads back into its
reference."""

from __future__ import annotations

from typing import get_args

import pytest

from cyberhub.schemas.coach import (
    EVIDENCE_REF_KINDS_WITH_ID,
    EvidenceRef,
    EvidenceRefKind,
    StoredEvidence,
    ref_of_old_link,
)
from cyberhub.services.coaching.plan_links import href_for

LEARNER = 7
REFS = [
    EvidenceRef(kind=k, id=12 if k in EVIDENCE_REF_KINDS_WITH_ID else None)
    for k in get_args(EvidenceRefKind)
]
# (reference, the learner's link, the link of staff reading learner 7 on the mentee page)
LINKS = [
    (EvidenceRef(kind="mission", id=12), "/missions/12", "/missions/12"),
    (EvidenceRef(kind="feedback", id=12), "/missions/12#feedback", "/mentees/7#attempts"),
    (EvidenceRef(kind="goal", id=3), "/coaching#goal-3", "/mentees/7#goal-3"),
    (EvidenceRef(kind="habit", id=4), "/coaching#habit-4", "/mentees/7#habit-4"),
    (EvidenceRef(kind="week"), "/coaching#week", "/mentees/7#week"),
    (EvidenceRef(kind="profiler"), "/onboarding/ai-profiler", "/mentees/7#profile"),
    (EvidenceRef(kind="profiler_results"), "/onboarding/ai-profiler/results", "/mentees/7#profile"),
    (EvidenceRef(kind="catalog"), "/missions", "/missions"),
]


@pytest.mark.parametrize(("ref", "own", "staff"), LINKS, ids=lambda v: str(v))
def test_each_reader_gets_their_link(ref: EvidenceRef, own: str, staff: str) -> None:
    assert href_for(ref, None) == own
    assert href_for(ref, LEARNER) == staff


def test_every_kind_of_reference_is_linked() -> None:
    assert sorted(r.kind for r, _, _ in LINKS) == sorted(get_args(EvidenceRefKind))


@pytest.mark.parametrize("ref", REFS, ids=lambda r: r.kind)
def test_a_learners_old_link_reads_back_into_its_reference(ref: EvidenceRef) -> None:
    assert ref_of_old_link(href_for(ref, None)) == ref
    old = {"kind": "mission", "label": "mission “Harden a server”", "href": href_for(ref, None)}
    assert StoredEvidence.model_validate(old).ref == ref


def test_a_reference_has_an_id_exactly_when_it_names_one_thing() -> None:
    with pytest.raises(ValueError):
        EvidenceRef(kind="goal")
    with pytest.raises(ValueError):
        EvidenceRef(kind="week", id=3)
    with pytest.raises(ValueError):
        ref_of_old_link("/settings")
