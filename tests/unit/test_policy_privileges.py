"""no-privileged, no-privilege-escalation, no-host-namespaces, no-host-paths, no-added-capabilities."""

import pulumi_docker as docker
import pytest

from tests.policy_fixtures import ONE_FAMILY, container, core, deployment, k8s_container, pod_spec, service
from tests.policy_harness import check, findings, messages


def k8s_security(**context):
    """The rest of the restricted profile, so that each fixture breaks only the rule it names."""
    base = dict(read_only_root_filesystem=True, capabilities=core.CapabilitiesArgs(drop=["ALL"]))
    return pod_spec([k8s_container(security_context=core.SecurityContextArgs(**{**base, **context}))])


def program():
    container("docker-ok")
    service("swarm-ok")
    deployment("k8s-ok")
    container("docker-privileged", privileged=True)
    deployment("k8s-privileged", spec=k8s_security(privileged=True))
    container("docker-without-no-new-privileges", security_opts=None)
    deployment("k8s-escalation", spec=k8s_security(allow_privilege_escalation=True))
    container("docker-host-namespaces", network_mode="host", pid_mode="host")
    service("swarm-host-network", networks_advanceds=[docker.ServiceTaskSpecNetworksAdvancedArgs(name="host")])
    deployment("k8s-host-namespaces", spec=pod_spec(host_network=True, host_ipc=True))
    container(
        "docker-socket",
        volumes=[docker.ContainerVolumeArgs(host_path="/var/run/docker.sock", container_path="/var/run/docker.sock")],
    )
    container("docker-bind", mounts=[docker.ContainerMountArgs(type="bind", source="/srv/wp", target="/var/www/html")])
    service(
        "swarm-socket",
        mounts=[docker.ServiceTaskSpecContainerSpecMountArgs(type="bind", source="/run/docker.sock", target="/var/run/docker.sock")],
    )
    deployment(
        "k8s-host-path",
        spec=pod_spec(volumes=[core.VolumeArgs(name="logs", host_path=core.HostPathVolumeSourceArgs(path="/var/log"))]),
    )
    container("docker-capabilities", capabilities=docker.ContainerCapabilitiesArgs(drops=["ALL"], adds=["NET_ADMIN", "CAP_SYS_ADMIN"]))
    service("swarm-capabilities", cap_adds=["NET_BIND_SERVICE"])
    deployment(
        "k8s-capabilities",
        spec=k8s_security(allow_privilege_escalation=False, capabilities=core.CapabilitiesArgs(add=["NET_RAW"], drop=["ALL"])),
    )


@pytest.fixture(scope="module")
def violations():
    return check(program, ONE_FAMILY)


@pytest.mark.parametrize("resource", ["docker-ok", "swarm-ok", "k8s-ok"])
def test_unprivileged_workloads_pass(violations, resource):
    assert findings(violations, resource) == []


def test_a_privileged_docker_container_is_a_violation(violations):
    assert findings(violations, "docker-privileged") == [
        (
            "no-privileged",
            "docker:index/container:Container 'docker-privileged': privileged is true: the container gets every "
            "capability and every host device, which is root on the host. Fix: remove it and add only the capability "
            "the process needs, if any.",
        )
    ]


def test_a_privileged_kubernetes_container_is_a_violation_and_may_escalate(violations):
    assert findings(violations, "k8s-privileged") == [
        (
            "no-privileged",
            "kubernetes:apps/v1:Deployment 'k8s-privileged': spec.template.spec.containers[0].securityContext.privileged "
            "(container 'wordpress') is true: the container gets every capability and every host device, which is root "
            "on the host. Fix: remove it and add only the capability the process needs, if any.",
        ),
        (
            "no-privilege-escalation",
            "kubernetes:apps/v1:Deployment 'k8s-privileged': "
            "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation (container 'wordpress') is not "
            "set (Kubernetes then allows it). Fix: set securityContext.allowPrivilegeEscalation to false.",
        ),
    ]


def test_docker_containers_set_no_new_privileges(violations):
    assert findings(violations, "docker-without-no-new-privileges") == [
        (
            "no-privilege-escalation",
            "docker:index/container:Container 'docker-without-no-new-privileges': securityOpts has no "
            "no-new-privileges, so a setuid binary in the image can gain privileges. Fix: add "
            "\"no-new-privileges:true\" to securityOpts.",
        )
    ]


