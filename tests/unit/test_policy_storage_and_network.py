"""stateful-storage-protected and database-network-policy: the stack policies for MySQL's data."""

import pulumi
import pulumi_docker as docker
import pulumi_kubernetes as k8s
import pytest

from tests.policy_fixtures import MYSQL, container, core, deployment, k8s_container, meta, pod_spec, service
from tests.policy_harness import check, messages

PROTECT = pulumi.ResourceOptions(protect=True)
net = k8s.networking.v1


def mysql_pod(*volumes, mounts=()):
    return pod_spec(
        [k8s_container("mysql", MYSQL, volume_mounts=[core.VolumeMountArgs(name=m, mount_path="/var/lib/mysql") for m in mounts])],
        volumes=list(volumes),
    )


def claim(name, opts=None):
    return k8s.core.v1.PersistentVolumeClaim(
        name,
        metadata=meta.ObjectMetaArgs(name=name),
        spec=core.PersistentVolumeClaimSpecArgs(
            access_modes=["ReadWriteOnce"], resources=core.VolumeResourceRequirementsArgs(requests={"storage": "1Gi"})
        ),
        opts=opts,
    )


def mysql_client_job(name):
    """A Job on MySQL's image (a credential rotation, a backup): a client of the server that runs to
    completion, with no data of its own and no port to guard."""
    k8s.batch.v1.Job(
        name,
        metadata=meta.ObjectMetaArgs(name=name),
        spec=k8s.batch.v1.JobSpecArgs(
            template=core.PodTemplateSpecArgs(metadata=meta.ObjectMetaArgs(labels={"app": name}), spec=mysql_pod())
        ),
    )


def storage_program():
    protected = docker.Volume("mysql-data-protected", name="protected", opts=PROTECT)
    container("mysql-protected", image=MYSQL, volumes=[docker.ContainerVolumeArgs(volume_name=protected.name, container_path="/var/lib/mysql")])
    service("mysql-swarm", replicas=1, image=MYSQL, mounts=[docker.ServiceTaskSpecContainerSpecMountArgs(type="volume", source=protected.name, target="/var/lib/mysql")])
    unprotected = docker.Volume("mysql-data-unprotected", name="unprotected")
    container("mysql-unprotected", image=MYSQL, volumes=[docker.ContainerVolumeArgs(volume_name=unprotected.name, container_path="/var/lib/mysql")])
    container("mysql-without-volume", image=MYSQL)
    container("mysql-unmanaged-volume", image=MYSQL, mounts=[docker.ContainerMountArgs(type="volume", source="loose", target="/var/lib/mysql")])
    container("wordpress-without-volume")
    mysql_client_job("mysql-client-job")
    # The stack's backups on MySQL's image: another entrypoint, reading wp-content; not the server.
    content = docker.Volume("wp-content-unprotected", name="content")
    container("mysql-backup", image=MYSQL, entrypoints=["sh", "-c", "backup"], envs=["MYSQL_ROOT_PASSWORD_FILE=/run/secrets/root"],
              volumes=[docker.ContainerVolumeArgs(volume_name=content.name, container_path="/wp-content", read_only=True)])
    service("mysql-backup-swarm", replicas=1, image=MYSQL, commands=["sh", "-c", "backup"],
            mounts=[docker.ServiceTaskSpecContainerSpecMountArgs(type="volume", source=content.name, target="/wp-content")])
    claim("claim-protected", PROTECT)
    claim("claim-unprotected")  # like wp-content: no MySQL mounts it
    claim("mysql-claim-unprotected")
    deployment("mysql-on-unprotected-claim", spec=mysql_pod(core.VolumeArgs(name="data", persistent_volume_claim=core.PersistentVolumeClaimVolumeSourceArgs(claim_name="mysql-claim-unprotected")), mounts=["data"]))
    deployment("mysql-on-claim", spec=mysql_pod(core.VolumeArgs(name="data", persistent_volume_claim=core.PersistentVolumeClaimVolumeSourceArgs(claim_name="claim-protected")), mounts=["data"]))
    deployment("mysql-ephemeral", spec=mysql_pod(core.VolumeArgs(name="data", empty_dir=core.EmptyDirVolumeSourceArgs()), mounts=["data"]))
    deployment(
        "mysql-set",
        kind=k8s.apps.v1.StatefulSet,
        spec=mysql_pod(mounts=["data"]),
        service_name="mysql",
        volume_claim_templates=[core.PersistentVolumeClaimArgs(
            metadata=meta.ObjectMetaArgs(name="data"),
            spec=core.PersistentVolumeClaimSpecArgs(access_modes=["ReadWriteOnce"], resources=core.VolumeResourceRequirementsArgs(requests={"storage": "1Gi"})),
        )],
        persistent_volume_claim_retention_policy=k8s.apps.v1.StatefulSetPersistentVolumeClaimRetentionPolicyArgs(when_deleted="Delete"),
    )


