"""The components the package offers: one subclass per Moorings component whose constructor takes
the wire face of its arguments (schema_types.py), turns it into the frozen dataclass (from_wire)
and calls the real constructor. The type tokens are the real ones (moorings:index:<class name>).

Each subclass re-declares every public attribute annotation of its component, with a docstring:
the analyzer reads the annotations of the whole class hierarchy, and those of moorings/ are
strings (`from __future__ import annotations`), which it cannot analyse; a re-declared one
replaces its string. Descriptions come from these docstrings too.
"""

import inspect
from typing import Optional

import moorings
import pulumi
import pulumi_kubernetes as k8s
from moorings.wordpress_args import wordpress_secret_entries

import schema_types
from wire import from_wire

# The WordPressStack wire inputs that are not fields of WordPressStackArgs: its bundle's passwords.
PASSWORDS = ("mysql_root_password", "mysql_password")


class SecretBundle(moorings.SecretBundle):
    """A named set of secrets, materialised the way one platform consumes them (a Docker file
    upload, Swarm secrets, an immutable Kubernetes Secret). Each value is the configured one or a
    generated RandomPassword, and a Pulumi secret from the moment it exists."""

    values: dict[str, pulumi.Output[str]]
    """Every value by name, each a Pulumi secret."""

    def __init__(self, name: str, args: schema_types.SecretBundleArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__(name, from_wire(moorings.SecretBundleArgs, args), opts)


class KubernetesCluster(moorings.KubernetesCluster):
    """The cluster a stack deploys to, and the namespace the stack owns in it: an existing cluster
    (a kubeconfig), a local kind cluster created and deleted with the stack, or `render` (no
    cluster: every object is written as YAML to a directory)."""

    provider: k8s.Provider
    """The Kubernetes provider the cluster's own objects use."""
    namespace: pulumi.Output[str]
    """The stack's namespace; depending on it makes an object wait for the Namespace."""
    kubeconfig: Optional[pulumi.Output[str]]
    """kind only: the new cluster's kubeconfig, a secret."""

    def __init__(self, name: str, args: schema_types.KubernetesClusterArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__(name, from_wire(moorings.KubernetesClusterArgs, args), opts)


class WordPressStack(moorings.WordPressStack):
    """WordPress and MySQL, with the same arguments on docker, swarm and kubernetes. Its secrets
    (the two passwords, given or generated, and WordPress's keys and salts, generated) are a
    SecretBundle of its own, declared beside it as `<name>-secrets`."""

    url: pulumi.Output[str]
    """Where the site answers."""
    wordpress_name: pulumi.Output[str]
    """The WordPress container, service or Deployment."""
    mysql_name: pulumi.Output[str]
    """The MySQL container, service or StatefulSet."""
    network_name: pulumi.Output[str]
    """What scopes the two to each other: the network, or the Kubernetes namespace."""

    def __init__(self, name: str, args: schema_types.WordPressStackArgs, opts: Optional[pulumi.ResourceOptions] = None):
        fields = dict(args)
        passwords = {key: fields.pop(key, None) for key in PASSWORDS}
        # A sibling, not a child: the stack is not registered until the real constructor runs,
        # and that constructor needs the bundle already.
        secrets = moorings.SecretBundle(
            f"{name}-secrets",
            moorings.SecretBundleArgs(
                entries=wordpress_secret_entries(**passwords),
                platform=fields.get("platform", ""),
                name_prefix=fields.get("name_prefix", ""),
                namespace=(fields.get("kubernetes") or {}).get("namespace"),
            ),
            opts,
        )
        super().__init__(name, from_wire(moorings.WordPressStackArgs, {**fields, "secrets": secrets}), opts)


COMPONENTS: list[type[pulumi.ComponentResource]] = [SecretBundle, KubernetesCluster, WordPressStack]

# The analyzer takes a class's docstring as is: without this, its indentation would show in every
# description (and read as a code block in Markdown).
for _component in COMPONENTS:
    _component.__doc__ = inspect.cleandoc(_component.__doc__ or "")
