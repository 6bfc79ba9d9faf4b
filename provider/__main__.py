"""The Moorings component package's plugin: the Python SDK's component provider host, serving the
components of adapters.py (`pulumi package get-schema`, `pulumi package add` run this)."""

from pulumi.provider.experimental import component_provider_host

from adapters import COMPONENTS

# The package's name is the first part of every token: moorings:index:<Component>, the tokens the
# components of moorings/ register with.
NAME = "moorings"
VERSION = "0.1.0"

if __name__ == "__main__":
    component_provider_host(components=COMPONENTS, name=NAME, version=VERSION)