def test_kubernetes_allow_privilege_escalation_true_is_a_violation(violations):
    assert messages(violations, "no-privilege-escalation", "k8s-escalation") == [
        "kubernetes:apps/v1:Deployment 'k8s-escalation': "
        "spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation (container 'wordpress') is true. "
        "Fix: set securityContext.allowPrivilegeEscalation to false."
    ]


def test_host_namespaces_on_each_platform(violations):
    fix = "Fix: remove it; publish ports or use a network instead of sharing the host's."
    assert findings(violations, "docker-host-namespaces") == [
        ("no-host-namespaces", f"docker:index/container:Container 'docker-host-namespaces': networkMode is \"host\": the container shares the host's network namespace. {fix}"),
        ("no-host-namespaces", f"docker:index/container:Container 'docker-host-namespaces': pidMode is \"host\": the container shares the host's PID namespace. {fix}"),
    ]
    assert findings(violations, "swarm-host-network") == [
        ("no-host-namespaces", f"docker:index/service:Service 'swarm-host-network': taskSpec.networksAdvanceds[0].name is \"host\": the tasks share the node's network stack. {fix}"),
    ]
    assert findings(violations, "k8s-host-namespaces") == [
        ("no-host-namespaces", f"kubernetes:apps/v1:Deployment 'k8s-host-namespaces': spec.template.spec.hostNetwork is true: the pods share the node's network namespace. {fix}"),
        ("no-host-namespaces", f"kubernetes:apps/v1:Deployment 'k8s-host-namespaces': spec.template.spec.hostIPC is true: the pods share the node's IPC namespace. {fix}"),
    ]


def test_the_docker_socket_gets_its_own_message_on_every_form_of_mount(violations):
    socket = (
        "whoever controls the container controls the Docker Engine, which is root on the host. Fix: remove the "
        "mount; never hand the socket to a workload."
    )
    assert findings(violations, "docker-socket") == [
        ("no-host-paths", f"docker:index/container:Container 'docker-socket': volumes[0].hostPath mounts the Docker socket (/var/run/docker.sock): {socket}"),
    ]
    assert findings(violations, "swarm-socket") == [
        ("no-host-paths", f"docker:index/service:Service 'swarm-socket': taskSpec.containerSpec.mounts[0].source mounts the Docker socket (/run/docker.sock): {socket}"),
    ]


def test_bind_mounts_and_host_path_volumes_are_violations(violations):
    fix = (
        "the container reads or writes the node's files and is tied to that node. Fix: use a named volume (docker, "
        "Swarm) or a PersistentVolumeClaim (Kubernetes)."
    )
    assert findings(violations, "docker-bind") == [
        ("no-host-paths", f"docker:index/container:Container 'docker-bind': mounts[0].source mounts the host path \"/srv/wp\": {fix}"),
    ]
    assert findings(violations, "k8s-host-path") == [
        ("no-host-paths", f"kubernetes:apps/v1:Deployment 'k8s-host-path': spec.template.spec.volumes[0].hostPath mounts the host path \"/var/log\": {fix}"),
    ]


def test_added_capabilities_are_violations_on_each_platform(violations):
    fix = (
        "Fix: remove them; if the process truly needs one, allow it in this stack's policy config "
        "(no-added-capabilities.allowed) and say why."
    )
    assert findings(violations, "docker-capabilities") == [
        ("no-added-capabilities", f"docker:index/container:Container 'docker-capabilities': capabilities.adds adds NET_ADMIN, SYS_ADMIN. {fix}"),
    ]
    assert findings(violations, "swarm-capabilities") == [
        ("no-added-capabilities", f"docker:index/service:Service 'swarm-capabilities': taskSpec.containerSpec.capAdds adds NET_BIND_SERVICE. {fix}"),
    ]
    assert findings(violations, "k8s-capabilities") == [
        ("no-added-capabilities", f"kubernetes:apps/v1:Deployment 'k8s-capabilities': spec.template.spec.containers[0].securityContext.capabilities.add (container 'wordpress') adds NET_RAW. {fix}"),
    ]


def test_a_stack_may_allow_a_capability_in_its_policy_config():
    allowed = check(program, {**ONE_FAMILY, "no-added-capabilities": {"allowed": ["NET_BIND_SERVICE", "CAP_NET_RAW"]}})
    assert [v.resource for v in allowed if v.policy == "no-added-capabilities"] == ["docker-capabilities"]


def test_exactly_these_violations(violations):
    assert len(violations) == 17
