"""The real Pulumi engine for the tests marked `engine`: the CLI, language host and plugins of
toolchain/ (scripts/setup.sh builds them) run a copy of the project on a temporary backend.

Each `EngineProject` is a scratch copy (Pulumi.yaml, __main__.py, moorings/, stacks/,
policies/, docker/) sharing the repository's virtualenvs, so a test may change its stack files
and config freely: the committed ones are never written. Where the toolchain is missing the test
fails (MOORINGS_REQUIRE_ENGINE=1 or CI=true) or skips saying why.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any, Callable, Optional

import pytest
import yaml

from tests.cluster_toolchain import building_in_the_background
from tests.netns_lab import descendants, signal_pid
from tests.stack_config import ROOT

TOOLCHAIN_BIN = ROOT / "toolchain" / "bin"
LAUNCHER = ROOT / "toolchain" / "launcher" / "pulumi"  # the `pulumi` scripts/setup.sh puts on PATH
COPIED = ("Pulumi.yaml", "__main__.py", "moorings", "stacks", "policies", "docker")
TIMEOUT = 900  # seconds for one CLI call: a docker `up` waits for MySQL's healthcheck


def engine_required() -> bool:
    return os.environ.get("MOORINGS_REQUIRE_ENGINE") == "1" or os.environ.get("CI", "").lower() == "true"


PROVIDERS = ("kubernetes", "docker", "random", "command")


def plugin_path(provider: str) -> Path:
    """Where setup.sh installs a provider's plugin: the plugin cache, at the release of its SDK."""
    home = Path(os.environ.get("PULUMI_HOME", Path.home() / ".pulumi"))
    release = version(f"pulumi-{provider}")
    return home / "plugins" / f"resource-{provider}-v{release}" / f"pulumi-resource-{provider}"


def coming(provider: str) -> bool:
    """The Kubernetes provider may still be building in the background (scripts/setup.sh): only the
    modules marked `kubernetes_provider` use it, and they wait for it (tests/conftest.py)."""
    return provider == "kubernetes" and building_in_the_background()


def engine_problem() -> Optional[str]:
    """Why the real engine cannot run here, or None."""
    missing = [
        str(TOOLCHAIN_BIN / name)
        for name in ("pulumi", "pulumi-language-python", "pulumi-language-python-exec")
        if not (TOOLCHAIN_BIN / name).exists()
    ] + [str(plugin_path(p)) for p in PROVIDERS if not plugin_path(p).exists() and not coming(p)]
    if missing:
        return f"missing {', '.join(missing)} (run `bash scripts/setup.sh`)"
    if not (ROOT / "venv" / "bin" / "python").exists() or not (ROOT / "policies" / "venv").exists():
        return "the virtualenvs venv/ and policies/venv are missing (run `bash scripts/setup.sh`)"
    return None


def require_engine() -> None:
    problem = engine_problem()
    if problem is None:
        return
    if engine_required():
        pytest.fail(f"{problem}; this run requires the engine (MOORINGS_REQUIRE_ENGINE=1 or CI=true), so no skip")
    pytest.skip(problem)


def engine_env(state_dir: Path) -> dict[str, str]:
    """toolchain/env.sh's settings, on a backend of the test's own, offline."""
    env = dict(os.environ)
    env["PATH"] = f"{TOOLCHAIN_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true",
        PULUMI_SKIP_UPDATE_CHECK="true",
        PULUMI_IGNORE_AMBIENT_PLUGINS="true",  # the plugin cache's exact releases, as toolchain/env.sh
        PULUMI_BACKEND_URL=f"file://{state_dir}?metadata=skip",  # as toolchain/env.sh: no sidecar to corrupt
        PULUMI_CONFIG_PASSPHRASE="",  # the committed stack files' salts are made with it
        PULUMI_HOME=env.get("PULUMI_HOME", str(Path.home() / ".pulumi")),
        PULUMI_EXPERIMENTAL="false",
        NO_COLOR="1",
    )
    env.pop("PULUMI_CONFIG_PASSPHRASE_FILE", None)
    env.pop("PULUMI_ACCESS_TOKEN", None)
    return env


