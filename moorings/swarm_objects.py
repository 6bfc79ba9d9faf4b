"""Swarm secrets and configs are immutable: a new content needs a new object, under a new name.

Naming each object after a short hash of its content makes a changed value a new object:
Pulumi creates it, rolls the services over to it, and only then deletes the old one
(create-before-delete works because the two names differ).
"""

from __future__ import annotations

import base64
import hashlib

import pulumi

HASH_LENGTH = 12  # hex digits: plenty to tell one value from the next
MAX_NAME_LENGTH = 64  # Docker's limit for secret and config names


def new_before_old(opts: pulumi.ResourceOptions) -> pulumi.ResourceOptions:
    """`opts` for a secret or config named after its content: replaced new one first.

    The bridge under pulumi-docker asks for delete-before-replace on any object whose name the
    program sets, and Swarm refuses to delete one that a service still uses: seen here, a changed
    password failed `up` on "secret ... is in use by the following services". The name carries a
    digest of the content, so old and new never collide; the services move over, then the old goes.
    """
    return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(delete_before_replace=False))


def object_name(base: str, digest: pulumi.Input[str]) -> pulumi.Output[str]:
    """`<base>-<digest>`, refused early when Docker would find it too long."""
    if len(base) + 1 + HASH_LENGTH > MAX_NAME_LENGTH:
        longest = MAX_NAME_LENGTH - 1 - HASH_LENGTH
        raise ValueError(f"{base!r} is too long for a swarm object name (at most {longest} characters)")
    return pulumi.Output.concat(base, "-", digest)


def content_name(base: str, content: pulumi.Input[str]) -> pulumi.Output[str]:
    """`<base>-<hash of content>` for contents that are not secret (configs).

    Secrets take the SecretBundle's keyed digest instead: a plain hash of a weak password in
    a visible name would let anyone test guesses against it.
    """
    digest = pulumi.Output.from_input(content).apply(
        lambda text: hashlib.sha256(text.encode()).hexdigest()[:HASH_LENGTH]
    )
    return object_name(base, digest)


def encoded(content: pulumi.Input[str]) -> pulumi.Output[str]:
    """The content base64-encoded, as the provider's `data` takes it; stays secret if it was."""
    return pulumi.Output.from_input(content).apply(lambda text: base64.b64encode(text.encode()).decode())
