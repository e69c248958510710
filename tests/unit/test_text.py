"""The one rule for typed text (services/text.py): trimmed, within its length, and no invisible
characters that change how the text is shown (controls, bidi overrides)."""

from __future__ import annotations

import pytest

from cyberhub.services import text
from cyberhub.services.errors import Invalid
from tests.xss_corpus import BENIGN_MARKDOWN, INVISIBLE_PAYLOADS, XSS_PAYLOADS


@pytest.mark.parametrize("name", sorted(INVISIBLE_PAYLOADS))
def test_a_line_refuses_every_invisible_payload_naming_the_field(name: str) -> None:
    with pytest.raises(Invalid) as err:
        text.line(INVISIBLE_PAYLOADS[name], "goal's title", 200)
    assert "goal's title" in err.value.message
    assert err.value.status_code == 422


@pytest.mark.parametrize("name", sorted(INVISIBLE_PAYLOADS))
def test_a_block_refuses_every_invisible_payload_too(name: str) -> None:
    with pytest.raises(Invalid, match="reflection"):
        text.block(f"first line\n{INVISIBLE_PAYLOADS[name]}\nlast", "reflection", 2000)


def test_the_message_says_which_character() -> None:
    with pytest.raises(Invalid) as err:
        text.line("Q3 \u202ereport", "title", 200)
    assert err.value.message == (
        "The title contains a text-direction control (U+202E) that can't be stored. "
        "Remove it and try again."
    )
    with pytest.raises(Invalid) as err:
        text.line("bad \x1b[31m", "name", 200)
    assert "an invisible control character (U+001B)" in err.value.message


@pytest.mark.parametrize("ch", ["\x0b", "\x0c", "\x85"])
def test_a_body_is_not_asked_to_stay_on_one_line(ch: str) -> None:
    """A vertical tab, form feed or NEL in a body is refused as what it is: a body keeps its
    line breaks, so "keep it on one line" would be wrong there."""
    with pytest.raises(Invalid) as err:
        text.block(f"one{ch}two", "reflection", 2000)
    assert err.value.message == (
        f"The reflection contains an unusual line break (U+{ord(ch):04X}) that can't be stored. "
        "Replace it with an ordinary one (Enter) and try again."
    )
    assert text.refusal(f"one{ch}two", "reflection") == err.value.message
    with pytest.raises(Invalid, match="^Keep the title on one line: it has a line break.$"):
        text.line(f"one{ch}two", "title", 200)


@pytest.mark.parametrize("value", ["one\ntwo", "one\r\ntwo", "one\u2028two", "a\tb"])
def test_a_line_is_one_line_without_tabs(value: str) -> None:
    with pytest.raises(Invalid, match="title"):
        text.line(value, "title", 200)


def test_a_line_typed_in_a_text_area_may_join_its_lines() -> None:
    assert text.line("Issued\r\nby\tmistake\n", "reason", 200, join_lines=True) == (
        "Issued by mistake"
    )
    with pytest.raises(Invalid, match="U\\+202E"):
        text.line("Issued\n\u202eby mistake", "reason", 200, join_lines=True)


def test_a_line_is_trimmed_sized_and_required() -> None:
    assert text.line("  Learn   nmap\u00a0 fast ", "title", 200) == "Learn nmap fast"
    assert text.line("Ünïcødé — ok ✓ عربى", "title", 200) == "Ünïcødé — ok ✓ عربى"
    with pytest.raises(Invalid, match="Give the title first: it is empty."):
        text.line("   ", "title", 200)
    assert text.line("   ", "title", 200, required=False) == ""
    assert text.line(None, "title", 200, required=False) == ""
    with pytest.raises(Invalid, match=r"Keep the title to 5 characters \(this one has 6\)"):
        text.line("abcdef", "title", 5)


def test_a_line_may_ask_for_a_few_characters_at_least() -> None:
    """A name of one letter is refused (after trimming and joining spaces), with the length."""
    with pytest.raises(Invalid, match=r"^Enter the cohort's name \(at least 2 characters\)\.$"):
        text.line("  x  ", "cohort's name", 200, required=False, min_length=2)
    with pytest.raises(Invalid, match=r"at least 2 characters"):
        text.line("", "cohort's name", 200, required=False, min_length=2)
    assert text.line(" A  B ", "cohort's name", 200, min_length=2) == "A B"


