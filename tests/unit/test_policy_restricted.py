"""restricted-profile, pdb-evicts-unhealthy, workload-network-policy: what a workload gets wrong
by leaving a field out (root by omission, a writable image, no policy, a drain-blocking budget)."""

import pulumi_kubernetes as k8s
import pytest

from tests.policy_fixtures import core, deployment, k8s_container, meta, pdb, pod_spec
from tests.policy_harness import check, findings, messages

net = k8s.networking.v1


def omitted(**container_context):
    """A pod that sets only allowPrivilegeEscalation (what the generic services had before):
    every other field of the restricted profile is left to its permissive default."""
    return pod_spec(
        [k8s_container(security_context=core.SecurityContextArgs(allow_privilege_escalation=False, **container_context))],
        security_context=core.PodSecurityContextArgs(),
    )


def isolate(name, labels):
    net.NetworkPolicy(name, spec=net.NetworkPolicySpecArgs(
        pod_selector=meta.LabelSelectorArgs(match_labels=labels),
        policy_types=["Ingress"],
        ingress=[net.NetworkPolicyIngressRuleArgs(ports=[net.NetworkPolicyPortArgs(port=80)])],
    ))


def program():
    deployment("restricted")
    isolate("restricted-policy", {"app": "restricted"})
    deployment("root-by-omission", spec=omitted())
    isolate("root-by-omission-policy", {"app": "root-by-omission"})
    deployment(
        "root-by-user",
        spec=pod_spec(security_context=core.PodSecurityContextArgs(
            run_as_non_root=False, run_as_user=0, seccomp_profile=core.SeccompProfileArgs(type="Unconfined"))),
    )
    isolate("root-by-user-policy", {"app": "root-by-user"})
    deployment("exempted", spec=omitted())
    isolate("exempted-policy", {"app": "exempted"})
    deployment("unisolated")
    # Egress only: ingress stays open.
    net.NetworkPolicy("egress-only", spec=net.NetworkPolicySpecArgs(
        pod_selector=meta.LabelSelectorArgs(match_labels={"app": "unisolated"}), policy_types=["Egress"]))
    pdb("budget-ok", {"app": "restricted"})
    k8s.policy.v1.PodDisruptionBudget("budget-unset", spec=k8s.policy.v1.PodDisruptionBudgetSpecArgs(
        max_unavailable=1, selector=meta.LabelSelectorArgs(match_labels={"app": "restricted"})))


CONFIG = {"restricted-profile": {"exempt": {"exempted": "a test fixture that must run as root"}}}


@pytest.fixture(scope="module")
def violations():
    return check(program, CONFIG)


def test_a_restricted_isolated_workload_and_an_always_allow_budget_pass(violations):
    assert findings(violations, "restricted") == []
    assert findings(violations, "budget-ok") == []


def test_root_and_a_writable_image_by_omission_are_violations(violations):
    where = "kubernetes:apps/v1:Deployment 'root-by-omission': container 'wordpress'"
    assert messages(violations, "restricted-profile", "root-by-omission") == [
        f"{where}: securityContext.runAsNonRoot is not set (the image's USER decides, root for most images). "
        "Fix: set runAsNonRoot: true in the pod's securityContext, and runAsUser to the image's non-root user.",
        f"{where}: securityContext.capabilities.drop is not set, not [ALL]: the container keeps the runtime's default "
        "capabilities (NET_RAW among them). Fix: drop ALL and add back only a named capability the process needs.",
        f"{where}: securityContext.readOnlyRootFilesystem is not set (writable): a compromised process can change the "
        "image's files. Fix: set it to true and mount an emptyDir where the image must write.",
        f"{where}: seccompProfile.type is not set: no syscall filter. Fix: set securityContext.seccompProfile.type to "
        "RuntimeDefault in the pod.",
    ]


def test_root_by_an_explicit_user_and_an_unconfined_profile_are_violations(violations):
    found = messages(violations, "restricted-profile", "root-by-user")
    assert [m.split(": ", 2)[2].split(" Fix")[0] for m in found] == [
        "securityContext.runAsNonRoot is false.",
        'seccompProfile.type is "Unconfined": no syscall filter.',
    ]


def test_a_stack_exempts_a_workload_by_name_with_its_reason(violations):
    assert findings(violations, "exempted") == []
    assert len(messages(check(program), "restricted-profile", "exempted")) == 4


def test_an_exemption_without_a_reason_is_refused_like_the_cli_would():
    with pytest.raises(Exception, match="restricted-profile: '' should be non-empty"):
        check(program, {"restricted-profile": {"exempt": {"exempted": ""}}})


def test_a_budget_without_always_allow_blocks_drains(violations):
    assert messages(violations, "pdb-evicts-unhealthy", "budget-unset") == [
        "kubernetes:policy/v1:PodDisruptionBudget 'budget-unset': spec.unhealthyPodEvictionPolicy is not set "
        "(IfHealthyBudget): a running pod that never gets ready counts against the budget, so a crash-looping pod "
        "blocks every node drain. Fix: set spec.unhealthyPodEvictionPolicy to AlwaysAllow."
    ]


def test_a_workload_without_an_ingress_policy_is_a_violation(violations):
    assert messages(violations, "workload-network-policy", "unisolated") == [
        "kubernetes:apps/v1:Deployment 'unisolated': no NetworkPolicy in namespace \"default\" restricts ingress to "
        "its pods (labelled app=unisolated), so any pod in the cluster can connect to them. Fix: declare a "
        "NetworkPolicy whose podSelector matches these labels, admitting only the clients and ports the workload "
        "serves (kubernetes.networkPolicy)."
    ]


def test_exactly_these_violations(violations):
    assert sorted((v.policy, v.resource) for v in violations) == sorted(
        [("restricted-profile", "root-by-omission")] * 4
        + [("restricted-profile", "root-by-user")] * 2
        + [("pdb-evicts-unhealthy", "budget-unset"), ("workload-network-policy", "unisolated")]
    )
