"""image-pinned: every image a resource runs or builds is pinned."""

from __future__ import annotations

import re
from typing import Any, Iterator, Optional

from pulumi_policy import PolicyConfigSchema, Severity

from .core import Context, Resource, is_unknown, resource_rule, show
from .workloads import BUILT_IMAGE, REMOTE_IMAGE, containers

_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


def pin_problem(reference: str, require_digest: bool) -> Optional[str]:
    """What is wrong with an image reference, or None when it is pinned."""
    if reference.startswith("sha256:"):
        return None  # an image id (RemoteImage.imageId): content-addressed
    name, _, digest = reference.partition("@")
    if digest:
        return None if _DIGEST.match(digest) else "the digest is not sha256:<64 hex digits>"
    if require_digest:
        return "no digest, and requireDigest is on for this stack"
    slash, colon = name.rfind("/"), name.rfind(":")
    tag = name[colon + 1 :] if colon > slash else None
    if tag is None:
        return "no tag means latest"
    if tag.lower() == "latest":
        return "the tag latest moves"
    return None


def _references(resource: Resource) -> Iterator[tuple[str, Any]]:
    """(field, image reference) for every image the resource names."""
    if resource.type == REMOTE_IMAGE:
        yield "name", resource.get("name")
    elif resource.type == BUILT_IMAGE:
        yield "imageName", resource.get("imageName")
    for container in containers(resource):
        yield container.field("image"), container.get("image")


def check(resource: Resource, ctx: Context) -> Iterator[str]:
    require_digest = bool(ctx.config.get("requireDigest", False))
    for field, image in _references(resource):
        # Unknown during preview: a reference computed from another resource (a RemoteImage's
        # imageId or repoDigest, a built Image's name). That resource's own reference is
        # checked where it is declared, so there is nothing to judge here: skip.
        if is_unknown(image) or not isinstance(image, str):
            continue
        problem = pin_problem(image, require_digest)
        if problem:
            example = "name@sha256:<digest>" if require_digest else "a version tag such as mysql:8.4.6, or name@sha256:<digest>"
            yield f"{resource.label}: {field} is {show(image)}: {problem}. Fix: pin {example}."


SCHEMA = PolicyConfigSchema(
    properties={
        "requireDigest": {
            "type": "boolean",
            "default": False,
            "description": "Accept only name@sha256:<digest> references (no tags at all).",
        }
    }
)

DESCRIPTION = (
    "Images are pinned: a tag other than latest, or a digest (RemoteImage, built Image, "
    "docker Container, Swarm service and Kubernetes containers)."
)
POLICIES = [resource_rule("image-pinned", DESCRIPTION, check, Severity.HIGH, SCHEMA)]
