#!/usr/bin/env bash
# The one set-up command: the virtualenvs the project and the policy pack name
# (venv/ in Pulumi.yaml, policies/venv in policies/PulumiPolicy.yaml), each with its requirements.
set -euo pipefail
cd "$(dirname "$0")/.."

virtualenv() {  # virtualenv DIR REQUIREMENTS
  [ -x "$1/bin/python" ] || python3 -m venv "$1"
  "$1/bin/python" -m pip install --quiet --disable-pip-version-check -r "$2"
  echo "setup: $1 ready with pulumi $("$1/bin/python" -c 'from importlib.metadata import version; print(version("pulumi"))')"
}

virtualenv venv requirements.txt
virtualenv policies/venv policies/requirements.txt
