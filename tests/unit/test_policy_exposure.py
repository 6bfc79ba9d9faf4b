"""mysql-not-exposed on the three platforms; ports-loopback-only for local containers."""

import pulumi_docker as docker
import pulumi_kubernetes as k8s
import pytest

from tests.policy_fixtures import ONE_FAMILY, MYSQL, container, core, deployment, k8s_container, pod_spec, service
from tests.policy_harness import check, messages


def port(internal, external=None, ip=None):
    return docker.ContainerPortArgs(internal=internal, external=external, ip=ip)


def k8s_service(name, type_=None, port_=3306, target=None, selector=None, **spec):
    return k8s.core.v1.Service(
        name,
        spec=core.ServiceSpecArgs(
            type=type_,
            ports=[core.ServicePortArgs(port=port_, target_port=target)],
            selector=selector or {"app": name},
            **spec,
        ),
    )


def program():
    container("mysql-private", image=MYSQL)
    container("mysql-published", image=MYSQL, ports=[port(3306, 3306, "127.0.0.1")])
    image = docker.RemoteImage("mysql-image", name=MYSQL)
    container("mysql-by-image-id", image=image.image_id, envs=["MYSQL_ROOT_PASSWORD_FILE=/run/secrets/root"], publish_all_ports=True)
    container("wordpress-loopback", ports=[port(80, 8080, "127.0.0.1")])
    container("wordpress-default-address", ports=[port(80, 8080)])
    container("wordpress-all-addresses", ports=[port(80, 8081, "0.0.0.0")])
    service("mysql-swarm", replicas=1, image=MYSQL, endpoint=docker.ServiceEndpointSpecArgs(
        ports=[docker.ServiceEndpointSpecPortArgs(target_port=3306)]))
    service("wordpress-swarm", endpoint=docker.ServiceEndpointSpecArgs(
        ports=[docker.ServiceEndpointSpecPortArgs(target_port=80, published_port=8080)]))
    k8s_service("mysql-cluster-ip")
    k8s_service("mysql-load-balancer", "LoadBalancer")
    k8s_service("mysql-by-selector", "NodePort", port_=3307, target="db", selector={"app": "wordpress", "tier": "mysql"})
    k8s_service("mysql-external-ips", external_ips=["203.0.113.10"])
    k8s_service("wordpress-load-balancer", "LoadBalancer", port_=80)
    deployment("mysql-host-port", spec=pod_spec([k8s_container(
        "mysql", MYSQL, ports=[core.ContainerPortArgs(container_port=3306, host_port=3306)])]))


@pytest.fixture(scope="module")
def violations():
    return check(program, ONE_FAMILY)


def test_mysql_is_never_published_on_docker_not_even_on_loopback(violations):
    assert messages(violations, "mysql-not-exposed", "mysql-published") == [
        "docker:index/container:Container 'mysql-published': ports[0] publishes MySQL (recognised by its image "
        "mysql:8.4.6) on host port 3306. Fix: remove the port; WordPress reaches MySQL over the stack's private network."
    ]


def test_mysql_is_recognised_by_its_server_variables_when_the_image_is_an_id(violations):
    assert messages(violations, "mysql-not-exposed", "mysql-by-image-id") == [
        "docker:index/container:Container 'mysql-by-image-id': publishAllPorts is true on MySQL (recognised by its "
        "variable MYSQL_ROOT_PASSWORD_FILE). Fix: remove publishAllPorts."
    ]


def test_a_swarm_mysql_port_without_published_port_still_publishes_a_random_one(violations):
    assert messages(violations, "mysql-not-exposed", "mysql-swarm") == [
        "docker:index/service:Service 'mysql-swarm': endpointSpec.ports[0] publishes MySQL (recognised by its image "
        "mysql:8.4.6) on a random port of every node. Fix: remove the port; services reach MySQL over an overlay network."
    ]


def test_only_a_cluster_ip_service_may_front_mysql(violations):
    fix = "so MySQL is reachable from outside the cluster. Fix: use type ClusterIP (the default); WordPress reaches MySQL inside the cluster."
    assert messages(violations, "mysql-not-exposed", "mysql-load-balancer") == [
        f"kubernetes:core/v1:Service 'mysql-load-balancer': spec.type is \"LoadBalancer\" for a Service that fronts MySQL (port 3306), {fix}"
    ]
    assert messages(violations, "mysql-not-exposed", "mysql-by-selector") == [
        f"kubernetes:core/v1:Service 'mysql-by-selector': spec.type is \"NodePort\" for a Service that fronts MySQL (selector tier=mysql), {fix}"
    ]
    assert messages(violations, "mysql-not-exposed", "mysql-external-ips") == [
        "kubernetes:core/v1:Service 'mysql-external-ips': spec.externalIPs is set on a Service that fronts MySQL "
        "(port 3306). Fix: remove externalIPs."
    ]


def test_a_mysql_host_port_exposes_it_on_the_node(violations):
    assert messages(violations, "mysql-not-exposed", "mysql-host-port") == [
        "kubernetes:apps/v1:Deployment 'mysql-host-port': spec.template.spec.containers[0].ports[0].hostPort "
        "(container 'mysql') is 3306: MySQL (recognised by its image mysql:8.4.6) listens on the node's address. Fix: "
        "remove hostPort; reach MySQL through a ClusterIP Service."
    ]


def test_mysql_not_exposed_flags_exactly_those(violations):
    assert sorted(v.resource for v in violations if v.policy == "mysql-not-exposed") == [
        "mysql-by-image-id", "mysql-by-selector", "mysql-external-ips", "mysql-host-port",
        "mysql-load-balancer", "mysql-published", "mysql-swarm",
    ]


def test_a_published_port_without_ip_binds_every_address(violations):
    assert messages(violations, "ports-loopback-only", "wordpress-default-address") == [
        "docker:index/container:Container 'wordpress-default-address': ports[0].ip is not set (Docker then binds "
        "0.0.0.0), so host port 8080 is reachable from the network. Fix: set ip to \"127.0.0.1\"."
    ]
    assert messages(violations, "ports-loopback-only", "wordpress-all-addresses") == [
        "docker:index/container:Container 'wordpress-all-addresses': ports[0].ip is \"0.0.0.0\", so host port 8081 "
        "is reachable from the network. Fix: set ip to \"127.0.0.1\"."
    ]


def test_publish_all_ports_binds_every_address(violations):
    assert messages(violations, "ports-loopback-only", "mysql-by-image-id") == [
        "docker:index/container:Container 'mysql-by-image-id': publishAllPorts is true: every exposed port is "
        "published on 0.0.0.0. Fix: remove it and publish the ports you need with ip \"127.0.0.1\"."
    ]


def test_loopback_ports_swarm_and_kubernetes_services_are_not_local_bindings(violations):
    assert sorted(v.resource for v in violations if v.policy == "ports-loopback-only") == [
        "mysql-by-image-id", "wordpress-all-addresses", "wordpress-default-address",
    ]
