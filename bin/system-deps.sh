#!/usr/bin/env bash
# The Debian packages Tandem needs beside its Python ones (docs/decisions/0007-system-packages.md).
#
#   bin/system-deps.sh run    a CJK font and HarfBuzz's subsetter, so that Chinese PDFs come out right and fast
#   bin/system-deps.sh test   the same, and Debian's Chromium for the browser journeys
#
# Whatever is present is left alone. What is missing is installed with apt-get when this user can (root, or
# passwordless sudo, on Debian or Ubuntu). When it cannot, the script prints the one command to run and
# stops for the fonts (a Chinese PDF must never fall back to a font without Chinese glyphs); for Chromium it
# only warns, and the browser journeys are skipped with the same advice.
# TANDEM_SYSTEM_DEPS=skip turns the step off (for machines whose packages are managed elsewhere).
set -euo pipefail

purpose="${1:-run}"
[[ "${TANDEM_SYSTEM_DEPS:-}" == "skip" ]] && exit 0

# Read the cache once: `ldconfig -p | grep -q` under pipefail fails whenever grep stops reading early.
LIBS="$(ldconfig -p 2>/dev/null || true)"
have_lib() { [[ "$LIBS" == *"$1"* ]]; }
have_cjk_font() {
  # Noto Sans CJK (Debian's fonts-noto-cjk) is the family static/pdf/base.css names first.
  compgen -G "/usr/share/fonts/opentype/noto/NotoSansCJK*" >/dev/null \
    || compgen -G "/usr/share/fonts/*/noto-cjk/NotoSansCJK*" >/dev/null
}

required=()   # stop without these
wanted=()     # warn without these
have_lib "libpango-1.0.so.0" || required+=(libpango-1.0-0 libpangoft2-1.0-0)
have_lib "libharfbuzz-subset.so.0" || required+=(libharfbuzz-subset0)
have_cjk_font || required+=(fonts-noto-cjk)
if [[ "$purpose" == "test" ]]; then
  [[ -x /usr/bin/chromium ]] || wanted+=(chromium)
fi
missing=("${required[@]}" "${wanted[@]}")
[[ ${#missing[@]} -eq 0 ]] && exit 0

command="apt-get install -y --no-install-recommends ${missing[*]}"
runner=""
if [[ "$(id -u)" == "0" ]]; then
  runner="env"
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  runner="sudo"
fi

if [[ -n "$runner" ]] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing Debian packages Tandem needs: ${missing[*]}"
  # An old or empty package list finds nothing: refresh it first.
  $runner DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $runner DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  exit 0
fi

if [[ ${#required[@]} -gt 0 ]]; then
  echo "Tandem needs these Debian packages for its PDFs: ${required[*]}" >&2
  echo "Install them once, then run make again:" >&2
  echo "    sudo apt-get update && sudo $command" >&2
  exit 1
fi
echo "Chromium is missing, so the browser journeys will be skipped. To run them:" >&2
echo "    sudo apt-get update && sudo $command" >&2
