"""replicas-within-bounds (configured per environment) and pdb-for-replicated-deployments."""

import pulumi_kubernetes as k8s
import pytest

from tests.policy_fixtures import MYSQL, deployment, k8s_container, meta, pdb, pod_spec, service
from tests.policy_harness import check, messages

BOUNDS = {"replicas-within-bounds": {"min": 2, "max": 4}}


def hpa(name, target, low, high):
    k8s.autoscaling.v2.HorizontalPodAutoscaler(
        name,
        spec=k8s.autoscaling.v2.HorizontalPodAutoscalerSpecArgs(
            min_replicas=low,
            max_replicas=high,
            scale_target_ref=k8s.autoscaling.v2.CrossVersionObjectReferenceArgs(api_version="apps/v1", kind="Deployment", name=target),
        ),
    )


def bounds_program():
    deployment("three", replicas=3)
    deployment("one", replicas=1)
    deployment("unset", replicas=None)
    deployment("six", replicas=6)
    deployment("mysql", replicas=1, spec=pod_spec([k8s_container("mysql", MYSQL)]))
    hpa("wide-autoscaler", "three", 1, 8)
    service("swarm-five", replicas=5)
    service("swarm-global", global_mode=True)


def budgets_program():
    deployment("covered", replicas=3, labels={"app": "covered", "tier": "web"})
    pdb("covered-pdb", {"app": "covered"})
    deployment("single", replicas=1)
    deployment("uncovered", replicas=2)
    deployment("other-namespace", replicas=2, namespace="web")
    pdb("default-namespace-pdb", {"app": "other-namespace"})
    deployment("autoscaled", replicas=1)
    hpa("autoscaled-hpa", "autoscaled", 1, 5)
    deployment("by-expression", replicas=2)
    pdb("expression-pdb", {}, match_expressions=[meta.LabelSelectorRequirementArgs(key="app", operator="In", values=["by-expression", "other"])])
    deployment("stateful", replicas=3, kind=k8s.apps.v1.StatefulSet, service_name="stateful")


@pytest.fixture(scope="module")
def bounds():
    return [v for v in check(bounds_program, BOUNDS) if v.policy == "replicas-within-bounds"]


@pytest.fixture(scope="module")
def budgets():
    return [v for v in check(budgets_program) if v.policy == "pdb-for-replicated-deployments"]


def test_replicas_within_the_configured_bounds_pass(bounds):
    assert messages(bounds, "replicas-within-bounds", "three") == []
    assert messages(bounds, "replicas-within-bounds", "swarm-global") == []


def test_below_the_minimum(bounds):
    assert messages(bounds, "replicas-within-bounds", "one") == [
        "kubernetes:apps/v1:Deployment 'one': spec.replicas is 1, below this stack's minimum of 2. Fix: scale within "
        "2..4, or change replicas-within-bounds min/max in the stack's policy config."
    ]


def test_unset_replicas_are_left_to_the_autoscaler_rule(bounds):
    assert messages(bounds, "replicas-within-bounds", "unset") == []


def unset_replicas_program():
    deployment("autoscaled", replicas=None)
    hpa("autoscaled-hpa", "autoscaled", 2, 4)
    deployment("alone", replicas=None)
    deployment("set", replicas=2)


def test_unset_replicas_need_an_autoscaler_targeting_the_workload():
    found = [v for v in check(unset_replicas_program) if v.policy == "replicas-set-or-autoscaled"]
    assert [(v.resource, v.message) for v in found] == [
        (
            "alone",
            "kubernetes:apps/v1:Deployment 'alone': spec.replicas is not set and no HorizontalPodAutoscaler in "
            "namespace \"default\" targets it, so it runs 1 replica. Fix: set spec.replicas, or declare an "
            "autoscaler whose scaleTargetRef names it.",
        )
    ]


def test_above_the_maximum_on_kubernetes_and_swarm(bounds):
    assert messages(bounds, "replicas-within-bounds", "six") == [
        "kubernetes:apps/v1:Deployment 'six': spec.replicas is 6, above this stack's maximum of 4. Fix: scale within "
        "2..4, or change replicas-within-bounds min/max in the stack's policy config."
    ]
    assert messages(bounds, "replicas-within-bounds", "swarm-five") == [
        "docker:index/service:Service 'swarm-five': mode.replicated.replicas is 5, above this stack's maximum of 4. "
        "Fix: scale within 2..4, or change replicas-within-bounds min/max in the stack's policy config."
    ]


def test_an_autoscaler_stays_within_the_bounds_at_both_ends(bounds):
    assert messages(bounds, "replicas-within-bounds", "wide-autoscaler") == [
        "kubernetes:autoscaling/v2:HorizontalPodAutoscaler 'wide-autoscaler': spec.minReplicas is 1, below this "
        "stack's minimum of 2. Fix: scale within 2..4, or change replicas-within-bounds min/max in the stack's policy config.",
        "kubernetes:autoscaling/v2:HorizontalPodAutoscaler 'wide-autoscaler': spec.maxReplicas is 8, above this "
        "stack's maximum of 4. Fix: scale within 2..4, or change replicas-within-bounds min/max in the stack's policy config.",
    ]


def test_the_mysql_workload_is_exempt_and_nothing_else_is_flagged(bounds):
    assert sorted(v.resource for v in bounds) == ["one", "six", "swarm-five", "wide-autoscaler", "wide-autoscaler"]


def test_a_matching_budget_covers_a_deployment_by_labels_or_expressions(budgets):
    assert messages(budgets, "pdb-for-replicated-deployments", "covered") == []
    assert messages(budgets, "pdb-for-replicated-deployments", "by-expression") == []


def test_a_replicated_deployment_without_a_budget_is_a_violation(budgets):
    assert messages(budgets, "pdb-for-replicated-deployments", "uncovered") == [
        "kubernetes:apps/v1:Deployment 'uncovered': runs 2 replicas (spec.replicas), but no PodDisruptionBudget in "
        "namespace \"default\" selects its pods (app=uncovered). Fix: declare a policy/v1 PodDisruptionBudget whose "
        "selector.matchLabels match spec.template.metadata.labels, with minAvailable 1 or maxUnavailable 1, so a "
        "node drain keeps replicas serving."
    ]


def test_a_budget_in_another_namespace_does_not_count(budgets):
    assert messages(budgets, "pdb-for-replicated-deployments", "other-namespace") == [
        "kubernetes:apps/v1:Deployment 'other-namespace': runs 2 replicas (spec.replicas), but no PodDisruptionBudget "
        "in namespace \"web\" selects its pods (app=other-namespace). Fix: declare a policy/v1 PodDisruptionBudget "
        "whose selector.matchLabels match spec.template.metadata.labels, with minAvailable 1 or maxUnavailable 1, so "
        "a node drain keeps replicas serving."
    ]


def test_an_autoscaler_that_can_add_replicas_needs_a_budget(budgets):
    assert messages(budgets, "pdb-for-replicated-deployments", "autoscaled") == [
        "kubernetes:apps/v1:Deployment 'autoscaled': runs up to 5 replicas (its HorizontalPodAutoscaler), but no "
        "PodDisruptionBudget in namespace \"default\" selects its pods (app=autoscaled). Fix: declare a policy/v1 "
        "PodDisruptionBudget whose selector.matchLabels match spec.template.metadata.labels, with minAvailable 1 or "
        "maxUnavailable 1, so a node drain keeps replicas serving."
    ]


def test_budgets_are_required_exactly_where_more_than_one_replica_runs(budgets):
    assert sorted(v.resource for v in budgets) == ["autoscaled", "other-namespace", "stateful", "uncovered"]
