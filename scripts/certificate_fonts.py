"""Rebuild cyberhub/fonts/ (the committed fonts of certificate PDFs) from Debian's fonts-noto-core.

Not part of set-up: these fonts are committed, so every clone and image has them. Run this only
to refresh them (as root, on a Debian bookworm machine; it needs `apt-get download`):

    .venv/bin/python scripts/certificate_fonts.py

What it does, so the committed files can be checked against their source: Noto Sans (Latin,
Greek, Cyrillic) and Noto Sans Arabic, Hebrew, Devanagari and Ethiopic, regular and bold, every
glyph and layout feature kept, the TrueType hinting dropped (a PDF viewer does not use it; about
40 % of the size). All are under the SIL Open Font License 1.1 (cyberhub/fonts/COPYRIGHT-*).

The Chinese, Japanese and Korean fonts (Noto Sans SC and KR, 10 and 6 MB) are not committed:
scripts/setup.sh installs them from npm into .tools/fonts/, checked against their SHA-256.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "cyberhub" / "fonts"
SCRIPTS = ("", "Arabic", "Hebrew", "Devanagari", "Ethiopic")


def subset(src: Path, dst: Path, *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "fontTools.subset", str(src), f"--output-file={dst}", *args],
        check=True,
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        deb = "fonts-noto-core"
        subprocess.run(["apt-get", "download", deb], cwd=work, check=True)
        for package in work.glob("*.deb"):
            subprocess.run(["dpkg-deb", "-x", str(package), str(work / "x")], check=True)
        noto = work / "x/usr/share/fonts/truetype/noto"
        keep_all = ("--unicodes=*", "--glyphs=*", "--layout-features=*", "--name-IDs=*")
        for script in SCRIPTS:
            for weight in ("Regular", "Bold"):
                name = f"NotoSans{script}-{weight}.ttf"
                subset(noto / name, OUT / name, *keep_all, "--notdef-outline", "--no-hinting")
        shutil.copy(work / f"x/usr/share/doc/{deb}/copyright", OUT / f"COPYRIGHT-{deb}")


if __name__ == "__main__":
    main()
