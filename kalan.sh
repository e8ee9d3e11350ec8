#!/usr/bin/env bash
# kalan — set-up and everyday commands on a fresh Debian machine with Python 3.11.
#
#   ./kalan.sh build   build everything into dist/ (site; PDFs when they exist)
#   ./kalan.sh test    run the whole test suite (ruff + pytest, real Chromium)
#
# Creates .venv/ and installs the Python packages the first time (and again
# when pyproject.toml changes). System packages (chromium for the tests) are
# installed with apt-get when run as root; otherwise the script says which
# ones to install and stops.
set -euo pipefail
cd "$(dirname "$0")"

die() { printf 'kalan.sh : %s\n' "$*" >&2; exit 1; }

system_packages() {  # $@: Debian packages that must be present
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    echo "Installation des paquets système : ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    die "paquets système manquants : ${missing[*]} — installez-les avec : sudo apt-get install ${missing[*]}"
  fi
}

python_env() {  # $1: pip extras ("" or "[test]")
  local python="${PYTHON:-python3}"
  "$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null \
    || die "Python 3.11 est nécessaire (trouvé : $("$python" --version 2>&1)). Indiquez-le avec PYTHON=python3.11"
  if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv 2>/dev/null || { system_packages python3-venv && "$python" -m venv .venv; }
  fi
  local stamp=".venv/.kalan-$(sha1sum pyproject.toml | cut -c1-12)$1"
  if [ ! -f "$stamp" ]; then
    echo "Installation des paquets Python (première fois ou pyproject.toml modifié)…"
    .venv/bin/python -m pip install -q --disable-pip-version-check -e ".$1"
    touch "$stamp"
  fi
}

case "${1:-}" in
  build)
    # WeasyPrint's text engine; ffmpeg for recordings; pdftoppm for the example's photographed answer sheets
    system_packages libpango-1.0-0 libpangoft2-1.0-0 ffmpeg poppler-utils
    python_env ""
    .venv/bin/kalan check
    .venv/bin/kalan build
    ;;
  test)
    # chromium and firefox-esr drive the site; pdftoppm reads back the answer sheets; ffmpeg converts and
    # espeak-ng speaks stand-in recordings; zimcheck and kiwix-serve check the phone (Kiwix) edition
    system_packages chromium firefox-esr poppler-utils libpango-1.0-0 libpangoft2-1.0-0 ffmpeg espeak-ng \
      zim-tools kiwix-tools
    python_env "[test]"
    export NO_MKDOCS_2_WARNING=1
    .venv/bin/ruff check scripts tests bench
    .venv/bin/python -m pytest "${@:2}"
    ;;
  *)
    echo "Usage : ./kalan.sh build | ./kalan.sh test [options de pytest]" >&2
    exit 2
    ;;
esac
