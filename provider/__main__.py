"""The Moorings component package's plugin: the Python SDK's component provider host, serving the
components of adapters.py (`pulumi package get-schema`, `pulumi package add` run this)."""

import sys
import tomllib
from pathlib import Path

# The components come from the checkout this folder is part of, put first on the path rather than
# pip-installed into provider/venv: the CLI re-runs pip on every load of a source plugin, and a
# path install of the checkout rebuilds it each time (a build environment from the index: 15 s
# here, and a failure offline with PIP_NO_INDEX), leaving moorings.egg-info in the checkout.
CHECKOUT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(CHECKOUT))

from pulumi.provider.experimental import component_provider_host  # noqa: E402

from adapters import COMPONENTS  # noqa: E402

# The package's name is the first part of every token: moorings:index:<Component>, the tokens the
# components of moorings/ register with. Its version is the distribution's.
NAME = "moorings"
VERSION = tomllib.loads((CHECKOUT / "pyproject.toml").read_text())["project"]["version"]

if __name__ == "__main__":
    component_provider_host(components=COMPONENTS, name=NAME, version=VERSION)
