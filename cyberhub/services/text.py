"""The one rule for text people type into a field: trimmed, within its length, and free of
invisible characters that change how other text is shown.

- `line` is for a single-line field (a name, a title, a tagline): no line break, no tab, no
  other control character; runs of spaces inside it become one space.
- `block` is for a multi-line body (a description, a reflection, notes): line breaks and tabs
  stay (a Windows "\\r\\n" or an old Mac "\\r" becomes "\\n"), other control characters do not.

Both refuse (Invalid, naming the field and the character) rather than silently drop: the
person sees what was wrong and loses nothing else they typed. Refused everywhere: C0 controls
(ESC starts terminal escape sequences when an export is printed), DEL, C1 controls, and the
bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which make
"evil\\u202egnp.exe" read as "evilexe.png" and run on into the text shown after them.

`printable` is for writers of text stored before this rule (the calendar feed, CSV exports):
the same characters removed, never refused. Passwords never go through here (they are kept
exactly as typed), and markdown bodies keep their markdown: only invisible characters are
concerned.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from cyberhub.services.errors import Invalid

_BIDI = "\u202a-\u202e\u2066-\u2069"
# Refused in a single line: every control (tab and line breaks included), the Unicode line and
# paragraph separators, and the bidi controls.
_NOT_IN_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f\u2028\u2029{_BIDI}]")
# Refused in a block once its line breaks are "\n": every control but tab and line feed.
_NOT_IN_BLOCK = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}]")
_LINE_BREAKS = re.compile("\r\n|[\r\u2028\u2029]")


def _kind(ch: str) -> str:
    if ch in "\n\r\u2028\u2029\x0b\x0c\x85":
        return "a line break"
    if ch == "\t":
        return "a tab"
    if "\u202a" <= ch <= "\u202e" or "\u2066" <= ch <= "\u2069":
        return "a text-direction control"
    return "an invisible control character"


def _refuse(what: str, ch: str, *, one_line: bool) -> Invalid:
    if _kind(ch) == "a line break":
        if one_line:
            return Invalid(f"Keep the {what} on one line: it has a line break.")
        # A body keeps its line breaks; these (vertical tab, form feed, NEL) are not ones.
        return Invalid(
            f"The {what} contains an unusual line break (U+{ord(ch):04X}) that can't be stored. "
            "Replace it with an ordinary one (Enter) and try again."
        )
    return Invalid(
        f"The {what} contains {_kind(ch)} (U+{ord(ch):04X}) that can't be stored. "
        "Remove it and try again."
    )


def _sized(value: str, what: str, max_length: int, required: bool, min_length: int = 0) -> str:
    if required and not value:
        raise Invalid(f"Give the {what} first: it is empty.")
    if len(value) < min_length:
        raise Invalid(f"Enter the {what} (at least {min_length} characters).")
    if len(value) > max_length:
        raise Invalid(
            f"Keep the {what} to {max_length:,} characters (this one has {len(value):,})."
        )
    return value


def within(value: str, what: str, max_length: int) -> str:
    """`value` as it is, when at most `max_length` characters; else Invalid with `line`'s and
    `block`'s message (for a value kept exactly as typed: an address looked up, not stored)."""
    return _sized(value, what, max_length, required=False)


def line(
    value: str | None,
    what: str,
    max_length: int,
    *,
    required: bool = True,
    join_lines: bool = False,
    min_length: int = 0,
) -> str:
    """`value` trimmed, on one line, without control characters, its runs of spaces one space,
    at most `max_length` characters (and not empty when `required`); Invalid naming `what`
    otherwise. `join_lines`: a field typed in a text area but kept as one line (a revoke
    reason) has its line breaks and tabs made spaces instead of refused. `min_length`: a short
    value (a name of one letter) is refused as "Enter the <what> (at least N characters)"."""
    value = (value or "").strip()
    if join_lines:
        value = re.sub("[\t\n\r\u2028\u2029]+", " ", value)
    if bad := _NOT_IN_LINE.search(value):
        raise _refuse(what, bad.group(), one_line=True)
    return _sized(" ".join(value.split()), what, max_length, required, min_length)


def lines(
    values: Iterable[object],
    item: str,
    max_length: int,
    *,
    most: int,
    plural: str,
    key: Callable[[str], str] = str,
) -> list[str]:
    """A list typed one entry a line (a mission's skills, a track's careers): each entry a
    `line` (Invalid naming `item`), blanks dropped, repeats dropped (the first kept; entries are
    the same when `key` gives the same, e.g. str.lower), at most `most` of them ("List at most
    N <plural>.")."""
    out: list[str] = []
    seen: set[str] = set()
    for value in values:
        entry = line(str(value), item, max_length, required=False)
        if not entry or key(entry) in seen:
            continue
        seen.add(key(entry))
        out.append(entry)
    if len(out) > most:
        raise Invalid(f"List at most {most} {plural}.")
    return out


def block(value: str | None, what: str, max_length: int, *, required: bool = False) -> str:
    """`value` trimmed, its line breaks "\\n", without control characters other than line
    breaks and tabs, at most `max_length` characters (and not empty when `required`)."""
    value = _LINE_BREAKS.sub("\n", value or "").strip()
    if bad := _NOT_IN_BLOCK.search(value):
        raise _refuse(what, bad.group(), one_line=False)
    return _sized(value, what, max_length, required)


def line_breaks(value: str | None) -> str:
    """`value` with its line breaks "\\n", as `block` stores a body: for the bodies checked with
    `refusal` (every problem of a form listed at once) before they are stored."""
    return _LINE_BREAKS.sub("\n", value or "")


def refusal(value: str, what: str, *, one_line: bool = False) -> str | None:
    """What `line` (one_line) or `block` would refuse in `value`, as its message, else None:
    for a rule that lists every problem of a form at once (a review, a submission)."""
    bad = (_NOT_IN_LINE if one_line else _NOT_IN_BLOCK).search(_LINE_BREAKS.sub("\n", value))
    return _refuse(what, bad.group(), one_line=one_line).message if bad else None


def printable(value: str, *, multiline: bool = True) -> str:
    """Stored text made safe to write out: the characters `block` refuses removed (with
    `multiline=False`, line breaks and tabs become spaces, as `line` would have refused them)."""
    value = _LINE_BREAKS.sub("\n", value)
    if not multiline:
        value = re.sub("[\t\n]", " ", value)
    return _NOT_IN_BLOCK.sub("", value)


def digits(value: str) -> bool:
    """True for a non-empty run of the digits 0-9 only: what `int` reads as a whole number
    here. (`str.isdigit` is also true for "²" and "①", which `int` refuses with a ValueError.)"""
    return value.isascii() and value.isdigit()
