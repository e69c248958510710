"""A certificate as a one-page PDF (fpdf2), text only.

Names are rendered with DejaVu Sans when the machine has it (any script it covers: "Wanjirũ
Ngũgĩ" stays as written); without it, fpdf2's core Helvetica (latin-1 only) is used and each
character outside latin-1 is transliterated (accents dropped: "ũ" → "u"), or replaced by "?"
when it has no latin form — the PDF never fails because of a name.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from fpdf import FPDF

from cyberhub.formatting import when
from cyberhub.schemas.certificates import CertificatePublic
from cyberhub.services import text as free_text

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
FONT_FILES = {"": "DejaVuSans.ttf", "B": "DejaVuSans-Bold.ttf"}


def _font_dir() -> Path | None:
    for d in FONT_DIRS:
        if all((d / f).is_file() for f in FONT_FILES.values()):
            return d
    return None


def latin1(text: str) -> str:
    """The text in latin-1: kept where it fits, else without accents, else '?'."""
    out = []
    for ch in text:
        try:
            ch.encode("latin-1")
            out.append(ch)
            continue
        except UnicodeEncodeError:
            pass
        base = unicodedata.normalize("NFKD", ch).encode("latin-1", "ignore").decode("latin-1")
        base = "".join(c for c in base if not unicodedata.combining(c))
        out.append(base or "?")
    return "".join(out)


class _Writer:
    def __init__(self, font_dir: Path | None) -> None:
        self.pdf = FPDF(orientation="L", unit="mm", format="A4")
        self.pdf.set_auto_page_break(auto=True, margin=15)
        self.unicode = font_dir is not None
        if font_dir is not None:
            for style, name in FONT_FILES.items():
                self.pdf.add_font("DejaVu", style, str(font_dir / name))
            self.family = "DejaVu"
        else:
            self.family = "Helvetica"
        self.pdf.add_page()

    def text(self, value: str) -> str:
        # A name or title stored before services/text.py may hold control characters or bidi
        # overrides: the document leaves them out (an override would reverse the line drawn).
        value = free_text.printable(value, multiline=False)
        return value if self.unicode else latin1(value)

    def line(
        self,
        value: str,
        size: float,
        *,
        bold: bool = False,
        gap: float = 4,
        red: bool = False,
    ) -> None:
        self.pdf.set_font(self.family, "B" if bold else "", size)
        self.pdf.set_text_color(*((180, 0, 0) if red else (0, 0, 0)))
        self.pdf.multi_cell(0, size * 0.5, self.text(value), align="C")
        self.pdf.ln(gap)


def render(cert: CertificatePublic, base_url: str = "") -> bytes:
    """The certificate's PDF (A4 landscape)."""
    w = _Writer(_font_dir())
    revoked = cert.revoked_at is not None
    w.pdf.set_title(w.text(f"{'Revoked certificate' if revoked else 'Certificate'} - {cert.name}"))
    w.pdf.set_author(w.text(cert.organization or "CyberHub"))
    w.pdf.set_y(15 if revoked else 25)
    if revoked:
        # First, above the name: whoever is shown the PDF reads that it no longer holds before
        # anything it certified (a long list of missions must not push it to the foot).
        revoked_on = when(cert.revoked_on or cert.revoked_at, "UTC", "date")
        w.line(f"REVOKED on {revoked_on}: {cert.revoke_reason}", 16, bold=True, red=True)
        w.line("This certificate is no longer valid.", 12, red=True, gap=6)
    w.line(cert.organization or "CyberHub", 16, bold=True)
    w.line("Certificate of completion", 26, bold=True, gap=8)
    w.line("This certifies that", 12)
    w.line(cert.name, 24, bold=True, gap=6)
    w.line(f"completed the {cert.track} track of {cert.program}", 14)
    w.line(f"in the cohort {cert.cohort}, on {when(cert.issued_on, style='date')}.", 14, gap=6)
    if cert.missions:
        w.line("Missions approved: " + "; ".join(cert.missions), 10, gap=6)
    w.line(f"Verify at {base_url}{cert.url} (code {cert.code})", 9)
    return bytes(w.pdf.output())
