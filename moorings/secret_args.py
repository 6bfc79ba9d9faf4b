"""What a SecretBundle is asked for, and what its per-platform forms are handed.

Apart from moorings/secret_bundle.py so that the forms (moorings/secret_forms/<platform>.py)
can import it while the bundle imports the forms: its table FORMS names each one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Optional, Sequence

import pulumi

if TYPE_CHECKING:  # for the annotation only: the bundle imports the forms, which import this
    from moorings.secret_bundle import SecretBundle

SECRETS_DIR = "/run/secrets"


@dataclass(frozen=True)
class SecretEntry:
    """One secret of the bundle."""

    name: str
    """File name under /run/secrets and the key consumers ask for (e.g. `mysql-password`)."""
    value: Optional[pulumi.Input[str]] = None
    """The configured value; generated when None."""
    length: int = 32
    """Length of a generated value."""


@dataclass(frozen=True)
class FileReader:
    """Who reads a secret file inside the consumer's container (least privilege: mode 0400)."""

    uid: str = "0"
    gid: str = "0"


@dataclass(frozen=True)
class SecretBundleArgs:
    entries: Sequence[SecretEntry]
    platform: str
    """docker, swarm or kubernetes: decides how the secrets are materialised."""
    name_prefix: str
    """Prefix of the names the secrets take on the platform (Swarm secret, Kubernetes Secret)."""
    namespace: Optional[pulumi.Input[str]] = None
    """Kubernetes namespace of the Secret object (kubernetes only)."""
    docker_host: Optional[str] = None
    """The swarm's manager as `docker -H` takes it (swarm only; SwarmCluster.docker_host): where a
    secret an interrupted `up` left under its name is looked for. None: DOCKER_HOST's engine."""


class SecretForm:
    """How one platform materialises a bundle: one subclass per platform, named in secret_bundle.FORMS."""

    def __init__(self, bundle: SecretBundle, args: SecretBundleArgs):
        self.bundle = bundle
        self.args = args

    def attach(self, names: Sequence[str], reader: FileReader) -> Sequence[Any]:
        """What a consumer's resource takes to place the named secrets as files (platform-specific)."""
        raise NotImplementedError


def secret_path(name: str) -> str:
    return f"{SECRETS_DIR}/{name}"
