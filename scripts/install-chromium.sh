#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests and the PDF exports when it is missing
# (Playwright cannot download one here), and a Chinese font: without one, Chinese text in
# pages, screenshots and PDFs (helpdesk answers to Chinese questions) prints as empty boxes.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk" || missing+=(fonts-wqy-microhei)
if [ "${#missing[@]}" -eq 0 ]; then exit 0; fi
if [ "$(id -u)" != "0" ]; then
  echo "${missing[*]} missing and this user cannot apt-get install it; browser tests may be skipped" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq "${missing[@]}" >/dev/null
