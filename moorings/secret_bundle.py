"""SecretBundle: a named set of secrets, materialised the way one platform consumes them.

Each value comes from a config secret when the stack sets one and is generated otherwise.
Every value is a Pulumi secret from the moment it exists. Consumers never see a password
in an environment variable: they ask the bundle to `wire` some secrets and get the images'
`*_FILE` variables pointing at files under /run/secrets, plus the platform's attachment
that puts those files there (a container upload, a Swarm secret, a Kubernetes volume).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence

import pulumi
import pulumi_random as random

from moorings.secret_args import FileReader, SecretBundleArgs, SecretForm, secret_path
from moorings.secret_forms.docker import DockerFileUploads
from moorings.secret_forms.kubernetes import KubernetesSecret
from moorings.secret_forms.swarm import SwarmSecrets

# How each platform materialises a bundle: moorings/secret_forms/<platform>.py.
FORMS: dict[str, type[SecretForm]] = {
    "docker": DockerFileUploads,
    "swarm": SwarmSecrets,
    "kubernetes": KubernetesSecret,
}


@dataclass(frozen=True)
class SecretWiring:
    """What one consumer needs to read some of the bundle's secrets as files."""

    file_env: Mapping[str, str]
    """`*_FILE` variables, e.g. MYSQL_PASSWORD_FILE=/run/secrets/mysql-password."""
    attachments: Sequence[Any] = field(default_factory=tuple)
    """Platform-specific: what the consumer's resource takes to place the files."""

    def env_list(self, plain: Optional[Mapping[str, str]] = None) -> list[str]:
        """Docker's `KEY=value` strings: the consumer's `plain` variables, then the `*_FILE` ones."""
        pairs = [*(plain or {}).items(), *sorted(self.file_env.items())]
        return [f"{key}={value}" for key, value in pairs]


class SecretBundle(pulumi.ComponentResource):
    values: dict[str, pulumi.Output[str]]
    """Every value by name, each a Pulumi secret."""

    def __init__(
        self,
        name: str,
        args: SecretBundleArgs,
        opts: Optional[pulumi.ResourceOptions] = None,
    ):
        super().__init__("moorings:index:SecretBundle", name, None, opts)
        names = [entry.name for entry in args.entries]
        if len(set(names)) != len(names):
            raise ValueError(f"SecretBundle {name}: duplicate secret names in {names}")
        if args.platform not in FORMS:
            raise ValueError(
                f"SecretBundle {name}: unknown platform {args.platform!r}: expected one of {', '.join(FORMS)}"
            )

        self._digest_key: Optional[pulumi.Output[str]] = None
        self.values = {}
        for entry in args.entries:
            if entry.value is not None:
                value = pulumi.Output.from_input(entry.value)
            else:
                value = random.RandomPassword(
                    entry.name,
                    length=entry.length,
                    special=False,
                    opts=pulumi.ResourceOptions(parent=self),
                ).result
            self.values[entry.name] = pulumi.Output.secret(value)

        self._form = FORMS[args.platform](self, args)
        self.register_outputs({"names": sorted(self.values)})

    def content_digest(self, names: Sequence[str], length: int) -> pulumi.Output[str]:
        """A short digest of the named values, for names of objects that must change with them.

        It is keyed with a generated value kept in state (declared on first use), so it is safe
        to show: nobody can test guesses of a weak configured password against it.
        """
        if self._digest_key is None:
            self._digest_key = random.RandomPassword(
                "secret-name-key", length=32, special=False, opts=pulumi.ResourceOptions(parent=self)
            ).result
        ordered = sorted(names)
        digest = pulumi.Output.all(self._digest_key, *(self.values[n] for n in ordered)).apply(
            lambda parts: keyed_digest(parts[0], dict(zip(ordered, parts[1:])), length)
        )
        return pulumi.Output.unsecret(digest)

    def wire(self, env: Mapping[str, str], reader: FileReader = FileReader()) -> SecretWiring:
        """Wire secrets into a consumer: `{"MYSQL_PASSWORD": "mysql-password"}` gives
        MYSQL_PASSWORD_FILE=/run/secrets/mysql-password and the platform attachment."""
        unknown = sorted(set(env.values()) - set(self.values))
        if unknown:
            raise KeyError(f"SecretBundle has no secret named {', '.join(unknown)}")
        names = sorted(set(env.values()))
        return SecretWiring(
            file_env={f"{var}_FILE": secret_path(name) for var, name in env.items()},
            attachments=tuple(self._form.attach(names, reader)),
        )


def keyed_digest(key: str, values: Mapping[str, str], length: int) -> str:
    """A short keyed hash of every name and value: any change gives another digest."""
    content = json.dumps(dict(values), sort_keys=True, separators=(",", ":")).encode()
    return hmac.new(key.encode(), content, hashlib.sha256).hexdigest()[:length]

