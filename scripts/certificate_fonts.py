"""Rebuild cyberhub/fonts/ (the fonts certificate PDFs are set in) from Debian's font packages.

Not part of set-up: the fonts are committed, so every clone and image has them. Run this only
to refresh them (as root, on a Debian bookworm machine; it needs `apt-get download`):

    .venv/bin/python scripts/certificate_fonts.py

What it does, so the committed files can be checked against their sources:
- Noto Sans (Latin, Greek, Cyrillic) and Noto Sans Arabic, Hebrew, Devanagari and Ethiopic,
  regular and bold, from `fonts-noto-core`: every glyph and layout feature kept, the TrueType
  hinting dropped (a PDF viewer does not use it; about 40 % of the size).
- Noto Sans CJK SC regular from `fonts-noto-cjk`, cut down to the characters of names (CJK
  punctuation, kana, Hangul jamo and all 11,172 syllables, the unified ideographs with extension
  A, compatibility ideographs, full-width forms; no layout feature) and converted from CFF to
  TrueType outlines: fpdf2 then embeds it like the others (a CFF font is embedded with its own
  encoding CMap, whose text some PDF readers extract wrongly). 11.7 MB (7.9 MB as CFF, but
  about the same once compressed, as git stores it).
All are under the SIL Open Font License 1.1 (cyberhub/fonts/COPYRIGHT-*).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont, newTable

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "cyberhub" / "fonts"
SCRIPTS = ("", "Arabic", "Hebrew", "Devanagari", "Ethiopic")
CJK_UNICODES = "U+3000-30FF,U+3130-318F,U+1100-11FF,U+3400-4DBF,U+4E00-9FFF,U+AC00-D7A3,U+F900-FAFF,U+FF00-FFEF"
CJK_SC = 2  # the collection's fonts: JP, KR, SC, TC, HK, then the Mono ones


def subset(src: Path, dst: Path, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "fontTools.subset", str(src), f"--output-file={dst}", *args],
        check=True,
    )


def to_truetype(src: Path, dst: Path) -> None:
    """CFF outlines to quadratic TrueType ones (fontTools' otf2ttf snippet)."""
    font = TTFont(src)
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for field in (
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, field, 0)
    maxp.maxZones = 1
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"
    font.save(dst)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        debs = ("fonts-noto-core", "fonts-noto-cjk")
        subprocess.run(["apt-get", "download", *debs], cwd=work, check=True)
        for deb in work.glob("*.deb"):
            subprocess.run(["dpkg-deb", "-x", str(deb), str(work / "x")], check=True)
        noto = work / "x/usr/share/fonts/truetype/noto"
        keep_all = ("--unicodes=*", "--glyphs=*", "--layout-features=*", "--name-IDs=*")
        for script in SCRIPTS:
            for weight in ("Regular", "Bold"):
                name = f"NotoSans{script}-{weight}.ttf"
                subset(noto / name, OUT / name, *keep_all, "--notdef-outline", "--no-hinting")
        cjk = work / "x/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
        cut = work / "cjk.otf"
        # No layout features: names need none of this font's (its vertical forms and regional
        # variants, kept, would make it 60 % larger).
        only = (f"--font-number={CJK_SC}", f"--unicodes={CJK_UNICODES}", "--layout-features=")
        subset(cjk, cut, *only, "--no-hinting")
        to_truetype(cut, OUT / "NotoSansCJKsc-Regular.ttf")
        for deb in debs:
            shutil.copy(work / f"x/usr/share/doc/{deb}/copyright", OUT / f"COPYRIGHT-{deb}")


if __name__ == "__main__":
    main()
