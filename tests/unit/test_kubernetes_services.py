"""Extra services (`services.<name>`) on Kubernetes: each a Deployment plus a Service."""

import pytest

from moorings.kubernetes_service import KubernetesService, KubernetesServiceArgs
from moorings.service_spec import HealthSpec, PortSpec, ResourceSpec, SecuritySpec, ServiceSpec
from tests.harness import run_program
from tests.kubernetes_support import container, deploy, find, manifests

DEMO = ServiceSpec(
    name="demo",
    image="nginx:1.27.3-alpine",
    replicas=3,
    ports=(PortSpec(target=80, published=8080), PortSpec(target=53, published=53, protocol="udp")),
    env=(("GREETING", "hello"),),
    limits=ResourceSpec(cpu=0.5, memory_mb=128),
    reservations=ResourceSpec(cpu=0.1, memory_mb=64),
    health=HealthSpec(port=8081, path="/healthz"),
)


def service(spec=DEMO, **fields):
    def program():
        KubernetesService(spec.name, KubernetesServiceArgs(spec=spec, namespace="ns", instance="moorings-t", **fields))

    return run_program(program, capture_error=True)


@pytest.fixture(scope="module")
def objects():
    return manifests(service())


def test_the_entry_becomes_a_deployment_and_a_service_under_one_component():
    run = service()
    component = run.one("moorings:index:KubernetesService")
    assert sorted((r.type.split(":")[-1], r.name) for r in run.children_of(component)) == [
        ("Deployment", "demo"),
        ("NetworkPolicy", "demo"),
        ("PodDisruptionBudget", "demo"),
        ("Service", "demo"),
    ]


def test_the_deployment_runs_the_image_with_its_replicas_and_plain_env(objects):
    deployment = find(objects, "Deployment", "demo")
    assert deployment["spec"]["replicas"] == 3
    assert container(deployment)["image"] == "nginx:1.27.3-alpine"
    assert container(deployment)["imagePullPolicy"] == "Always"
    assert container(deployment)["env"] == [{"name": "GREETING", "value": "hello"}]


def test_published_ports_are_service_ports_targeting_named_container_ports(objects):
    assert find(objects, "Service", "demo")["spec"]["ports"] == [
        {"name": "tcp-8080", "port": 8080, "targetPort": "tcp-80", "protocol": "TCP"},
        {"name": "udp-53", "port": 53, "targetPort": "udp-53", "protocol": "UDP"},
    ]
    ports = container(find(objects, "Deployment", "demo"))["ports"]
    assert {"name": "tcp-80", "containerPort": 80, "protocol": "TCP"} in ports
    assert {"name": "udp-53", "containerPort": 53, "protocol": "UDP"} in ports


