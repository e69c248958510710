"""Slugs: the URL names of organizations and programmes (and the start of a mission's)."""

from __future__ import annotations

import re
import unicodedata

from cyberhub.services.errors import Invalid

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX = 100
# Latin letters that are not a plain letter plus accents (so NFKD does not take them apart).
_LATIN = str.maketrans({"ß": "ss", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ł": "l", "þ": "th"})


def _ascii(text: str) -> str:
    """The text's letters without their accents: 'Académie' -> 'Academie', 'Straße' ->
    'Strasse'. What is no Latin letter at all stays as it is (slugify drops it)."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_LATIN))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def slugify(text: str, max_length: int = SLUG_MAX) -> str:
    """'Cyber Accelerator 2026!' -> 'cyber-accelerator-2026'; 'Académie' -> 'academie'."""
    return re.sub(r"[^a-z0-9]+", "-", _ascii(text).lower()).strip("-")[:max_length].strip("-")


def check_slug(slug: str, example: str) -> str:
    """`slug` if it is 2 to SLUG_MAX lower-case letters, digits and single hyphens; Invalid
    otherwise, showing `example`."""
    if not 2 <= len(slug) <= SLUG_MAX or not SLUG_RE.match(slug):
        raise Invalid(
            f"The slug must be 2 to {SLUG_MAX} characters: lower-case letters, digits and single "
            f"hyphens (for example '{example}')."
        )
    return slug
