#!/usr/bin/env bash
# Browser tests drive Debian's Chromium (Playwright's own browser download is not used).
set -euo pipefail
# Also poppler-utils (pdftotext, for checking generated letters) and DejaVu fonts (letters).
need=""
[ -x /usr/bin/chromium ] || need="$need chromium"
command -v pdftotext >/dev/null || need="$need poppler-utils"
[ -d /usr/share/fonts/truetype/dejavu ] || need="$need fonts-dejavu-core"
if [ -z "$need" ]; then exit 0; fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's$need for the tests..."
  apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $need >/dev/null
  exit 0
fi
echo "The tests need Debian's packages:$need (sudo apt-get install$need)" >&2
exit 1
