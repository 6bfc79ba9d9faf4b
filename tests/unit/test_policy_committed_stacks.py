"""Every committed stack, run under the mocks, passes every rule its policy config makes mandatory;
what it knowingly breaks at a lower level, its config explains."""

import runpy

import pytest

from tests.harness import run_program
from tests.policy_harness import analyze, policy_config_file
from tests.stack_config import ROOT, committed_stacks, stack_config


def run_stack(stack, preview, extra=None):
    config = {**stack_config(stack), **(extra or {})}
    return run_program(lambda: runpy.run_path(str(ROOT / "__main__.py")), config, stack=stack, preview=preview)


@pytest.fixture(scope="module", params=[(s, p) for s in committed_stacks() for p in (True, False)], ids=lambda p: f"{p[0]}-{'preview' if p[1] else 'update'}")
def checked(request):
    stack, preview = request.param
    return stack, analyze(run_stack(stack, preview), stack)


def test_no_mandatory_violation(checked):
    stack, violations = checked
    assert [f"{v.policy} {v.resource}: {v.message}" for v in violations if v.level == "mandatory"] == []


def test_every_advisory_violation_is_a_deviation_its_policy_config_explains(checked):
    stack, violations = checked
    config = policy_config_file(stack)
    unexplained = sorted({v.policy for v in violations if not isinstance(config[v.policy], dict) or not config[v.policy].get("_why")})
    assert unexplained == []


def test_dev_deviates_only_where_its_config_says():
    run = run_stack("dev", preview=True)
    assert [(v.level, v.policy, v.resource) for v in analyze(run, "dev")] == []
    # Without dev's config, the pack's defaults block on exactly its deviations: the disposable
    # volumes (the data, and the secrets volume a database mounts), and the capabilities the
    # images' root entrypoints keep on Docker.
    assert sorted((v.level, v.policy, v.resource) for v in analyze(run)) == [
        ("mandatory", "no-added-capabilities", "mysql"),
        ("mandatory", "no-added-capabilities", "wordpress"),
        ("mandatory", "stateful-storage-protected", "mysql-data"),
        ("mandatory", "stateful-storage-protected", "mysql-secrets"),
    ]


def test_the_dockerfile_variant_of_dev_passes_too():
    run = run_stack("dev", preview=True, extra={"moorings:wordpress": {"build": True, "port": 8080, "replicas": 1}})
    assert [r.name for r in run.resources if r.type == "docker:index/image:Image"] == ["wordpress-build"]
    assert [v.policy for v in analyze(run, "dev") if v.level == "mandatory"] == []


@pytest.mark.skipif("swarm" not in committed_stacks(), reason="stack swarm is not committed on this branch")
def test_scaling_swarm_beyond_its_bounds_is_blocked():
    services = {**stack_config("swarm")["moorings:services"]}
    services["demo"] = {**services["demo"], "replicas": 6}
    violations = analyze(run_stack("swarm", preview=True, extra={"moorings:services": services}), "swarm")
    assert [(v.level, v.policy, v.resource) for v in violations] == [("mandatory", "replicas-within-bounds", "demo")]
