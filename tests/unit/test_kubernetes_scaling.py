"""Scaling up and down (recipe 6): a replica count is a config change, and the only thing the
engine receives differently is that count (plus a disruption budget when crossing 1)."""

import pytest

from tests.harness import differences
from tests.kubernetes_support import deploy, run_stack

WORDPRESS = "urn:pulumi:{stack}::moorings::moorings:index:WordPressStack$kubernetes:apps/v1:Deployment::wordpress"
DEMO = "urn:pulumi:{stack}::moorings::moorings:index:KubernetesService$kubernetes:apps/v1:Deployment::demo"
BUDGET = "urn:pulumi:{stack}::moorings::moorings:index:{component}$kubernetes:policy/v1:PodDisruptionBudget::{name}"


@pytest.fixture(scope="module")
def staging():
    return deploy("staging")


# (config path, the Deployment it scales, the component holding its disruption budget)
WORKLOADS = {
    "wordpress": ("wordpress.replicas", WORDPRESS, "WordPressStack"),
    "demo": ("services.demo.replicas", DEMO, "KubernetesService"),
}


@pytest.mark.parametrize("workload", sorted(WORKLOADS))
def test_scaling_up_changes_only_the_replica_count(staging, workload):
    path, deployment, _ = WORKLOADS[workload]
    scaled = deploy("staging", {path: 5})
    assert differences(staging, scaled) == [f"{deployment.format(stack='staging')} .spec.replicas: 2.0 -> 5.0"]


@pytest.mark.parametrize("workload", sorted(WORKLOADS))
def test_scaling_down_to_one_also_drops_the_disruption_budget(staging, workload):
    path, deployment, component = WORKLOADS[workload]
    scaled = deploy("staging", {path: 1})
    assert differences(staging, scaled) == [
        "- " + BUDGET.format(stack="staging", component=component, name=workload),
        f"{deployment.format(stack='staging')} .spec.replicas: 2.0 -> 1.0",
    ]


def test_under_autoscaling_the_replica_count_is_the_autoscalers_and_its_bounds_are_the_knob():
    prod = deploy("prod")
    assert differences(prod, deploy("prod", {"wordpress.replicas": 5})) == []
    autoscaler = "urn:pulumi:prod::moorings::moorings:index:WordPressStack$kubernetes:autoscaling/v2:HorizontalPodAutoscaler::wordpress"
    assert differences(prod, deploy("prod", {"kubernetes.autoscalingMaxReplicas": 12})) == [
        f"{autoscaler} .spec.maxReplicas: 10.0 -> 12.0"
    ]


def test_under_autoscaling_a_replica_count_that_changes_nothing_says_so(caplog):
    run_stack("prod")  # wordpress.replicas 3, the autoscaler's lower bound: nothing to say
    assert not [r for r in caplog.records if "wordpress.replicas" in r.getMessage()]
    run_stack("prod", {"wordpress.replicas": 5})
    assert [r.levelname for r in caplog.records if "wordpress.replicas" in r.getMessage()] == ["WARNING"]
    assert (
        "moorings:wordpress.replicas = 5 changes nothing while kubernetes.autoscaling is on: the "
        "HorizontalPodAutoscaler keeps WordPress between 3 and 10 pods. Change "
        "kubernetes.autoscalingMinReplicas or kubernetes.autoscalingMaxReplicas instead."
    ) in caplog.text


def test_the_comparison_sees_any_other_difference(staging):
    """The checks above are only as good as the comparison: a change elsewhere must show."""
    other = differences(staging, deploy("staging", {"wordpress.replicas": 5, "kubernetes.wordpressMemory": "300Mi"}))
    assert f"{WORDPRESS.format(stack='staging')} .spec.replicas: 2.0 -> 5.0" in other
    assert any(".spec.template.spec.containers[0].resources.limits.memory: '256Mi' -> '300Mi'" in d for d in other)
