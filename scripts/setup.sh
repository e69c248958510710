#!/usr/bin/env bash
# Idempotent set-up: Python venv (torch CPU first), dependencies, bun, axe-core and the CJK
# fonts of certificate PDFs from npm.
# A second run checks stamps and returns in about a second.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"

say() { printf '\033[1;36m[setup]\033[0m %s\n' "$*"; }

PY="${PYTHON:-}"
if [ -z "$PY" ]; then
  for cand in python3.11 python3; do
    if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
      PY="$cand"; break
    fi
  done
fi
[ -n "$PY" ] || { echo "CyberHub needs Python 3.11 (set PYTHON=/path/to/python3.11)." >&2; exit 1; }
command -v npm >/dev/null 2>&1 || { echo "CyberHub needs Node.js and npm (for bun)." >&2; exit 1; }

if [ ! -x .venv/bin/python ]; then
  say "creating .venv"
  "$PY" -m venv .venv
fi

stamp=".venv/.cyberhub-deps-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  say "installing torch 2.13.0 (CPU) first, then the dependencies"
  .venv/bin/python -m pip install -qq --upgrade pip
  .venv/bin/python -m pip install -qq "torch==2.13.0"
  .venv/bin/python -m pip install -qq -e ".[dev]"
  rm -f .venv/.cyberhub-deps-*
  touch "$stamp"
fi

BUN=.tools/bun/node_modules/.bin/bun
if [ ! -x "$BUN" ] || ! "$BUN" --version >/dev/null 2>&1; then
  say "installing bun 1.4.5 from the npm registry into .tools/bun"
  mkdir -p .tools/bun
  # npm 11 runs no install script unless allowed: bun's postinstall puts the binary in place.
  printf '{"name":"cyberhub-tools","private":true,"allowScripts":{"bun":true},"dependencies":{"bun":"1.4.5"}}\n' > .tools/bun/package.json
  (cd .tools/bun && npm install --no-audit --no-fund --loglevel=error)
  "$BUN" --version >/dev/null
fi
# axe-core for the accessibility browser test (tests/e2e/test_axe.py injects axe.min.js).
AXE=.tools/axe/node_modules/axe-core/axe.min.js
if [ ! -f "$AXE" ]; then
  say "installing axe-core 4.14.1 from the npm registry into .tools/axe"
  mkdir -p .tools/axe
  printf '{"name":"cyberhub-axe","private":true,"dependencies":{"axe-core":"4.14.1"}}\n' > .tools/axe/package.json
  (cd .tools/axe && npm install --no-audit --no-fund --loglevel=error)
fi
# Noto Sans SC and KR, regular, for the Chinese, Japanese and Korean names on certificate PDFs
# (cyberhub/services/learning/certificate_pdf.py; without them those characters show as U+FFFD):
# Google Fonts' TrueType cut of Noto Sans CJK (SIL Open Font License 1.1, saved as OFL.txt) from
# Expo's npm packages, too large to commit (10 MB, 6 MB). Only the two files are kept, each
# checked against its SHA-256; a second run only checks them (~0.1 s).
CJK_FONTS="d45f67f0a7c0ca3f256950777ce6a61cc7ce5f9696d02900cbbaac25f8aa7d16  NotoSansSC_400Regular.ttf
8cbc9b353bb9ce848fd69bb6a507319dfacc659cf5fd643db5d88f3c4970e1dd  NotoSansKR_400Regular.ttf"
if ! (cd .tools/fonts 2>/dev/null && sha256sum --status -c <<<"$CJK_FONTS" 2>/dev/null); then
  say "installing Noto Sans SC and KR (@expo-google-fonts 0.4.3, ~85 MB to download) into .tools/fonts"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  for lang in sc kr; do
    (cd "$tmp" && npm pack "@expo-google-fonts/noto-sans-$lang@0.4.3" --loglevel=error >/dev/null)
    tar -xzf "$tmp/expo-google-fonts-noto-sans-$lang-0.4.3.tgz" -C "$tmp" --strip-components=2 \
      "package/400Regular/NotoSans${lang^^}_400Regular.ttf"
  done
  tar -xzOf "$tmp/expo-google-fonts-noto-sans-sc-0.4.3.tgz" package/LICENSE_FONT > "$tmp/OFL.txt"
  (cd "$tmp" && sha256sum --quiet -c <<<"$CJK_FONTS")
  mkdir -p .tools/fonts
  mv "$tmp"/NotoSans*.ttf "$tmp/OFL.txt" .tools/fonts/
fi
say "ready"
