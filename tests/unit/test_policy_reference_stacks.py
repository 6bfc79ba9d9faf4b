"""Reference stacks: WordPress + MySQL on Swarm and on Kubernetes, declared the way the rules
expect, pass their environment's policy config with no violation at all, in preview and update.

These are the executable form of "what the stacks must declare" (docs/policy-authors/adding-a-rule.md): the
shapes the Swarm and Kubernetes builders produce can be compared with them field by field.
"""

import pulumi
import pulumi_command as command
import pulumi_docker as docker
import pulumi_kubernetes as k8s
import pytest

from tests.policy_fixtures import MYSQL, core, deployment, k8s_container, meta, pdb, pod_spec, service, swarm_resources
from tests.policy_harness import check

PROTECT = pulumi.ResourceOptions(protect=True)
SECRET_FILES = {"MYSQL_ROOT_PASSWORD": "mysql-root-password", "MYSQL_PASSWORD": "mysql-password"}


class SwarmCluster(pulumi.ComponentResource):
    def __init__(self, name, managers, workers):
        super().__init__("moorings:index:SwarmCluster", name, {"managers": managers, "workers": workers}, None)
        first, *others = managers
        connection = command.remote.ConnectionArgs(host=first, user="moorings", private_key=pulumi.Output.secret("KEY"))
        init = command.remote.Command(
            "init", connection=connection, create=f"docker swarm init --advertise-addr {first}", opts=pulumi.ResourceOptions(parent=self)
        )
        for host in others + workers:
            command.remote.Command(
                f"join-{host}",
                connection=command.remote.ConnectionArgs(host=host, user="moorings", private_key=pulumi.Output.secret("KEY")),
                create=init.stdout.apply(lambda _: f"docker swarm join --token $TOKEN {first}:2377"),
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs({})


def swarm_program():
    SwarmCluster("cluster", ["10.0.0.1", "10.0.0.2", "10.0.0.3"], ["10.0.0.4"])
    docker.Network("backend", name="moorings-swarm-backend", driver="overlay", attachable=True)
    secrets = {name: docker.Secret(name, name=name, data="czNjcjN0") for name in SECRET_FILES.values()}
    data = docker.Volume("mysql-data", name="moorings-swarm-mysql-data", opts=PROTECT)

    def grants(*names):
        return [
            docker.ServiceTaskSpecContainerSpecSecretArgs(secret_id=secrets[n].id, secret_name=n, file_name=n, file_uid="999", file_mode=0o400)
            for n in names
        ]

    service(
        "mysql",
        replicas=1,
        image=MYSQL,
        env={"MYSQL_DATABASE": "wordpress", **{f"{var}_FILE": f"/run/secrets/{n}" for var, n in SECRET_FILES.items()}},
        secrets=grants(*SECRET_FILES.values()),
        mounts=[docker.ServiceTaskSpecContainerSpecMountArgs(type="volume", source=data.name, target="/var/lib/mysql")],
        healthcheck=docker.ServiceTaskSpecContainerSpecHealthcheckArgs(tests=["CMD", "mysqladmin", "ping", "-h", "127.0.0.1"], interval="10s"),
        resources=swarm_resources(1, 1024),
    )
    service(
        "wordpress",
        replicas=3,
        env={"WORDPRESS_DB_HOST": "mysql:3306", "WORDPRESS_DB_PASSWORD_FILE": "/run/secrets/mysql-password"},
        secrets=grants("mysql-password"),
        endpoint=docker.ServiceEndpointSpecArgs(ports=[docker.ServiceEndpointSpecPortArgs(target_port=80, published_port=8080)]),
    )


def kubernetes_program(stack="prod", most=5, budget=True):
    provider = k8s.Provider("k8s", namespace=f"moorings-{stack}", render_yaml_to_directory=f"rendered/{stack}")
    in_cluster = pulumi.ResourceOptions(provider=provider)
    k8s.core.v1.Namespace("namespace", metadata=meta.ObjectMetaArgs(name=f"moorings-{stack}"), opts=in_cluster)
    k8s.core.v1.Secret("mysql", metadata=meta.ObjectMetaArgs(name="mysql"), string_data={"password": "s3cr3t"}, opts=in_cluster)
    for claim in ("mysql-data", "wp-content"):
        k8s.core.v1.PersistentVolumeClaim(
            claim,
            metadata=meta.ObjectMetaArgs(name=claim),
            spec=core.PersistentVolumeClaimSpecArgs(access_modes=["ReadWriteOnce"], resources=core.VolumeResourceRequirementsArgs(requests={"storage": "10Gi"})),
            opts=pulumi.ResourceOptions(provider=provider, protect=True),
        )

    def from_secret(name, key="password"):
        return core.EnvVarArgs(name=name, value_from=core.EnvVarSourceArgs(secret_key_ref=core.SecretKeySelectorArgs(name="mysql", key=key)))

    def claim_volume(claim):
        return core.VolumeArgs(name="data", persistent_volume_claim=core.PersistentVolumeClaimVolumeSourceArgs(claim_name=claim))

    mysql_labels = {"app": "wordpress", "tier": "mysql"}
    deployment(
        "mysql",
        labels=mysql_labels,
        spec=pod_spec(
            [k8s_container(
                "mysql", MYSQL,
                env=[from_secret("MYSQL_ROOT_PASSWORD"), from_secret("MYSQL_PASSWORD"), core.EnvVarArgs(name="MYSQL_DATABASE", value="wordpress")],
                ports=[core.ContainerPortArgs(container_port=3306, name="mysql")],
                readiness_probe=core.ProbeArgs(exec_=core.ExecActionArgs(command=["mysqladmin", "ping", "-h", "127.0.0.1"])),
                liveness_probe=core.ProbeArgs(tcp_socket=core.TCPSocketActionArgs(port=3306)),
                volume_mounts=[core.VolumeMountArgs(name="data", mount_path="/var/lib/mysql")],
            )],
            volumes=[claim_volume("mysql-data")],
        ),
        strategy=k8s.apps.v1.DeploymentStrategyArgs(type="Recreate"),
        opts=in_cluster,
    )
    k8s.core.v1.Service("mysql-service", metadata=meta.ObjectMetaArgs(name="mysql"), spec=core.ServiceSpecArgs(
        ports=[core.ServicePortArgs(port=3306, target_port="mysql")], selector=mysql_labels), opts=in_cluster)

    web_labels = {"app": "wordpress", "tier": "frontend"}
    deployment(
        "wordpress",
        replicas=2,
        labels=web_labels,
        spec=pod_spec(
            [k8s_container(
                env=[core.EnvVarArgs(name="WORDPRESS_DB_HOST", value="mysql"), from_secret("WORDPRESS_DB_PASSWORD")],
                readiness_probe=core.ProbeArgs(http_get=core.HTTPGetActionArgs(path="/wp-login.php", port=80)),
                volume_mounts=[core.VolumeMountArgs(name="data", mount_path="/var/www/html/wp-content")],
            )],
            volumes=[claim_volume("wp-content")],
        ),
        opts=in_cluster,
    )
    k8s.core.v1.Service("wordpress-service", spec=core.ServiceSpecArgs(
        type="LoadBalancer", ports=[core.ServicePortArgs(port=80)], selector=web_labels), opts=in_cluster)
    k8s.autoscaling.v2.HorizontalPodAutoscaler("wordpress-autoscaler", spec=k8s.autoscaling.v2.HorizontalPodAutoscalerSpecArgs(
        min_replicas=2, max_replicas=most,
        scale_target_ref=k8s.autoscaling.v2.CrossVersionObjectReferenceArgs(api_version="apps/v1", kind="Deployment", name="wordpress"),
    ), opts=in_cluster)
    if budget:
        pdb("wordpress-budget", web_labels, opts=in_cluster)
    net = k8s.networking.v1
    net.NetworkPolicy("mysql-ingress", spec=net.NetworkPolicySpecArgs(
        pod_selector=meta.LabelSelectorArgs(match_labels=mysql_labels),
        policy_types=["Ingress"],
        ingress=[net.NetworkPolicyIngressRuleArgs(
            from_=[net.NetworkPolicyPeerArgs(pod_selector=meta.LabelSelectorArgs(match_labels=web_labels))],
            ports=[net.NetworkPolicyPortArgs(port=3306)],
        )],
    ), opts=in_cluster)
    net.NetworkPolicy("wordpress-ingress", spec=net.NetworkPolicySpecArgs(
        pod_selector=meta.LabelSelectorArgs(match_labels=web_labels),
        policy_types=["Ingress"],
        ingress=[net.NetworkPolicyIngressRuleArgs(ports=[net.NetworkPolicyPortArgs(port=80)])],
    ), opts=in_cluster)


@pytest.mark.parametrize("preview", [True, False], ids=["preview", "update"])
@pytest.mark.parametrize(
    "program, stack",
    [(swarm_program, "swarm"), (lambda: kubernetes_program("staging", most=3), "staging"), (kubernetes_program, "prod")],
    ids=["swarm", "kubernetes-staging", "kubernetes-prod"],
)
def test_a_reference_stack_passes_its_environment_with_no_violation(program, stack, preview):
    assert [f"{v.level} {v.policy} {v.resource}: {v.message}" for v in check(program, stack, preview=preview)] == []


def test_the_reference_stacks_have_teeth():
    """An unprotected claim: prod blocks, staging warns. A budget outside the Deployment's
    namespace (declared without the provider, so in namespace default) does not count."""

    def unprotected():
        kubernetes_program("staging", most=3)
        k8s.core.v1.PersistentVolumeClaim("scratch", spec=core.PersistentVolumeClaimSpecArgs(access_modes=["ReadWriteOnce"]))

    assert [(v.level, v.policy, v.resource) for v in check(unprotected, "prod")] == [("mandatory", "stateful-storage-protected", "scratch")]
    assert [(v.level, v.policy, v.resource) for v in check(unprotected, "staging")] == [("advisory", "stateful-storage-protected", "scratch")]

    def budget_elsewhere():
        kubernetes_program(budget=False)
        pdb("stray-budget", {"app": "wordpress", "tier": "frontend"})

    assert [(v.level, v.policy, v.resource) for v in check(budget_elsewhere, "prod")] == [("mandatory", "pdb-for-replicated-deployments", "wordpress")]