def network_policy(name, selector, namespace=None, **spec):
    return net.NetworkPolicy(
        name,
        metadata=meta.ObjectMetaArgs(namespace=namespace),
        spec=net.NetworkPolicySpecArgs(pod_selector=meta.LabelSelectorArgs(match_labels=selector), **spec),
    )


def network_program():
    from_wordpress = [net.NetworkPolicyIngressRuleArgs(
        from_=[net.NetworkPolicyPeerArgs(pod_selector=meta.LabelSelectorArgs(match_labels={"app": "wordpress"}))],
        ports=[net.NetworkPolicyPortArgs(port=3306)],
    )]
    deployment("mysql-guarded", labels={"app": "mysql", "tier": "db"}, spec=mysql_pod())
    network_policy("mysql-from-wordpress", {"app": "mysql"}, policy_types=["Ingress"], ingress=from_wordpress)
    deployment("mysql-default-deny", namespace="guarded", spec=mysql_pod())
    network_policy("deny-all", {}, namespace="guarded", policy_types=["Ingress"])
    deployment("mysql-unguarded", spec=mysql_pod())
    deployment("mysql-allow-all", spec=mysql_pod())
    network_policy("allow-all", {"app": "mysql-allow-all"}, ingress=[net.NetworkPolicyIngressRuleArgs()])
    deployment("wordpress")
    mysql_client_job("mysql-client-job")


@pytest.fixture(scope="module")
def storage():
    return [v for v in check(storage_program) if v.policy == "stateful-storage-protected"]


@pytest.fixture(scope="module")
def network():
    return [v for v in check(network_program) if v.policy == "database-network-policy"]


def test_an_unprotected_mysql_volume_is_reported_on_the_volume(storage):
    assert messages(storage, "stateful-storage-protected", "mysql-data-unprotected") == [
        "docker:index/volume:Volume 'mysql-data-unprotected': holds MySQL's data (docker:index/container:Container "
        "'mysql-unprotected' mounts it at \"/var/lib/mysql\") but is not protected, so `pulumi destroy` or a "
        "replacement deletes it. Fix: declare it with ResourceOptions(protect=True) (the stack config's mysql.protect)."
    ]


def test_mysql_without_a_volume_keeps_data_in_the_container(storage):
    assert messages(storage, "stateful-storage-protected", "mysql-without-volume") == [
        "docker:index/container:Container 'mysql-without-volume': runs MySQL (image mysql:8.4.6) with no volume, so "
        "its data lives in the container's writable layer and the next replacement loses it. Fix: mount a protected "
        "docker.Volume at /var/lib/mysql."
    ]


def test_a_volume_the_stack_does_not_manage_cannot_be_protected(storage):
    assert messages(storage, "stateful-storage-protected", "mysql-unmanaged-volume") == [
        "docker:index/container:Container 'mysql-unmanaged-volume': mounts[0].source mounts volume \"loose\" at "
        "\"/var/lib/mysql\", which no docker.Volume of this stack manages, so nothing protects it. Fix: declare it as "
        "a docker.Volume with ResourceOptions(protect=True) and mount it by that name."
    ]


