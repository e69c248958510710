"""A number typed as a superscript ("²", which str.isdigit accepts and int refuses) gets the
field's message, not a ValueError that breaks the page's event."""

from __future__ import annotations

import pytest

from cyberhub.pages.director_cohort.sponsors import parse_form
from cyberhub.services.errors import Invalid


def test_seats_typed_as_a_superscript_are_asked_for_again() -> None:
    form = {"organization_id": "3", "seats": "²", "amount": "1000", "currency": "USD"}
    with pytest.raises(Invalid, match="Seats must be a whole number, such as 10."):
        parse_form(form)
