"""The preview as the review reads it, whichever JSON form the engine printed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from preview_review.rotation_steps import STEPS as ROTATION_STEPS

# The CLI prints a value it cannot know during a preview as this placeholder.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
# A secret value in the event stream: {SECRET_SIG: ..., "ciphertext": "[secret]"}; the digest prints "[secret]".
SECRET_SIG = "4dabf18193072939515e22adb298388d"
# Types whose every value is secret material. Their values are never shown, nor their object
# names: a Kubernetes Secret's name carries a digest of its content.
SECRET_TYPES = {
    "kubernetes:core/v1:Secret",
    "docker:index/secret:Secret",
    "random:index/randomPassword:RandomPassword",
}


@dataclass(frozen=True)
class Change:
    """One resource's step: `op` is create, update, replace, delete or same (or read, import...)."""

    op: str
    urn: str
    old_inputs: Optional[dict[str, Any]]
    new_inputs: Optional[dict[str, Any]]
    protected: bool = False
    custom: bool = True
    """False for a component (and the stack): a grouping with nothing of its own to lose."""
    diff_reasons: tuple[str, ...] = ()
    replace_reasons: tuple[str, ...] = ()
    detailed_diff: dict[str, str] = field(default_factory=dict)
    """Property path -> kind (add, update, delete, and their -replace forms)."""

    @property
    def type(self) -> str:
        return self.urn.split("::")[2].split("$")[-1]

    @property
    def logical_name(self) -> str:
        return self.urn.split("::")[-1]

    @property
    def kind(self) -> str:
        """The type's last part: Deployment, PersistentVolumeClaim, Service..."""
        return self.type.split(":")[-1]

    @property
    def inputs(self) -> dict[str, Any]:
        return self.new_inputs if self.new_inputs is not None else (self.old_inputs or {})

    @property
    def named_after_secrets(self) -> bool:
        """A secret, or an object whose name carries a digest of secret values (the rotation's Jobs)."""
        return self.type in SECRET_TYPES or self.logical_name in ROTATION_STEPS

    @property
    def name(self) -> str:
        """The object's own name (metadata.name, or a Swarm service's name), else the logical name.
        A secret's, or a name derived from secrets, is always its logical name."""
        if self.named_after_secrets:
            return self.logical_name
        metadata = self.inputs.get("metadata") or {}
        name = metadata.get("name") if isinstance(metadata, dict) else None
        if not isinstance(name, str) or name == UNKNOWN:
            name = self.inputs.get("name") if self.type.startswith("docker:") else None
        return name if isinstance(name, str) and name != UNKNOWN else self.logical_name

    @property
    def place(self) -> str:
        """Where it lives: the Kubernetes namespace, or the stack for anything else."""
        metadata = self.inputs.get("metadata") or {}
        namespace = metadata.get("namespace") if isinstance(metadata, dict) else None
        if isinstance(namespace, str) and namespace != UNKNOWN:
            return namespace
        return self.urn.split("::")[0].removeprefix("urn:pulumi:")

    @property
    def label(self) -> str:
        """`wordpress Deployment (moorings-staging)`."""
        return f"{self.name} {self.kind} ({self.place})"


@dataclass(frozen=True)
class Violation:
    policy: str
    level: str
    urn: Optional[str]
    message: str


@dataclass(frozen=True)
class Diagnostic:
    severity: str
    message: str
    urn: Optional[str] = None


@dataclass(frozen=True)
class Preview:
    form: str
    """"digest" (`pulumi preview --json`) or "events" (PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true)."""
    changes: tuple[Change, ...]
    violations: tuple[Violation, ...]
    errors: tuple[Diagnostic, ...]
    policy_reported: bool
    """The digest leaves policy out: an empty `violations` then proves nothing."""
    counts: dict[str, int]
    """Resources per operation, from the engine's own summary (the digest lists no unchanged
    resource but the stack, so its steps cannot be counted)."""


def stack_of(preview: Preview) -> str:
    """The stack, from the first URN (`urn:pulumi:<stack>::<project>::...`)."""
    for change in preview.changes:
        return change.urn.split("::")[0].removeprefix("urn:pulumi:")
    return "?"
