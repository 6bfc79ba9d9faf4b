"""Regenerate tests/fixtures/previews/ from the real engine: the review command's tests run on
these files, never on hand-written previews (docs/reviewers/preview-review.md).

    venv/bin/python scripts/regenerate_preview_fixtures.py [--only dev|k8s|swarm]

Each platform runs its committed stack in a scratch copy of the project on a temporary backend
(tests/pulumi_engine.py), deploys it, changes one setting at a time and saves
`pulumi preview --json` with the stack's policy pack, in both of the CLI's forms:
  <case>.json          the digest (PULUMI_ENABLE_STREAMING_JSON_PREVIEW unset)
  <case>.events.jsonl  the engine's event stream (PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true),
                       the only form that carries the policy pack's violations
  <case>.exit          the exit code of the digest preview
A case that changes settings also keeps the stack file before and after (<case>.before.yaml,
<case>.after.yaml), which the review reads for knobs that change nothing.

k8s cases: `staging` in render mode (writes YAML, needs no cluster). swarm cases: `swarm` on this
machine's Docker Engine, which must be outside any swarm (the stack makes one and leaves it),
with the stand-in images of tests/standin_images.py under the image settings. dev cases: `dev` on
the same engine with the same stand-ins, on a free port. Needs the
toolchain (scripts/setup.sh). Nothing in the worktree changes but tests/fixtures/previews/.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.pulumi_engine import EngineProject, engine_problem  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "previews"
PRODUCTS = ("json", "events.jsonl", "exit", "before.yaml", "after.yaml")


class Recorder:
    """One stack of one scratch project, and the cases saved from it."""

    def __init__(self, project: EngineProject, stack: str, prefix: str):
        self.project, self.stack, self.prefix = project, stack, prefix
        self.committed = project.stack_file(stack).read_text()
        self.before_text: str | None = None

    def set(self, path: str, value: str, secret: bool = False) -> None:
        self.project.set(self.stack, path, value, secret=secret)

    def remove(self, path: str) -> None:
        self.project.pulumi("config", "rm", "-s", self.stack, "--path", path)

    def reset(self) -> None:
        self.project.stack_file(self.stack).write_text(self.committed)

    def up(self) -> None:
        # Without the policy pack: some starting points (5 replicas on staging) are what it refuses.
        self.project.pulumi("up", "-s", self.stack, "--yes", "--skip-preview")

    def before(self) -> None:
        self.before_text = self.project.stack_file(self.stack).read_text()

    def preview(self, case: str) -> None:
        name = f"{self.prefix}-{case}"
        args = ("preview", "-s", self.stack, "--json", *self.project.policy_args(self.stack))
        digest = self.project.pulumi(*args, check=False)
        (OUT / f"{name}.json").write_text(digest.stdout)
        (OUT / f"{name}.exit").write_text(f"{digest.returncode}\n")
        events = self.project.pulumi(*args, check=False, env={"PULUMI_ENABLE_STREAMING_JSON_PREVIEW": "true"})
        (OUT / f"{name}.events.jsonl").write_text(events.stdout)
        if self.before_text is not None:
            (OUT / f"{name}.before.yaml").write_text(self.before_text)
            shutil.copy(self.project.stack_file(self.stack), OUT / f"{name}.after.yaml")
            self.before_text = None
        print(f"regenerate: {name} (preview exit {digest.returncode})", flush=True)

    def secrets(self) -> set[str]:
        """Every generated password in the stack's state (8 characters or more)."""
        state = json.loads(self.project.pulumi("stack", "export", "-s", self.stack, "--show-secrets").stdout)
        found = set()
        for resource in state["deployment"].get("resources", []):
            if resource["type"] == "random:index/randomPassword:RandomPassword":
                result = resource["outputs"]["result"]
                if isinstance(result, dict):  # {<secret sig>: ..., "plaintext": "<JSON of the value>"}
                    result = json.loads(result.get("plaintext", '""'))
                found.add(result)
        return {value for value in found if isinstance(value, str) and len(value) >= 8}


def service_removed(r: Recorder) -> None:
    r.before()
    r.remove("services.demo")
    r.preview("service-removed")
    r.reset()


def service_relaxed(r: Recorder) -> None:
    """The demo given a writable root, with the reason its settings must state."""
    r.before()
    r.set("services.demo.security.readOnlyRootFilesystem", "false")
    r.set("services.demo.security.why", "the image rewrites its own config at start")
    r.preview("service-relaxed")
    r.reset()


def secret_rotation(r: Recorder) -> str:
    """A configured MySQL user password replaces the generated one; returns the new value."""
    rotated = f"rotated-{time.time_ns()}-review-fixture"
    r.before()
    r.set("mysqlPassword", rotated, secret=True)
    r.preview("secret-rotation")
    r.reset()
    return rotated


