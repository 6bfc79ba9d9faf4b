#!/usr/bin/env bash
# The one set-up command: the virtualenv that Pulumi.yaml names (venv/), with requirements.txt installed.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x venv/bin/python ]; then
  python3 -m venv venv
fi
venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
echo "setup: venv/ ready with pulumi $(venv/bin/python -c 'from importlib.metadata import version; print(version("pulumi"))')"