class EngineProject:
    """A scratch copy of the project on its own local backend."""

    def __init__(self, workdir: Path):
        self.dir = workdir / "project"
        self.state = workdir / "state"
        self.state.mkdir(parents=True)
        self.dir.mkdir(parents=True)
        for name in COPIED:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, self.dir / name, ignore=shutil.ignore_patterns("venv", "__pycache__"))
            else:
                shutil.copy2(source, self.dir / name)
        # The copies run in the repository's virtualenvs.
        project = yaml.safe_load((self.dir / "Pulumi.yaml").read_text())
        project["runtime"]["options"]["virtualenv"] = str(ROOT / "venv")
        (self.dir / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
        (self.dir / "policies" / "venv").symlink_to(ROOT / "policies" / "venv")
        self.env = engine_env(self.state)
        self.launcher: list[str] = []
        """A prefix for the CLI's command line, e.g. to run it in another network namespace."""

    def pulumi(self, *args: str, check: bool = True, env: Optional[dict] = None) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [*self.launcher, "pulumi", *args, "--non-interactive"],
            cwd=self.dir,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"`pulumi {' '.join(args)}` exited {result.returncode}\n"
                f"--- stdout\n{result.stdout[-6000:]}\n--- stderr\n{result.stderr[-3000:]}"
            )
        return result

    # -- stacks and config -------------------------------------------------------------------

    def init(self, stack: str) -> None:
        self.pulumi("stack", "init", stack, "--no-select")

    def stack_file(self, stack: str) -> Path:
        return self.dir / "stacks" / f"Pulumi.{stack}.yaml"

    def set(self, stack: str, path: str, value: str, secret: bool = False) -> None:
        """`pulumi config set --path`, as a user changes a knob."""
        self.pulumi("config", "set", "-s", stack, "--path", path, value, *(["--secret"] if secret else []))

    def policy_args(self, stack: str) -> list[str]:
        return ["--policy-pack", "policies", "--policy-pack-config", f"policies/config/{stack}.json"]

    # -- operations ------------------------------------------------------------------------

    def up(self, stack: str, *extra: str) -> subprocess.CompletedProcess:
        return self.pulumi("up", "-s", stack, "--yes", "--skip-preview", *self.policy_args(stack), *extra)

    def up_as_a_user(self, stack: str) -> subprocess.CompletedProcess:
        """`pulumi up` through the launcher a user runs (its stale-lock and pending-create care),
        with this project's backend."""
        done = subprocess.run(
            [str(LAUNCHER), "up", "-s", stack, "--yes", "--skip-preview", "--non-interactive", *self.policy_args(stack)],
            cwd=self.dir, env=self.env, capture_output=True, text=True, timeout=TIMEOUT,
        )
        assert done.returncode == 0, f"--- stdout\n{done.stdout[-6000:]}\n--- stderr\n{done.stderr[-3000:]}"
        return done

    def up_killed_when(self, stack: str, condition: Callable[[], bool], timeout: float = 180, every: float = 0.2) -> bool:
        """`up`, killed with SIGKILL (the CLI, its language host and providers: a cancelled CI
        runner, a reboot) as soon as `condition()` holds, asked every `every` seconds; False if
        `up` ended first."""
        process = subprocess.Popen(
            [*self.launcher, "pulumi", "up", "-s", stack, "--yes", "--skip-preview", "--non-interactive",
             *self.policy_args(stack)],
            cwd=self.dir, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        try:
            while process.poll() is None and time.monotonic() < deadline:
                if condition():
                    kill_with_plugins(process)
                    return True
                time.sleep(every)
            return False
        finally:
            if process.poll() is None:
                kill_with_plugins(process)

    def preview_json(self, stack: str, *extra: str, check: bool = True) -> dict[str, Any]:
        result = self.pulumi("preview", "-s", stack, "--json", *self.policy_args(stack), *extra, check=check)
        return json.loads(result.stdout)

    def destroy(self, stack: str, *extra: str, check: bool = True) -> subprocess.CompletedProcess:
        return self.pulumi("destroy", "-s", stack, "--yes", "--skip-preview", *extra, check=check)

    def export(self, stack: str) -> str:
        return self.pulumi("stack", "export", "-s", stack).stdout

    def deployment(self, stack: str) -> dict[str, Any]:
        """The state as `pulumi stack export` prints it: resources, pending_operations, ..."""
        return json.loads(self.export(stack))["deployment"]

    def urn(self, stack: str, type_: str, name: str) -> str:
        """The URN of the resource `name` of type `type_` in the state."""
        return next(r["urn"] for r in self.deployment(stack)["resources"] if r["type"] == type_ and r["urn"].endswith(f"::{name}"))

    def taint(self, stack: str, type_: str, name: str) -> None:
        """`pulumi state taint`: the resource is replaced by the next `up`."""
        self.pulumi("state", "taint", "-s", stack, self.urn(stack, type_, name), "--yes")

    def ids_by_name(self, stack: str, type_: str) -> dict[str, str]:
        """Resources of type `type_` in the state: their `name` output -> their ID (a Docker
        container's, a Swarm service's)."""
        return {r["outputs"]["name"]: r["id"] for r in self.deployment(stack)["resources"] if r["type"] == type_ and "id" in r}


def kill_with_plugins(process: subprocess.Popen) -> None:
    """SIGKILL to the CLI's process group and to its plugins, which run in groups of their own:
    found by their parents, or they would go on as orphans after the kill."""
    plugins = descendants(process.pid)
    os.killpg(process.pid, signal.SIGKILL)
    for pid in plugins:
        signal_pid(pid, signal.SIGKILL)
    process.wait()


@dataclass(frozen=True)
class StepEvent:
    """One engine event of `up --json`: a step starting (pre) or done (outputs), in engine order."""

    kind: str  # "pre" or "done"
    op: str  # create, update, create-replacement, delete-replaced, ...
    name: str  # the resource's name (the URN's last part)
    type: str


def step_events(json_lines: str) -> list[StepEvent]:
    """The steps an `up --json` took (its output: one engine event per line), in the engine's order."""
    found = []
    for line in json_lines.splitlines():
        if not line.startswith("{"):
            continue
        event = json.loads(line)
        for key, kind in (("resourcePreEvent", "pre"), ("resOutputsEvent", "done")):
            if key in event:
                meta = event[key]["metadata"]
                found.append(StepEvent(kind, meta["op"], meta["urn"].rsplit("::", 1)[-1], meta["type"]))
    return found


def changed_steps(preview: dict[str, Any]) -> list[dict[str, Any]]:
    """The steps of a `preview --json` that change something."""
    return [step for step in preview.get("steps", []) if step["op"] != "same"]


def step_summary(step: dict[str, Any]) -> tuple[str, str, list[str]]:
    """(op, resource type and name, the properties it changes), one line of a reviewer's view."""
    urn = step["urn"]
    type_, name = urn.split("::")[-2].split("$")[-1], urn.split("::")[-1]
    return step["op"], f"{type_}::{name}", sorted((step.get("detailedDiff") or {}).keys())


CLAIMS_AND_WHAT_THEY_LIVE_IN = {
    "pulumi:pulumi:Stack", "moorings:index:KubernetesCluster", "pulumi:providers:kubernetes",
    "kubernetes:core/v1:Namespace", "moorings:index:WordPressStack", "kubernetes:core/v1:PersistentVolumeClaim",
}


def assert_destroy_keeps_only_the_protected_claims(project: EngineProject, stack: str) -> None:
    """`destroy` refuses, names both protected claims, and deletes everything else first."""
    refused = project.destroy(stack, check=False)
    assert refused.returncode != 0
    output = refused.stdout + refused.stderr
    for claim in ("mysql-data", "wp-content"):
        assert f"PersistentVolumeClaim::{claim}" in output
    assert "protected" in output
    left = {r["type"] for r in project.deployment(stack)["resources"]}
    assert left <= CLAIMS_AND_WHAT_THEY_LIVE_IN, left


def assert_an_autoscaled_replica_count_warns_and_changes_nothing(project: EngineProject, stack: str) -> None:
    """`wordpress.replicas` 5 under the autoscaler: no step changes, a warning says why; then back to 3."""
    project.set(stack, "wordpress.replicas", "5")
    preview = project.preview_json(stack)
    assert changed_steps(preview) == []
    warnings = [d["message"] for d in preview.get("diagnostics", []) if d.get("severity") == "warning"]
    assert any("moorings:wordpress.replicas = 5 changes nothing while kubernetes.autoscaling is on" in w
               for w in warnings), warnings
    project.set(stack, "wordpress.replicas", "3")