def test_health_becomes_readiness_and_liveness_probes_on_a_declared_port(objects):
    demo = container(find(objects, "Deployment", "demo"))
    assert demo["readinessProbe"]["httpGet"] == {"path": "/healthz", "port": "tcp-8081"}
    assert demo["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "tcp-8081"}
    assert {"name": "tcp-8081", "containerPort": 8081, "protocol": "TCP"} in demo["ports"]


def test_reservations_are_requests_and_limits_are_limits(objects):
    assert container(find(objects, "Deployment", "demo"))["resources"] == {
        "requests": {"cpu": "100m", "memory": "64Mi"},
        "limits": {"cpu": "500m", "memory": "128Mi"},
    }


def test_any_image_runs_restricted_by_default_with_a_writable_tmp_only(objects):
    deployment = find(objects, "Deployment", "demo")
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"] == {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
    assert container(deployment)["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }
    assert pod["volumes"] == [{"name": "scratch-tmp", "emptyDir": {"sizeLimit": "64Mi"}}]
    assert container(deployment)["volumeMounts"] == [{"name": "scratch-tmp", "mountPath": "/tmp"}]


def test_a_services_security_settings_name_its_user_paths_and_capabilities():
    relaxed = SecuritySpec(
        run_as_user=101,
        run_as_group=101,
        run_as_non_root=False,
        read_only_root_filesystem=False,
        writable_paths=("/var/cache/nginx", "/tmp"),
        capabilities=("NET_BIND_SERVICE",),
        why="binds port 80",
    )
    deployment = find(manifests(service(ServiceSpec(name="demo", image="nginx:1.27.3-alpine", security=relaxed))), "Deployment", "demo")
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"] == {"runAsNonRoot": False, "runAsUser": 101, "runAsGroup": 101, "seccompProfile": {"type": "RuntimeDefault"}}
    assert container(deployment)["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "readOnlyRootFilesystem": False,
        "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]},
    }
    assert [m["mountPath"] for m in container(deployment)["volumeMounts"]] == ["/var/cache/nginx", "/tmp"]


def test_the_network_policy_admits_the_published_ports_only_and_dns_egress(objects):
    policy = find(objects, "NetworkPolicy", "demo")["spec"]
    assert policy["policyTypes"] == ["Ingress", "Egress"]
    assert policy["ingress"] == [{"ports": [{"port": "tcp-80", "protocol": "TCP"}, {"port": "udp-53", "protocol": "UDP"}]}]
    assert [rule["ports"] for rule in policy["egress"]] == [[{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]]
    assert "NetworkPolicy" not in [o["kind"] for o in manifests(service(network_policy=False))]


def test_the_disruption_budget_always_allows_evicting_an_unhealthy_pod(objects):
    assert find(objects, "PodDisruptionBudget", "demo")["spec"]["unhealthyPodEvictionPolicy"] == "AlwaysAllow"


def test_a_service_type_applies_to_the_service(objects):
    assert find(objects, "Service", "demo")["spec"]["type"] == "ClusterIP"
    assert find(manifests(service(service_type="NodePort")), "Service", "demo")["spec"]["type"] == "NodePort"


def test_an_entry_without_ports_or_health_is_a_bare_deployment():
    bare = ServiceSpec(name="worker", image="busybox:1.37.0")
    objects = manifests(service(bare))
    # No port published: the policy admits no connection in.
    assert sorted((o["kind"], o["metadata"]["name"]) for o in objects) == [("Deployment", "worker"), ("NetworkPolicy", "worker")]
    assert find(objects, "NetworkPolicy", "worker")["spec"].get("ingress", []) == []
    worker = container(find(objects, "Deployment", "worker"))
    assert {"ports", "readinessProbe", "livenessProbe", "resources"} & set(worker) == set()


def test_a_single_replica_or_a_switched_off_budget_gets_no_disruption_budget():
    single = ServiceSpec(name="demo", image="nginx:1.27.3-alpine", replicas=1)
    assert sorted(o["kind"] for o in manifests(service(single))) == ["Deployment", "NetworkPolicy"]
    assert "PodDisruptionBudget" not in [o["kind"] for o in manifests(service(disruption_budget=False))]


def test_global_mode_is_refused():
    run = service(ServiceSpec(name="edge", image="nginx:1.27.3-alpine", mode="global"))
    assert "mode 'global' is swarm only; use replicated" in str(run.error)
    assert run.resources == []


def test_the_committed_demo_runs_in_the_stacks_namespace_beside_wordpress():
    objects = manifests(deploy("staging"))
    demo = find(objects, "Deployment", "demo")
    assert demo["metadata"]["namespace"] == "moorings-staging"
    assert demo["spec"]["replicas"] == 2
    assert find(objects, "Service", "demo")["spec"]["ports"] == [
        {"name": "tcp-80", "port": 80, "targetPort": "tcp-8080", "protocol": "TCP"}
    ]
    # NGINX's unprivileged build: user 101, port 8080, restricted with /tmp writable.
    assert container(demo)["image"] == "nginxinc/nginx-unprivileged:1.27.3-alpine"
    assert demo["spec"]["template"]["spec"]["securityContext"]["runAsUser"] == 101
    assert container(demo)["securityContext"]["readOnlyRootFilesystem"] is True