def test_a_block_keeps_its_lines_and_tabs_and_normalises_line_ends() -> None:
    body = "Today I learned:\n\n- nmap -sV\n\tindented\r\nwindows line\rold mac"
    assert text.block(f"  {body}\n\n", "reflection", 2000) == (
        "Today I learned:\n\n- nmap -sV\n\tindented\nwindows line\nold mac"
    )
    assert text.block(None, "why", 2000) == ""
    with pytest.raises(Invalid, match="Give the reflection first"):
        text.block("\n \n", "reflection", 2000, required=True)


def test_markdown_and_the_xss_corpus_are_kept_as_typed_in_a_block() -> None:
    """The rule is about invisible characters only: markdown and angle brackets stay, the safe
    renderer shows them as text."""
    assert text.block(BENIGN_MARKDOWN, "brief", 10_000) == BENIGN_MARKDOWN
    for payload in XSS_PAYLOADS.values():
        assert text.block(payload, "notes", 10_000) == payload.strip()


def test_printable_removes_from_stored_text_what_the_rule_refuses() -> None:
    for payload in INVISIBLE_PAYLOADS.values():
        cleaned = text.printable(payload)
        assert text.block(cleaned, "old row", 10_000) == cleaned.strip()
    assert text.printable("invoice\u202efdp.exe") == "invoicefdp.exe"
    assert text.printable("a\r\nb\tc") == "a\nb\tc"
    assert text.printable("a\r\nb\tc", multiline=False) == "a b c"


def test_csv_cells_leave_out_controls_stored_before_the_rule() -> None:
    """Exports (admin CSVs, the learner's own data, the sponsor's report) wrote stored text raw:
    an ESC sequence ran in the terminal of whoever printed the file, an override reversed a
    cell; an ESC before "=" hid a formula from the apostrophe."""
    from cyberhub.services.admin.export_writers import safe_cell
    from cyberhub.services.learning.sponsorships import safe_cell as sponsor_cell

    for cell in (safe_cell, sponsor_cell):
        assert cell("Harden \x1b[31ma\u202e server") == "Harden [31ma server"
        assert cell("\x1b=HYPERLINK(1)") == "'=HYPERLINK(1)"
        assert cell("line one\nline two\tend") == "line one\nline two\tend"


def test_refusal_gives_the_message_for_a_rule_that_lists_problems() -> None:
    assert text.refusal("Good work\n\n- fine", "feedback") is None
    assert text.refusal("Good \u202ework", "feedback") == (
        "The feedback contains a text-direction control (U+202E) that can't be stored. "
        "Remove it and try again."
    )
    assert text.refusal("a\nb", "title", one_line=True) == (
        "Keep the title on one line: it has a line break."
    )


def test_a_mail_subject_leaves_out_controls_stored_before_the_rule() -> None:
    """A reminder's or notice's subject is built from a stored title: one with an override or
    an ESC sequence (from before the rule) went into the mail header as it was."""
    from cyberhub.services.messaging.mail import one_line

    assert one_line("Time for “Evening \u202elab\x1b[31m\nthen notes”") == (
        "Time for “Evening lab[31m then notes”"
    )


@pytest.mark.parametrize("value", ["²", "①", "1²", "", " 1", "-1", "١٢"])
def test_digits_are_the_ascii_ones_only(value: str) -> None:
    """ "²".isdigit() is true and int("²") raises: a number field or a page number typed as a
    superscript went through the check and broke the page's event."""
    assert not text.digits(value)


def test_digits_read_a_whole_number() -> None:
    assert text.digits("0") and text.digits("0042") and text.digits("1" * 30)


def test_a_list_of_lines_drops_blanks_and_repeats_and_keeps_within_its_size() -> None:
    """One rule for the lists typed a line an entry (a mission's skills, a track's careers)."""
    typed = [" Cloud  Engineer ", "", "cloud engineer", "Cloud Engineer", "Analyst"]
    assert text.lines(typed, "career", 100, most=5, plural="careers") == [
        "Cloud Engineer",
        "cloud engineer",
        "Analyst",
    ]
    assert text.lines(typed, "skill", 100, most=5, plural="skills", key=str.lower) == [
        "Cloud Engineer",
        "Analyst",
    ]
    with pytest.raises(Invalid, match="List at most 2 skills"):
        text.lines(["a", "b", "c"], "skill", 100, most=2, plural="skills")
    with pytest.raises(Invalid, match="skill"):
        text.lines(["Q3 \u202ereport"], "skill", 100, most=2, plural="skills")
