"""The director's completions panel lists each certificate with the certificate's own dates."""

from __future__ import annotations

from datetime import UTC, date, datetime

from cyberhub.pages.director_cohort.completion import completion_row
from cyberhub.schemas.certificates import CertificatePublic, CohortCompletion


def test_a_completion_shows_the_date_its_certificate_bears() -> None:
    """Completed at 22:30 UTC on 12 November: 01:30 on the 13th for a director in Nairobi.
    The certificate, its public page and its PDF say 12 Nov (a document bears one date, the
    UTC day); the panel said 13 Nov, beside the link to the page saying 12 Nov."""
    at = datetime(2026, 11, 12, 22, 30, tzinfo=UTC)
    certificate = CertificatePublic(
        code="c0de-c0de-c0de-c0de",
        name="Amina Wanjiru",
        track="Builders",
        track_key="builders",
        cohort="Spring",
        program="Accelerator",
        organization="Ongoza",
        missions=["Harden a server"],
        issued_at=at,
        issued_on=date(2026, 11, 12),
        url="/certificates/c0de-c0de-c0de-c0de",
        pdf_url="/api/v1/certificates/c0de-c0de-c0de-c0de.pdf",
    )
    done = CohortCompletion(
        certificate_id=1,
        student_id=2,
        name="Amina Wanjiru",
        email="amina@example.org",
        completed_at=at,
        certificate=certificate,
    )
    row = completion_row(done)
    assert row["completed"] == "12 Nov 2026"
    assert (row["revoked"], row["revoked_on"]) == (False, "")
    revoked = done.model_copy(
        update={
            "certificate": certificate.model_copy(
                update={
                    "revoked": True,
                    "revoked_at": datetime(2026, 11, 20, 23, 0, tzinfo=UTC),
                    "revoked_on": date(2026, 11, 20),
                    "revoke_reason": "Copied work",
                }
            )
        }
    )
    row = completion_row(revoked)
    assert (row["revoked"], row["revoked_on"], row["reason"]) == (
        True,
        "20 Nov 2026",
        "Copied work",
    )
