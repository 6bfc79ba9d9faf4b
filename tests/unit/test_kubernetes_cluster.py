"""KubernetesCluster (recipe 5): an existing cluster, a local kind cluster, or rendered YAML."""

import os
import subprocess

import pulumi
import pytest

from moorings import kubernetes_cluster
from moorings.kubernetes_cluster import KindNotFound, KubernetesCluster, KubernetesClusterArgs
from tests.harness import is_secret, run_program
from tests.kubernetes_support import PROVIDER, deploy, kubernetes_objects, run_stack

COMMAND = "command:local:Command"


@pytest.fixture(autouse=True)
def no_ambient_kubeconfig(monkeypatch):
    # The provider SDK reads $KUBECONFIG when no kubeconfig is given: keep tests independent of it.
    monkeypatch.delenv("KUBECONFIG", raising=False)


@pytest.fixture
def kind_installed(monkeypatch):
    monkeypatch.setattr(kubernetes_cluster.shutil, "which", lambda name: f"/usr/local/bin/{name}")


def cluster(**fields):
    def program():
        built = KubernetesCluster("cluster", KubernetesClusterArgs(**{"namespace": "blog", **fields}))
        pulumi.export("namespace", built.namespace)
        if built.kubeconfig is not None:
            pulumi.export("kubeconfig", built.kubeconfig)

    return run_program(program)


def test_existing_mode_targets_the_configured_kubeconfig_and_context_with_server_side_apply():
    provider = cluster(mode="existing", kubeconfig="/home/ops/.kube/prod", context="prod").one(PROVIDER)
    assert provider.inputs == {
        "kubeconfig": "/home/ops/.kube/prod",
        "context": "prod",
        "enableServerSideApply": "true",  # provider config travels JSON-encoded
    }


def test_existing_mode_without_kubeconfig_leaves_the_provider_to_its_defaults():
    assert cluster(mode="existing").one(PROVIDER).inputs == {"enableServerSideApply": "true"}


def test_render_mode_writes_manifests_to_the_directory_and_needs_no_cluster():
    run = cluster(mode="render", render_dir="rendered/staging")
    assert run.one(PROVIDER).inputs == {"renderYamlToDirectory": "rendered/staging"}
    assert run.of_type(COMMAND) == []


def test_the_stack_owns_a_namespace_that_enforces_the_baseline_pod_security_standard():
    run = cluster(mode="render")
    namespace = run.one("kubernetes:core/v1:Namespace")
    assert namespace.inputs["metadata"] == {
        "name": "blog",
        "labels": {
            "pod-security.kubernetes.io/enforce": "baseline",
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/audit": "restricted",
        },
    }
    assert namespace.provider.startswith(run.one(PROVIDER).urn)
    assert run.output("namespace") == "blog"


def test_kind_mode_creates_and_deletes_the_cluster_with_local_commands(kind_installed):
    run = cluster(mode="kind", kind_cluster="moorings-dev", kind_node_image="kindest/node:v1.33.1")
    command = run.one(COMMAND, "kind-cluster")
    create = command.inputs["create"]
    assert "kind get clusters | grep -qx moorings-dev || kind create cluster --name moorings-dev --image kindest/node:v1.33.1 --wait 180s >&2" in create
    assert create.endswith("kind get kubeconfig --name moorings-dev")
    assert command.inputs["delete"] == "kind delete cluster --name moorings-dev"
    # Another name or node image is another cluster: replaced, the old one deleted first.
    assert command.inputs["triggers"] == ["moorings-dev", "kindest/node:v1.33.1"]
    assert "triggers[*]" in command.replace_on_changes and command.delete_before_replace
    assert command.inputs["logging"] == "stderr"  # the kubeconfig on stdout never reaches the logs


def test_kind_mode_hands_the_provider_the_new_clusters_kubeconfig_as_a_secret(kind_installed):
    run = cluster(mode="kind", kind_cluster="moorings-dev")
    provider = run.one(PROVIDER)
    assert provider.input_is_secret("kubeconfig")
    assert provider.inputs["context"] == "kind-moorings-dev"
    assert is_secret(run.outputs["kubeconfig"])
    assert run.one(COMMAND).additional_secret_outputs == ["stdout"]  # secret in state too


def test_kind_mode_refuses_to_start_without_the_kind_cli(monkeypatch):
    monkeypatch.setattr(kubernetes_cluster.shutil, "which", lambda name: None)
    run = run_stack("staging", {"kubernetes.mode": "kind"}, capture_error=True)
    assert isinstance(run.error, KindNotFound)
    assert "the `kind` CLI is not on PATH" in str(run.error)
    assert run.resources == []


def test_the_create_script_is_idempotent_and_prints_only_the_kubeconfig(kind_installed, tmp_path):
    """Run the declared script with a stand-in `kind` that records its calls."""
    fake = tmp_path / "kind"
    fake.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> {tmp_path}/calls\n'
        'case "$1 $2" in\n'
        f'  "get clusters") cat {tmp_path}/clusters 2>/dev/null ;;\n'
        f'  "create cluster") echo "Creating cluster..."; echo moorings-dev >> {tmp_path}/clusters ;;\n'
        '  "get kubeconfig") echo "apiVersion: v1" ;;\n'
        "esac\n"
    )
    fake.chmod(0o755)
    create = cluster(mode="kind", kind_cluster="moorings-dev").one(COMMAND).inputs["create"]
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"}
    outputs = [subprocess.run(["/bin/sh", "-c", create], env=env, capture_output=True, text=True, check=True).stdout for _ in range(2)]
    assert outputs == ["apiVersion: v1\n", "apiVersion: v1\n"]
    calls = (tmp_path / "calls").read_text().splitlines()
    assert [c for c in calls if c.startswith("create")] == ["create cluster --name moorings-dev --wait 180s"]


def test_every_kubernetes_object_of_the_stack_goes_through_the_clusters_provider():
    run = deploy("staging")
    provider = run.one(PROVIDER)
    assert provider.parent == run.one("moorings:index:KubernetesCluster").urn
    objects = kubernetes_objects(run)
    assert len(objects) > 10
    assert [o.name for o in objects if not o.provider.startswith(provider.urn + "::")] == []


def test_an_unknown_mode_is_refused_by_the_component():
    run = run_program(lambda: KubernetesCluster("c", KubernetesClusterArgs(mode="eks", namespace="n")), capture_error=True)
    assert "mode 'eks' is not one of existing, kind, render" in str(run.error)
