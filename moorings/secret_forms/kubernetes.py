"""Kubernetes: the bundle is one immutable Secret whose name carries a hash of its content.

Rotating a value gives a new Secret name, so the pod templates that mount it change and their
pods roll; the old Secret is deleted once the new one is in use. Immutable Secrets are never
edited in place (no pod ever sees half a rotation) and spare the kubelet from watching them.
The hash is the bundle's keyed content digest: the name, which is not a secret, must not let
anyone test guesses of a weak configured password against it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import pulumi
import pulumi_kubernetes as k8s

from moorings.k8s.placement import labels
from moorings.secret_args import SECRETS_DIR, FileReader, SecretForm

VOLUME = "secrets"
FILE_MODE = 0o400
DIGEST_LENGTH = 10


@dataclass(frozen=True)
class SecretVolume:
    """What a pod needs to read some of the bundle's secrets as files under /run/secrets."""

    volume: k8s.core.v1.VolumeArgs
    """The Secret as a volume with only the asked-for keys, each file mode 0400."""
    mount: k8s.core.v1.VolumeMountArgs
    """Read-only, at /run/secrets."""
    fs_group: int
    """The pod's fsGroup: kubelet makes the files root:<fsGroup> and group-readable (0440),
    so the image's non-root user (in that group) can read them and no one else can."""


class KubernetesSecret(SecretForm):
    secret: k8s.core.v1.Secret

    def __init__(self, bundle, args):
        super().__init__(bundle, args)
        if args.namespace is None:
            raise ValueError("SecretBundle on kubernetes: SecretBundleArgs.namespace is required")
        child = pulumi.ResourceOptions(parent=bundle)
        digest = bundle.content_digest(list(bundle.values), DIGEST_LENGTH)
        self.secret = k8s.core.v1.Secret(
            "secret",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=pulumi.Output.concat(args.name_prefix, "-", digest),
                namespace=args.namespace,
                labels=labels(VOLUME, args.name_prefix),
            ),
            type="Opaque",
            immutable=True,
            string_data=pulumi.Output.secret(pulumi.Output.all(**bundle.values)),
            opts=child,
        )

    def attach(self, names: Sequence[str], reader: FileReader) -> list[SecretVolume]:
        volume = k8s.core.v1.VolumeArgs(
            name=VOLUME,
            secret=k8s.core.v1.SecretVolumeSourceArgs(
                # The output, not the computed name: the pod then waits for the Secret to exist.
                secret_name=self.secret.metadata.name,
                default_mode=FILE_MODE,
                items=[k8s.core.v1.KeyToPathArgs(key=name, path=name) for name in names],
            ),
        )
        mount = k8s.core.v1.VolumeMountArgs(name=VOLUME, mount_path=SECRETS_DIR, read_only=True)
        return [SecretVolume(volume=volume, mount=mount, fs_group=int(reader.gid))]

