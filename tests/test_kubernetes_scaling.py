"""Scaling up and down (recipe 6): a replica count is a config change, and the only thing the
engine receives differently is that count (plus a disruption budget when crossing 1)."""

import pytest

from tests.harness import differences
from tests.kubernetes_support import deploy

WORDPRESS = "urn:pulumi:{stack}::moorings::moorings:index:WordPressStack$kubernetes:apps/v1:Deployment::wordpress"
DEMO = "urn:pulumi:{stack}::moorings::moorings:index:KubernetesService$kubernetes:apps/v1:Deployment::demo"
BUDGET = "urn:pulumi:{stack}::moorings::moorings:index:{component}$kubernetes:policy/v1:PodDisruptionBudget::{name}"


@pytest.fixture(scope="module")
def staging():
    return deploy("staging")


def test_scaling_wordpress_up_changes_only_its_replica_count(staging):
    scaled = deploy("staging", {"wordpress.replicas": 3})
    assert differences(staging, scaled) == [f"{WORDPRESS.format(stack='staging')} .spec.replicas: 2.0 -> 3.0"]


def test_scaling_wordpress_down_to_one_also_drops_its_disruption_budget(staging):
    scaled = deploy("staging", {"wordpress.replicas": 1})
    assert differences(staging, scaled) == [
        "- " + BUDGET.format(stack="staging", component="WordPressStack", name="wordpress"),
        f"{WORDPRESS.format(stack='staging')} .spec.replicas: 2.0 -> 1.0",
    ]


def test_scaling_a_service_up_changes_only_its_replica_count(staging):
    scaled = deploy("staging", {"services.demo.replicas": 5})
    assert differences(staging, scaled) == [f"{DEMO.format(stack='staging')} .spec.replicas: 2.0 -> 5.0"]


def test_scaling_a_service_down_to_one_also_drops_its_disruption_budget(staging):
    scaled = deploy("staging", {"services.demo.replicas": 1})
    assert differences(staging, scaled) == [
        "- " + BUDGET.format(stack="staging", component="KubernetesService", name="demo"),
        f"{DEMO.format(stack='staging')} .spec.replicas: 2.0 -> 1.0",
    ]


def test_under_autoscaling_the_replica_count_is_the_autoscalers_and_its_bounds_are_the_knob():
    prod = deploy("prod")
    assert differences(prod, deploy("prod", {"wordpress.replicas": 5})) == []
    autoscaler = "urn:pulumi:prod::moorings::moorings:index:WordPressStack$kubernetes:autoscaling/v2:HorizontalPodAutoscaler::wordpress"
    assert differences(prod, deploy("prod", {"kubernetes.autoscalingMaxReplicas": 12})) == [
        f"{autoscaler} .spec.maxReplicas: 10.0 -> 12.0"
    ]


def test_the_comparison_sees_any_other_difference(staging):
    """The checks above are only as good as the comparison: a change elsewhere must show."""
    other = differences(staging, deploy("staging", {"wordpress.replicas": 3, "kubernetes.wordpressMemory": "300Mi"}))
    assert f"{WORDPRESS.format(stack='staging')} .spec.replicas: 2.0 -> 3.0" in other
    assert any(".spec.template.spec.containers[0].resources.limits.memory: '256Mi' -> '300Mi'" in d for d in other)
