"""Container image references: well formed and pinned."""

from __future__ import annotations

import re
from typing import Optional

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REGISTRY = r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9-]+)*(?::\d+)?/)"
_REFERENCE = re.compile(
    rf"^(?P<name>{_REGISTRY}?{_COMPONENT}(?:/{_COMPONENT})*)"
    r"(?::(?P<tag>[\w][\w.-]{0,127}))?"
    r"(?:@(?P<digest>sha256:[a-f0-9]{64}))?$"
)

PINNED_IMAGE = "a pinned image reference name:tag or name@sha256:<digest>, tag not 'latest' (e.g. mysql:8.4.6)"


def split_image(reference: str) -> Optional[tuple[str, Optional[str], Optional[str]]]:
    """(name, tag, digest) of a well-formed reference, else None."""
    match = _REFERENCE.match(reference)
    if not match:
        return None
    return match.group("name"), match.group("tag"), match.group("digest")


def pinned_image_problem(reference: str) -> Optional[str]:
    """None when the reference is well formed and pinned; else what would be accepted."""
    parts = split_image(reference)
    if parts is None:
        return PINNED_IMAGE
    _, tag, digest = parts
    if digest is None and (tag is None or tag == "latest"):
        return PINNED_IMAGE
    return None
