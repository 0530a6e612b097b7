#!/usr/bin/env bash
# The browser tests drive Debian's Chromium, their screenshots need a Chinese font, and the report tests look at a
# PDF's first page through poppler's pdftoppm; install what is missing.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "installing Debian's ${missing[*]} for the browser and PDF tests"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || { echo "error: chromium could not be installed" >&2; exit 1; }
