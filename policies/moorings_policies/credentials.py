"""Credentials: never a literal environment value; secret files are really mounted.

env-no-literal-secrets judges where a value comes from, not only the variable's name:
  - `NAME_FILE=<path>` (the official images' convention) and Kubernetes `valueFrom.secretKeyRef`
    are the good forms;
  - a literal value for a variable whose name says it is a secret (PASSWORD, TOKEN, SECRET,
    SALT, ...KEY) is a violation, whatever the value, and so is a Kubernetes configMapKeyRef
    for one (a ConfigMap is not a secret store);
  - a literal value that looks like a credential (a private key, a URL with a password, a cloud
    or VCS token, a JWT) is a violation whatever the variable is called.
The message never quotes the value.
"""

from __future__ import annotations

import re
from typing import Iterator, Optional

from pulumi_policy import Severity

from .core import Context, Resource, get, is_unknown, items, resource_rule, show
from .workloads import Container, containers, env_vars, pod

_SECRET_WORDS = frozenset({"PASSWORD", "PASSWD", "PASS", "PWD", "SECRET", "TOKEN", "CREDENTIAL", "CREDENTIALS", "SALT", "APIKEY", "PRIVATEKEY"})
_NOT_SECRET_NAMES = frozenset({"PWD"})  # the shell's working directory
# Switches such as MYSQL_RANDOM_ROOT_PASSWORD=yes name a secret but hold a flag.
_FLAGS = frozenset({"", "yes", "no", "true", "false", "1", "0", "on", "off"})
_CREDENTIAL_SHAPES = (
    ("a private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    ("a URL with a password", re.compile(r"[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]+:[^/\s@]+@")),
    ("an AWS access key", re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a GitHub token", re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})")),
    ("a Slack token", re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}")),
    ("a JSON Web Token", re.compile(r"\beyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")),
)

_FIX = {
    "docker": "upload the value as a file (uploads, permissions 0400) and set {name}_FILE to its path instead",
    "swarm": "grant a Swarm secret (taskSpec.containerSpec.secrets) and set {name}_FILE=/run/secrets/<fileName> instead",
    "kubernetes": "read it from a Secret (valueFrom.secretKeyRef), or mount the Secret as a volume and set {name}_FILE to the file",
}


def names_a_secret(name: str) -> bool:
    upper = name.upper()
    if upper.endswith("_FILE") or upper in _NOT_SECRET_NAMES:
        return False
    words = [w for w in re.split(r"[^A-Z0-9]+", upper) if w]
    return bool(words) and (any(w in _SECRET_WORDS for w in words) or words[-1] == "KEY")


def credential_shape(value: str) -> Optional[str]:
    return next((kind for kind, shape in _CREDENTIAL_SHAPES if shape.search(value)), None)


def check_env(resource: Resource, ctx: Context) -> Iterator[str]:
    for container in containers(resource):
        for var in env_vars(container):
            if is_unknown(var.name):
                ctx.defer(var.name)  # a computed `envs` entry: not even its name is known yet
                continue
            fix = _FIX[container.platform].format(name=var.name)
            if var.source == "configMapKeyRef" and names_a_secret(var.name):
                yield (
                    f"{resource.label}: {var.field} takes {var.name} from ConfigMap "
                    f"{show(var.source_name)} (configMapKeyRef), which is not a secret store. Fix: {fix}."
                )
            if var.source != "literal":
                continue
            if names_a_secret(var.name):
                if is_unknown(var.value):
                    found = "a value computed during the update (not a secret reference)"
                elif str(var.value).strip().lower() in _FLAGS:
                    continue
                else:
                    found = f"a literal value ({len(str(var.value))} characters, not shown)"
                yield f"{resource.label}: {var.field} sets {var.name} to {found}. Fix: {fix}."
            elif is_unknown(var.value):
                ctx.defer(var.value)  # could turn out to be a credential URL: judged on `up`
            elif isinstance(var.value, str) and (kind := credential_shape(var.value)):
                yield f"{resource.label}: {var.field} sets {var.name} to a literal value that looks like {kind} (not shown). Fix: {fix}."


ENV_POLICY = resource_rule(
    "env-no-literal-secrets",
    "No credential is a literal environment value: secrets reach containers as files "
    "(NAME_FILE) or Kubernetes Secret references, never as the value of a variable.",
    check_env,
    Severity.CRITICAL,
)


# --- secrets-mounted-as-files ---------------------------------------------------------------

def _provided_files(container: Container) -> tuple[list, list]:
    """(exact file paths, directories) that the platform's secret mechanism fills."""
    if container.platform == "docker":
        # Uploads, or a named volume mounted read-only (the docker builder's secrets, uploaded
        # into it through a carrier container: a read-only root takes no upload).
        directories = [
            get(v, "containerPath")
            for v in items(container.get("volumes"))
            if get(v, "volumeName") is not None and get(v, "readOnly") is True
        ]
        return [get(u, "file") for u in items(container.get("uploads"))], directories
    if container.platform == "swarm":
        files = []
        for secret in items(container.get("secrets")):
            name = get(secret, "fileName") or get(secret, "secretName")
            files.append(name if is_unknown(name) or str(name).startswith("/") else f"/run/secrets/{name}")
        return files, []
    pod_spec = pod(container.resource)
    secret_volumes = {
        get(v, "name")
        for v in items(get(pod_spec.spec, "volumes"))
        if get(v, "secret") is not None or any(get(s, "secret") is not None for s in items(get(v, "projected", "sources")))
    }
    files, directories = [], []
    for mount in items(container.get("volumeMounts")):
        if get(mount, "name") not in secret_volumes:
            continue
        (files if get(mount, "subPath") else directories).append(get(mount, "mountPath"))
    return files, directories


_MECHANISM = {
    "docker": (
        "upload (uploads[].file) or read-only named volume",
        "upload the secret to that path (uploads, permissions 0400), or into a volume mounted read-only at its directory",
    ),
    "swarm": (
        "Swarm secret (taskSpec.containerSpec.secrets[].fileName)",
        "grant the secret to the service with fileName set to that path",
    ),
    "kubernetes": (
        "Secret volume mount",
        "mount a Secret volume (volumes[].secret and volumeMounts[].mountPath) at the file's directory",
    ),
}


def check_files(resource: Resource, ctx: Context) -> Iterator[str]:
    for container in containers(resource):
        files, directories = _provided_files(container)
        for var in env_vars(container):
            if var.source != "literal" or not isinstance(var.name, str) or not var.name.upper().endswith("_FILE"):
                continue
            if is_unknown(var.value):
                ctx.defer(var.value)
                continue
            path = str(var.value)
            if path in files or any(isinstance(d, str) and path.startswith(d.rstrip("/") + "/") for d in directories):
                continue
            pending = [p for p in files + directories if is_unknown(p)]
            if pending:
                ctx.defer(pending[0])  # the file may be among those not known yet
                continue
            what, how = _MECHANISM[container.platform]
            yield (
                f"{resource.label}: {var.field} sets {var.name} to {show(path)}, but no {what} provides "
                f"that file, so the container starts without its secret. Fix: {how}."
            )


FILES_POLICY = resource_rule(
    "secrets-mounted-as-files",
    "Every NAME_FILE variable points at a file the platform mounts from its secret store: "
    "an upload (docker), a Swarm secret, or a Kubernetes Secret volume.",
    check_files,
    Severity.HIGH,
)

POLICIES = [ENV_POLICY, FILES_POLICY]
