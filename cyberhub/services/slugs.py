"""Slugs: the URL names of organizations and programmes (and the start of a mission's)."""

from __future__ import annotations

import re

from cyberhub.services.errors import Invalid

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX = 100


def slugify(text: str, max_length: int = SLUG_MAX) -> str:
    """'Cyber Accelerator 2026!' -> 'cyber-accelerator-2026'."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:max_length].strip("-")


def check_slug(slug: str, example: str) -> str:
    """`slug` if it is 2 to SLUG_MAX lower-case letters, digits and single hyphens; Invalid
    otherwise, showing `example`."""
    if not 2 <= len(slug) <= SLUG_MAX or not SLUG_RE.match(slug):
        raise Invalid(
            f"The slug must be 2 to {SLUG_MAX} characters: lower-case letters, digits and single "
            f"hyphens (for example '{example}')."
        )
    return slug
