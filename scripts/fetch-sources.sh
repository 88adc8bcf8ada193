#!/usr/bin/env bash
# Downloads and unpacks the Debian packages listed in shared/DATA.md (audio sources for training and
# the development benchmark). Nothing is installed: each .deb is only extracted.
# Usage: scripts/fetch-sources.sh [DEST]   (default: .bench/sources)
set -euo pipefail
dest=${1:-.bench/sources}
mkdir -p "$dest/debs" "$dest/root"
# SOURCE_PACKAGES narrows the list (CI fetches only what the tests read).
default="warzone2100-music wesnoth-1.16-music supertux-data widelands-data colobot-common-sounds
  openttd-openmsx fillets-ng-data-cs fillets-ng-data asterisk-core-sounds-en-wav megaglest-data
  supertuxkart-data fluid-soundfont-gm"
# shellcheck disable=SC2206 # word splitting of the list is intended
pkgs=(${SOURCE_PACKAGES:-$default})
cd "$dest/debs"
for p in "${pkgs[@]}"; do
  if ! ls "${p}"_*.deb >/dev/null 2>&1; then
    echo "fetching $p" >&2
    # Stale or missing package lists: refresh them once and try again.
    apt-get download "$p" >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get download "$p" >/dev/null; }
  fi
done
for p in "${pkgs[@]}"; do
  for f in "${p}"_*.deb; do
    stamp="../root/.${f}.done"
    [ -e "$stamp" ] && continue
    echo "unpacking $f" >&2
    dpkg -x "$f" ../root && touch "$stamp"
  done
done
echo "sources ready in $dest/root" >&2
