"""A certificate as a one-page PDF (fpdf2), text only.

Every name is drawn as written, on any machine: the fonts come with the app, never looked up
among the machine's fonts (all Noto, SIL Open Font License). Noto Sans sets Latin (diacritics
included: "Wanjirũ Ngũgĩ", "Nguyễn"), Greek and Cyrillic; a character it lacks is taken from Noto
Sans Arabic, Hebrew, Devanagari or Ethiopic (in the tree, cyberhub/fonts/), or Noto Sans SC
(Chinese, Japanese) or KR (Korean): too large to commit, `make setup` installs these two into
.tools/fonts/; one weight, so a bold line shows those characters at regular weight. Text is
shaped by HarfBuzz (uharfbuzz): Arabic letters join, Devanagari conjuncts form, right-to-left
words run right to left. A family is loaded only when the certificate's text needs it, and fpdf2
embeds only the glyphs drawn: a certificate is 12-18 KB.

A character no font has (an emoji, a rare script) is drawn as U+FFFD, the replacement character:
the PDF never fails because of a name. So is a Chinese, Japanese or Korean one where set-up was
skipped (the server logs a warning once naming the missing file). scripts/certificate_fonts.py
rebuilds the fonts of the tree.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont
from fpdf import FPDF

from cyberhub.formatting import when
from cyberhub.schemas.certificates import CertificatePublic
from cyberhub.services import text as free_text
from cyberhub.settings import ROOT

log = logging.getLogger(__name__)

FONT_DIR = ROOT / "cyberhub" / "fonts"
# Installed by scripts/setup.sh (@expo-google-fonts/noto-sans-sc and -kr, regular weight).
CJK_FONT_DIR = ROOT / ".tools" / "fonts"
FAMILY = "NotoSans"
# family -> its regular and bold files. The first family sets the text; the others fill in the
# characters it lacks, in this order (a bold line takes a family's regular face where it has no
# bold one). Noto Sans SC has no Hangul syllable; Noto Sans KR has them.
FONTS: dict[str, tuple[Path, Path | None]] = {
    FAMILY: (FONT_DIR / "NotoSans-Regular.ttf", FONT_DIR / "NotoSans-Bold.ttf"),
    **{
        f"NotoSans{script}": (
            FONT_DIR / f"NotoSans{script}-Regular.ttf",
            FONT_DIR / f"NotoSans{script}-Bold.ttf",
        )
        for script in ("Arabic", "Hebrew", "Devanagari", "Ethiopic")
    },
    "NotoSansSC": (CJK_FONT_DIR / "NotoSansSC_400Regular.ttf", None),
    "NotoSansKR": (CJK_FONT_DIR / "NotoSansKR_400Regular.ttf", None),
}
REPLACEMENT = "\ufffd"


@dataclass(frozen=True)
class _Line:
    text: str
    size: float
    bold: bool = False
    gap: float = 4
    red: bool = False


@cache
def _cmap(file: Path) -> frozenset[int]:
    """The characters a font file draws (read once per process)."""
    with TTFont(file, lazy=True) as font:
        return frozenset(font.getBestCmap())


def _installed(file: Path) -> bool:
    """Whether a font file is there (the CJK ones are not where set-up was skipped)."""
    if file.is_file():
        return True
    _tell_missing()
    return False


@cache
def _tell_missing() -> None:
    """Once per process: which fonts are missing, what it means and what to do."""
    missing = ", ".join(str(regular) for regular, _ in FONTS.values() if not regular.is_file())
    log.warning(
        "Certificate PDFs: font not installed (%s): Chinese, Japanese and Korean characters are "
        "drawn as U+FFFD (the replacement character) until `make setup` installs the fonts and "
        "the server restarts.",
        missing,
    )


def _shown(value: str) -> str:
    # A name or title stored before services/text.py may hold control characters or bidi
    # overrides: the document leaves them out (an override would reverse the line drawn).
    return free_text.printable(value, multiline=False)


class _Writer:
    """A PDF with the fonts its texts need: Noto Sans, and each other family only if a text has
    a character only it draws (a Latin certificate does not load the 10 MB Chinese font)."""

    def __init__(self, texts: list[str]) -> None:
        self.pdf = FPDF(orientation="L", unit="mm", format="A4")
        self.pdf.set_auto_page_break(auto=True, margin=15)
        chars = {ord(ch) for t in texts for ch in t}
        self.covered = set(_cmap(FONTS[FAMILY][0]))
        fallbacks = []
        for family, (regular, bold) in FONTS.items():
            if family != FAMILY:
                lacking = chars - self.covered
                if not lacking or not _installed(regular) or not lacking & _cmap(regular):
                    continue
                fallbacks.append(family)
                self.covered |= _cmap(regular)
            self.pdf.add_font(family, "", regular)
            if bold:
                self.pdf.add_font(family, "B", bold)
        self.pdf.set_fallback_fonts(fallbacks, exact_match=False)
        self.pdf.set_text_shaping(True)
        self.pdf.add_page()

    def text(self, value: str) -> str:
        """The text as drawn: a character no font has becomes the replacement one."""
        return "".join(
            ch if ord(ch) in self.covered or ch.isspace() else REPLACEMENT for ch in _shown(value)
        )

    def line(self, line: _Line) -> None:
        self.pdf.set_font(FAMILY, "B" if line.bold else "", line.size)
        self.pdf.set_text_color(*((180, 0, 0) if line.red else (0, 0, 0)))
        self.pdf.multi_cell(0, line.size * 0.5, self.text(line.text), align="C")
        self.pdf.ln(line.gap)


def _lines(cert: CertificatePublic, base_url: str) -> list[_Line]:
    lines = []
    if cert.revoked_at is not None:
        # First, above the name: whoever is shown the PDF reads that it no longer holds before
        # anything it certified (a long list of missions must not push it to the foot).
        revoked_on = when(cert.revoked_on or cert.revoked_at, "UTC", "date")
        lines += [
            _Line(f"REVOKED on {revoked_on}: {cert.revoke_reason}", 16, bold=True, red=True),
            _Line("This certificate is no longer valid.", 12, red=True, gap=6),
        ]
    lines += [
        _Line(cert.organization or "CyberHub", 16, bold=True),
        _Line("Certificate of completion", 26, bold=True, gap=8),
        _Line("This certifies that", 12),
        _Line(cert.name, 24, bold=True, gap=6),
        _Line(f"completed the {cert.track} track of {cert.program}", 14),
        _Line(f"in the cohort {cert.cohort}, on {when(cert.issued_on, style='date')}.", 14, gap=6),
    ]
    if cert.missions:
        lines.append(_Line("Missions approved: " + "; ".join(cert.missions), 10, gap=6))
    lines.append(_Line(f"Verify at {base_url}{cert.url} (code {cert.code})", 9))
    return lines


def render(cert: CertificatePublic, base_url: str = "") -> bytes:
    """The certificate's PDF (A4 landscape). Drawing one takes ~0.1 s (a CJK name ~0.5 s: its
    font is parsed for the subset) of CPU on the web process, and the PDF route is public, so
    the PDFs of the last `RECENT_PDFS` certificates asked for are kept in the process, keyed by
    everything they show: a revocation (or any other change) gives a new PDF at once."""
    return _render_kept(cert.model_dump_json(), base_url)


RECENT_PDFS = 64


@lru_cache(maxsize=RECENT_PDFS)
def _render_kept(cert_json: str, base_url: str) -> bytes:
    return _render(CertificatePublic.model_validate_json(cert_json), base_url)


def _render(cert: CertificatePublic, base_url: str) -> bytes:
    revoked = cert.revoked_at is not None
    title = f"{'Revoked certificate' if revoked else 'Certificate'} - {cert.name}"
    author = cert.organization or "CyberHub"
    lines = _lines(cert, base_url)
    w = _Writer([_shown(t) for t in (title, author, *(line.text for line in lines))])
    w.pdf.set_title(w.text(title))
    w.pdf.set_author(w.text(author))
    w.pdf.set_y(15 if revoked else 25)
    for line in lines:
        w.line(line)
    return bytes(w.pdf.output())
