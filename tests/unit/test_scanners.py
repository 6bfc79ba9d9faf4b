"""A widely used open-source scanner, checkov (scripts/setup.sh installs the pinned release),
on the staging and prod manifests: every object the program hands the Kubernetes provider,
written as YAML the way render mode writes them. The findings must be exactly the ones
docs/operators/hardening.md ("Scanner findings") lists with their justification: a new finding fails the test,
and so does a fixed one, until the table says so."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from tests.kubernetes_support import deploy, manifests
from tests.stack_config import ROOT

CHECKOV = Path(os.environ.get("MOORINGS_CHECKOV", ROOT / ".scanners" / "venv" / "bin" / "checkov"))
REQUIRED = os.environ.get("MOORINGS_REQUIRE_SCANNERS") == "1"

# docs/operators/hardening.md's table: (check, kind, name) per stack.
JUSTIFIED = {
    "CKV_K8S_43": "Image should use digest",
    "CKV_K8S_40": "Containers should run as a high UID to avoid host conflict",
}
WORKLOADS = [("StatefulSet", "mysql"), ("Deployment", "wordpress"), ("Deployment", "demo"), ("Job", "mysql-credentials"), ("Job", "mysql-credentials-close")]
# A name that ends in a content digest (the rotation Job's), as the table names it: without it.
DIGEST = re.compile(r"-[0-9a-f]{10}$")
EXPECTED = {stack: sorted((check, kind, name) for check in JUSTIFIED for kind, name in WORKLOADS) for stack in ("staging", "prod")}

pytestmark = pytest.mark.scanner


def write_manifests(stack: str, directory: Path) -> Path:
    """One YAML file per object, as render mode writes them (rendered/<stack>/)."""
    out = directory / stack
    out.mkdir(parents=True)
    for index, obj in enumerate(manifests(deploy(stack))):
        name = f"{index:02d}-{obj['kind'].lower()}-{obj['metadata']['name']}.yaml"
        (out / name).write_text(yaml.safe_dump(obj, sort_keys=False))
    return out


def scan(directory: Path) -> list[tuple[str, str, str]]:
    """checkov's failed checks as (check id, kind, name); offline (--skip-download)."""
    done = subprocess.run(
        [str(CHECKOV), "-d", str(directory), "--framework", "kubernetes", "--skip-download", "--quiet", "-o", "json"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "BC_SKIP_MAPPING": "TRUE"},
    )
    report = json.loads(done.stdout)
    failed = report["results"]["failed_checks"] if isinstance(report, dict) else []
    found = []
    for check in failed:
        kind, _, name = check["resource"].split(".", 2)  # Kind.namespace.name
        found.append((check["check_id"], kind, DIGEST.sub("", name.split(".", 1)[-1])))
    return sorted(found)


@pytest.fixture(scope="module")
def checkov():
    if not CHECKOV.exists():
        message = f"checkov is not installed at {CHECKOV}: run `bash scripts/setup.sh`"
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    return CHECKOV


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_the_rendered_manifests_have_only_the_justified_findings(checkov, tmp_path, stack):
    assert scan(write_manifests(stack, tmp_path)) == EXPECTED[stack]


def test_the_scanner_catches_what_the_hardening_removed(checkov, tmp_path):
    """The scan has teeth: the same prod objects without their security contexts fail the
    checks that hardening fixed (root, capabilities, writable root filesystem...)."""
    out = write_manifests("prod", tmp_path)
    for path in out.glob("*-deployment-*.yaml"):
        obj = yaml.safe_load(path.read_text())
        pod = obj["spec"]["template"]["spec"]
        pod.pop("securityContext", None)
        for container in pod["containers"]:
            container.pop("securityContext", None)
        path.write_text(yaml.safe_dump(obj))
    found = {check for check, kind, name in scan(out) if name == "demo"}
    assert {"CKV_K8S_20", "CKV_K8S_22", "CKV_K8S_23", "CKV_K8S_28", "CKV_K8S_37"} <= found, found
