#!/usr/bin/env bash
# Installs the pinned manifest scanner (scripts/scanners-requirements.txt) into its own
# virtualenv, .scanners/venv, from PyPI. A second run with unchanged pins does nothing.
# tests/test_scanners.py runs it on the rendered staging and prod manifests.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.scanners/venv
requirements=scripts/scanners-requirements.txt
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
if ! cmp -s "$requirements" "$venv/.moorings-requirements"; then
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$venv/.moorings-requirements"
fi
echo "scanners: $("$venv/bin/checkov" --version | tail -1) in $venv"
