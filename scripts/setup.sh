#!/usr/bin/env bash
# Prepare a fresh Debian 12 machine (or any with Python 3.11+) to run and test Rekindle.
# As root: installs the Debian packages needed. As another user: prints the apt-get line and
# stops if any are missing. Never touches the system Python: everything goes into ./.venv.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if ! "$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Rekindle needs Python 3.11 or newer as '$PY' (set PYTHON=... to choose another)." >&2
  exit 1
fi

# Debian packages: venv support for the system Python, and what the PDF renderer (WeasyPrint)
# needs at run time (Pango, HarfBuzz subsetting, a font), and Chromium for the browser tests.
# Checked by capability or dpkg, so a
# machine that already has them never runs apt.
DEBIAN_PACKAGES="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core chromium poppler-utils"
need=()
"$PY" -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
if command -v dpkg-query >/dev/null 2>&1; then
  for pkg in $DEBIAN_PACKAGES; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need+=("$pkg")
  done
fi
if [ ${#need[@]} -gt 0 ]; then
  line="apt-get update && apt-get install -y --no-install-recommends ${need[*]}"
  if [ "$(id -u)" -eq 0 ]; then
    # another apt (unattended upgrades on a fresh machine, say) holds the locks: wait for it,
    # at most 5 minutes, saying who it is; apt itself then waits as long for the dpkg lock
    "$PY" scripts/wait_for_apt.py
    echo "Installing Debian packages: ${need[*]}"
    DEBIAN_FRONTEND=noninteractive bash -c "${line//apt-get /apt-get -o DPkg::Lock::Timeout=300 }"
  else
    echo "Some system packages are missing. As root, run:" >&2
    echo "  sudo sh -c '$line'" >&2
    exit 1
  fi
fi

if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
stamp=.venv/.installed-$(cat pyproject.toml | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e '.[dev]'
  rm -f .venv/.installed-* && touch "$stamp"
fi