def kubernetes_cases(r: Recorder) -> set[str]:
    r.up()
    r.preview("no-change")

    # Scale up within the policy bounds (staging: 1..3), WordPress and the demo service.
    r.before()
    r.set("wordpress.replicas", "3")
    r.set("services.demo.replicas", "3")
    r.preview("scale-up")

    # Beyond the bound: replicas-within-bounds is mandatory on staging.
    r.reset(); r.before()
    r.set("wordpress.replicas", "5")
    r.preview("policy-blocked")

    # Scale down from 5 (deployed without the policy pack) to 2, and the demo from 3 to 1.
    r.reset()
    r.set("wordpress.replicas", "5")
    r.set("services.demo.replicas", "3")
    r.up()
    r.before()
    r.set("wordpress.replicas", "2")
    r.set("services.demo.replicas", "1")
    r.preview("scale-down")
    r.reset(); r.up()

    r.before()
    r.set("wordpress.image", "wordpress:6.8.4-apache")
    r.preview("image-bump")
    r.reset()

    service_removed(r)
    service_relaxed(r)
    rotated = secret_rotation(r)

    # An autoscaler owns the WordPress count: wordpress.replicas changes nothing, the bounds do.
    r.set("kubernetes.autoscaling", "true")
    r.set("kubernetes.autoscalingMinReplicas", "2")
    r.set("kubernetes.autoscalingMaxReplicas", "3")
    r.up()
    r.before()
    r.set("wordpress.replicas", "3")
    r.preview("autoscaled-knob-ignored")
    r.set("wordpress.replicas", "2")
    r.before()
    r.set("kubernetes.autoscalingMinReplicas", "1")
    r.preview("autoscaler-bounds")
    r.reset(); r.up()

    # Prod-like: the claims protected, then a change that replaces the MySQL claim is refused.
    r.set("mysql.protect", "true")
    r.set("wordpress.protect", "true")
    r.up()
    r.before()
    r.set("kubernetes.mysqlStorageClass", "fast-ssd")
    r.preview("protected-claim-replaced")
    r.reset()
    return r.secrets() | {rotated}


def swarm_cases(r: Recorder) -> set[str]:
    from tests.standin_images import build

    # Stand-ins under the image settings: no image can be pulled here. The committed stack
    # publishes WordPress on 80 and the demo on 8080; the scratch copy keeps them.
    for setting, standin in (("wordpress.image", "wordpress"), ("mysql.image", "mysql"), ("services.demo.image", "nginx")):
        r.set(setting, build(standin))
    r.set("services.demo.stopGracePeriod", "5s")
    r.committed = r.project.stack_file(r.stack).read_text()
    r.up()
    try:
        r.preview("no-change")

        r.before()
        r.set("services.demo.replicas", "5")
        r.preview("scale-up")
        r.up()

        r.before()
        r.set("services.demo.replicas", "2")
        r.set("wordpress.replicas", "1")
        r.preview("scale-down")
        r.reset(); r.up()

        service_removed(r)
        service_relaxed(r)
        # Swarm secrets cannot change: a new one under a new hashed name, the services rolled to it.
        rotated = secret_rotation(r)
        return r.secrets() | {rotated}
    finally:
        r.reset()
        r.project.pulumi("state", "unprotect", "-s", r.stack, "--all", "--yes", check=False)
        r.project.destroy(r.stack, check=False)


def dev_cases(r: Recorder) -> set[str]:
    """A password change on docker: the online rotation's step runs before the secret files change."""
    import socket

    from tests.standin_images import build

    for setting, standin in (("wordpress.image", "wordpress"), ("mysql.image", "mysql")):
        r.set(setting, build(standin))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        r.set("wordpress.port", str(probe.getsockname()[1]))
    r.committed = r.project.stack_file(r.stack).read_text()
    r.up()
    try:
        rotated = secret_rotation(r)
        return r.secrets() | {rotated}
    finally:
        r.reset()
        r.project.destroy(r.stack, check=False)


PLATFORMS = {
    "dev": ("dev", dev_cases),
    "k8s": ("staging", kubernetes_cases),
    "swarm": ("swarm", swarm_cases),
}


def leaks(secrets: set[str], names: list[str]) -> list[str]:
    return sorted({path.name for path in OUT.iterdir() if path.is_file() and path.name.split(".")[0] in names
                   for secret in secrets if secret in path.read_text()})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", choices=sorted(PLATFORMS))
    args = parser.parse_args()
    problem = engine_problem()
    if problem:
        sys.exit(f"regenerate: {problem}")
    for prefix, (stack, cases) in PLATFORMS.items():
        if args.only and prefix != args.only:
            continue
        for old in OUT.glob(f"{prefix}-*"):
            old.unlink()
        with tempfile.TemporaryDirectory() as scratch:
            project = EngineProject(Path(scratch))
            project.init(stack)
            secrets = cases(Recorder(project, stack, prefix))
        written = sorted({path.name.split(".")[0] for path in OUT.glob(f"{prefix}-*")})
        found = leaks(secrets, written)
        if found:
            sys.exit(f"regenerate: a secret value appears in {', '.join(found)}")
        print(f"regenerate: {prefix}: {len(written)} cases, no secret value in them ({len(secrets)} checked)")


if __name__ == "__main__":
    try:
        main()
    except subprocess.CalledProcessError as failed:
        sys.exit(f"regenerate: {failed}")
