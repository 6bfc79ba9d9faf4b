"""Scaling up and down (recipe 6): a replica count is a config change, and the only thing the
engine receives differently is that count (plus a disruption budget when crossing 1)."""

import pytest

from tests.kubernetes_support import deploy

WORDPRESS = ("kubernetes:apps/v1:Deployment", "wordpress")
DEMO = ("kubernetes:apps/v1:Deployment", "demo")


def received(run):
    """Everything the engine gets for each resource: inputs and the options that matter."""
    return {
        (r.type, r.name): {
            "inputs": r.inputs,
            "parent": r.parent,
            "provider": r.provider,
            "protect": r.protect,
            "dependsOn": sorted(r.depends_on),
            "ignoreChanges": r.ignore_changes,
            "deleteBeforeReplace": r.delete_before_replace,
            "replaceOnChanges": r.replace_on_changes,
        }
        for r in run.resources
    }


def differences(before, after):
    """{(type, name): [paths that differ]}, with 'added' / 'removed' for whole resources."""
    found = {}
    for key in before.keys() | after.keys():
        if key not in after:
            found[key] = ["removed"]
        elif key not in before:
            found[key] = ["added"]
        elif paths := _paths(before[key], after[key]):
            found[key] = paths
    return found


def _paths(a, b, at=""):
    if isinstance(a, dict) and isinstance(b, dict):
        return [p for k in sorted(a.keys() | b.keys()) for p in _paths(a.get(k), b.get(k), f"{at}.{k}" if at else k)]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [p for i, (x, y) in enumerate(zip(a, b)) for p in _paths(x, y, f"{at}[{i}]")]
    return [] if a == b else [at]


def replicas(run, key):
    return received(run)[key]["inputs"]["spec"].get("replicas")


@pytest.fixture(scope="module")
def staging():
    return deploy("staging")


def test_scaling_wordpress_up_changes_only_its_replica_count(staging):
    scaled = deploy("staging", {"wordpress.replicas": 3})
    assert differences(received(staging), received(scaled)) == {WORDPRESS: ["inputs.spec.replicas"]}
    assert (replicas(staging, WORDPRESS), replicas(scaled, WORDPRESS)) == (2, 3)


def test_scaling_wordpress_down_to_one_also_drops_its_disruption_budget(staging):
    scaled = deploy("staging", {"wordpress.replicas": 1})
    assert differences(received(staging), received(scaled)) == {
        WORDPRESS: ["inputs.spec.replicas"],
        ("kubernetes:policy/v1:PodDisruptionBudget", "wordpress"): ["removed"],
    }


def test_scaling_a_service_up_changes_only_its_replica_count(staging):
    scaled = deploy("staging", {"services.demo.replicas": 5})
    assert differences(received(staging), received(scaled)) == {DEMO: ["inputs.spec.replicas"]}
    assert replicas(scaled, DEMO) == 5


def test_scaling_a_service_down_to_one_also_drops_its_disruption_budget(staging):
    scaled = deploy("staging", {"services.demo.replicas": 1})
    assert differences(received(staging), received(scaled)) == {
        DEMO: ["inputs.spec.replicas"],
        ("kubernetes:policy/v1:PodDisruptionBudget", "demo"): ["removed"],
    }


def test_under_autoscaling_the_replica_count_is_the_autoscalers_and_its_bounds_are_the_knob():
    prod = received(deploy("prod"))
    assert differences(prod, received(deploy("prod", {"wordpress.replicas": 5}))) == {}
    wider = received(deploy("prod", {"kubernetes.autoscalingMaxReplicas": 12}))
    assert differences(prod, wider) == {
        ("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "wordpress"): ["inputs.spec.maxReplicas"]
    }


def test_the_comparison_sees_any_other_difference(staging):
    """The check above is only as good as its diff: a change elsewhere must show."""
    other = deploy("staging", {"wordpress.replicas": 3, "kubernetes.wordpressMemory": "300Mi"})
    changed = differences(received(staging), received(other))[WORDPRESS]
    assert "inputs.spec.replicas" in changed
    assert "inputs.spec.template.spec.containers[0].resources.limits.memory" in changed
