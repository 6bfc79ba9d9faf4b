"""resource-limits (Swarm reservations/limits, Kubernetes requests/limits) and health-checked."""

import pulumi_docker as docker
import pulumi_kubernetes as k8s
import pytest

from tests.policy_fixtures import ONE_FAMILY, container, core, deployment, k8s_container, pod_spec, service
from tests.policy_harness import check, findings


def program():
    container("docker-ok")
    service("swarm-ok")
    deployment("k8s-ok")
    k8s.batch.v1.Job(
        "job-without-probes",
        spec=k8s.batch.v1.JobSpecArgs(
            template=core.PodTemplateSpecArgs(
                spec=pod_spec([k8s_container("migrate", readiness_probe=None, liveness_probe=None)], restart_policy="Never")
            )
        ),
    )
    service(
        "swarm-memory-limit-only",
        resources=docker.ServiceTaskSpecResourcesArgs(
            limits=docker.ServiceTaskSpecResourcesLimitsArgs(memory_bytes=256 * 2**20)
        ),
    )
    deployment(
        "k8s-limits-only",
        spec=pod_spec([k8s_container(resources=core.ResourceRequirementsArgs(limits={"cpu": "500m", "memory": "256Mi"}))]),
    )
    container("docker-no-healthcheck", healthcheck=None)
    service("swarm-healthcheck-disabled", healthcheck=docker.ServiceTaskSpecContainerSpecHealthcheckArgs(tests=["NONE"]))
    deployment(
        "k8s-probes",
        spec=pod_spec([k8s_container(liveness_probe=None, readiness_probe=core.ProbeArgs(period_seconds=5))]),
    )


@pytest.fixture(scope="module")
def violations():
    return check(program, ONE_FAMILY)


@pytest.mark.parametrize("resource", ["docker-ok", "swarm-ok", "k8s-ok", "job-without-probes"])
def test_bounded_and_health_checked_workloads_pass(violations, resource):
    assert findings(violations, resource) == []


def test_a_swarm_service_needs_both_limits_and_reservations(violations):
    assert findings(violations, "swarm-memory-limit-only") == [
        (
            "resource-limits",
            "docker:index/service:Service 'swarm-memory-limit-only': taskSpec.resources has no limits.nanoCpus, "
            "reservation.nanoCpus, reservation.memoryBytes. Fix: set limits and reservation, both nanoCpus (1e9 = one "
            "core) and memoryBytes, so the scheduler places the task where it fits and one task cannot starve a node.",
        )
    ]


def test_a_kubernetes_container_needs_requests_and_limits(violations):
    assert findings(violations, "k8s-limits-only") == [
        (
            "resource-limits",
            "kubernetes:apps/v1:Deployment 'k8s-limits-only': spec.template.spec.containers[0].resources (container "
            "'wordpress') has no requests.cpu, requests.memory. Fix: set requests (what the scheduler reserves) and "
            "limits (the ceiling) for both cpu and memory.",
        )
    ]


def test_a_docker_container_needs_a_healthcheck(violations):
    assert findings(violations, "docker-no-healthcheck") == [
        (
            "health-checked",
            "docker:index/container:Container 'docker-no-healthcheck': healthcheck is not set. Fix: set a healthcheck "
            "whose tests exit 0 only when the service answers (e.g. [\"CMD\", \"mysqladmin\", \"ping\", \"-h\", "
            "\"127.0.0.1\"]), with interval, timeout and retries.",
        )
    ]


def test_a_swarm_healthcheck_of_none_disables_it(violations):
    assert findings(violations, "swarm-healthcheck-disabled") == [
        (
            "health-checked",
            "docker:index/service:Service 'swarm-healthcheck-disabled': taskSpec.containerSpec.healthcheck disables "
            "the image's check (tests = [\"NONE\"]). Fix: set a healthcheck whose tests exit 0 only when the service "
            "answers (e.g. [\"CMD\", \"mysqladmin\", \"ping\", \"-h\", \"127.0.0.1\"]), with interval, timeout and retries.",
        )
    ]


def test_kubernetes_needs_a_readiness_and_a_liveness_probe_with_a_handler(violations):
    assert findings(violations, "k8s-probes") == [
        (
            "health-checked",
            "kubernetes:apps/v1:Deployment 'k8s-probes': spec.template.spec.containers[0].readinessProbe (container "
            "'wordpress') has no handler (httpGet, tcpSocket, exec or grpc). Fix: add a readinessProbe (httpGet, "
            "tcpSocket or exec) so that Services send traffic only to ready pods.",
        ),
        (
            "health-checked",
            "kubernetes:apps/v1:Deployment 'k8s-probes': spec.template.spec.containers[0].livenessProbe (container "
            "'wordpress') is not set. Fix: add a livenessProbe (httpGet, tcpSocket or exec) so that the kubelet "
            "restarts a container that stops answering.",
        ),
    ]


def test_exactly_these_violations(violations):
    assert len(violations) == 6