def test_every_persistent_volume_claim_is_protected_and_the_fix_names_the_setting_that_protects_it(storage):
    assert messages(storage, "stateful-storage-protected", "claim-unprotected") == [
        "kubernetes:core/v1:PersistentVolumeClaim 'claim-unprotected': is not protected, so `pulumi destroy` or a "
        "replacement deletes the claim and, with the usual Delete reclaim policy, its data. Fix: declare it with "
        "ResourceOptions(protect=True) (the stack config's wordpress.protect)."
    ]
    assert messages(storage, "stateful-storage-protected", "mysql-claim-unprotected") == [
        "kubernetes:core/v1:PersistentVolumeClaim 'mysql-claim-unprotected': is not protected, so `pulumi destroy` "
        "or a replacement deletes the claim and, with the usual Delete reclaim policy, its data. Fix: declare it with "
        "ResourceOptions(protect=True) (the stack config's mysql.protect)."
    ]


def test_kubernetes_mysql_needs_persistent_storage_kept_with_its_claims(storage):
    assert messages(storage, "stateful-storage-protected", "mysql-ephemeral") == [
        "kubernetes:apps/v1:Deployment 'mysql-ephemeral': runs MySQL without a PersistentVolumeClaim "
        "(spec.template.spec.volumes has none and there are no volumeClaimTemplates), so its data dies with the pod. "
        "Fix: mount a protected PersistentVolumeClaim at /var/lib/mysql, or use a StatefulSet volumeClaimTemplate."
    ]
    assert messages(storage, "stateful-storage-protected", "mysql-set") == [
        "kubernetes:apps/v1:StatefulSet 'mysql-set': spec.persistentVolumeClaimRetentionPolicy.whenDeleted is "
        "\"Delete\", so the claims made from volumeClaimTemplates go with the pods. Fix: set it to \"Retain\" (the default)."
    ]


def test_storage_violations_are_exactly_those(storage):
    assert sorted(v.resource for v in storage) == [
        "claim-unprotected", "mysql-claim-unprotected", "mysql-data-unprotected", "mysql-ephemeral", "mysql-set",
        "mysql-unmanaged-volume", "mysql-without-volume",
    ]


def test_a_policy_admitting_only_wordpress_or_a_default_deny_guards_mysql(network):
    assert messages(network, "database-network-policy", "mysql-guarded") == []
    assert messages(network, "database-network-policy", "mysql-default-deny") == []


def test_mysql_pods_no_policy_selects_are_a_violation(network):
    assert messages(network, "database-network-policy", "mysql-unguarded") == [
        "kubernetes:apps/v1:Deployment 'mysql-unguarded': runs MySQL in pods labelled app=mysql-unguarded, and no "
        "NetworkPolicy in namespace \"default\" selects them, so any pod in the cluster can connect to it. Fix: declare "
        "a networking.k8s.io/v1 NetworkPolicy whose podSelector matches these labels, with policyTypes [Ingress] and "
        "one ingress rule from the WordPress pods to port 3306."
    ]


def test_a_policy_with_an_open_ingress_rule_does_not_guard(network):
    assert messages(network, "database-network-policy", "mysql-allow-all") == [
        "kubernetes:apps/v1:Deployment 'mysql-allow-all': runs MySQL in pods labelled app=mysql-allow-all, and the "
        "NetworkPolicy 'allow-all' selecting them admits every source (no Ingress policyType, or an ingress rule without "
        "`from`), so any pod in the cluster can connect to it. Fix: declare a networking.k8s.io/v1 NetworkPolicy whose "
        "podSelector matches these labels, with policyTypes [Ingress] and one ingress rule from the WordPress pods to port 3306."
    ]


def test_network_violations_are_exactly_those(network):
    assert sorted(v.resource for v in network) == ["mysql-allow-all", "mysql-unguarded"]
