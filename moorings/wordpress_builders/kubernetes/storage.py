"""PersistentVolumeClaims declared on their own, so each is a Pulumi resource that can carry
`protect` (a StatefulSet's volumeClaimTemplates create claims Pulumi never sees)."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from moorings.k8s.placement import Placement
from moorings.wordpress_builders.kubernetes.options import Storage


def claim(at: Placement, name: str, storage: Storage, protect: bool = False) -> k8s.core.v1.PersistentVolumeClaim:
    return k8s.core.v1.PersistentVolumeClaim(
        name,
        metadata=at.metadata(name),
        spec=k8s.core.v1.PersistentVolumeClaimSpecArgs(
            access_modes=[storage.access_mode],
            storage_class_name=storage.class_name,  # None: the cluster's default StorageClass
            resources=k8s.core.v1.VolumeResourceRequirementsArgs(requests={"storage": storage.size}),
        ),
        opts=at.opts(pulumi.ResourceOptions(protect=protect)),
    )


def claim_volume(volume: str, claim_: k8s.core.v1.PersistentVolumeClaim) -> k8s.core.v1.VolumeArgs:
    return k8s.core.v1.VolumeArgs(
        name=volume,
        # The output: the pod waits for the claim, and a renamed claim updates the pod.
        persistent_volume_claim=k8s.core.v1.PersistentVolumeClaimVolumeSourceArgs(claim_name=claim_.metadata.name),
    )
