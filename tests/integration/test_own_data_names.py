"""The "Download my data" zip named a learner's applications by cohort id only, their profiler
answers by question and option ids, and the hints they revealed by mission id and hint number:
records a person can't read. Each now also carries the words (cohort and programme names, the
question and the answer chosen, the mission's title and the hint), beside the ids kept as they
were."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from cyberhub.models import HintReveal, Mission
from cyberhub.services.admin.export_writers import own_data_sections
from cyberhub.services.ai.profiler_bank import load_bank
from cyberhub.services.learning import applications
from tests.factories import build_world, complete_profiler, id_of, make_cohort, principal

pytestmark = pytest.mark.usefixtures("session")


def test_the_download_names_what_ids_stood_for(session: Session) -> None:
    w = build_world(session, prefix="names")
    me = id_of(w.student)
    autumn = make_cohort(session, w.program, director=w.director, name="Autumn")
    applications.set_enrolment(
        session, principal(session, w.director), id_of(autumn), mode="application", capacity=5
    )
    applications.apply(session, principal(session, w.student), id_of(autumn))
    chosen = complete_profiler(session, me)
    mission = session.get(Mission, w.m1.id)
    assert mission is not None
    mission.hints = ["Start with the SSH config.", "Check the firewall rules."]
    session.add(mission)
    session.add(HintReveal(student_id=me, mission_id=id_of(w.m1), hint_index=1))
    session.commit()

    sections = own_data_sections(session, me)

    [applied] = sections["applications"]
    assert applied["cohort_id"] == autumn.id  # the id stays
    assert (applied["cohort"], applied["program"]) == ("Autumn", w.program.name)
    assert str(applied["status"]) == "applied"

    bank = load_bank("1")
    answers = sections["profiler_answers"]
    assert len(answers) == len(bank.questions)
    by_question = {a["question_id"]: a for a in answers}
    first = bank.questions[0]
    assert by_question[first.id]["question"] == first.text
    assert by_question[first.id]["option_id"]  # the id stays
    assert sorted(str(a["answer"]) for a in answers) == sorted(chosen)

    [hint] = sections["hints_revealed"]
    assert (hint["mission_id"], hint["hint_index"]) == (w.m1.id, 1)
    assert (hint["mission"], hint["hint"]) == ("Harden a server", "Check the firewall rules.")
