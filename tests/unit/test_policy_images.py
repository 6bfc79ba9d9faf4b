"""image-pinned: a tag other than latest, or a digest, on every platform."""

import pulumi_docker as docker
import pytest

from tests.policy_fixtures import ONE_FAMILY, container, deployment, k8s_container, pod_spec, service
from tests.policy_harness import check, findings, messages

DIGEST = "sha256:" + "a" * 64


def program():
    docker.RemoteImage("tagged", name="mysql:8.4.6")
    docker.RemoteImage("digested", name=f"mysql@{DIGEST}")
    docker.RemoteImage("latest", name="mysql:latest")
    docker.RemoteImage("untagged", name="registry.example.com:5000/team/mysql")
    remote = docker.RemoteImage("wordpress-image", name="wordpress:6.8.3-apache")
    container("by-image-id", image=remote.image_id)
    docker.Image(
        "built",
        image_name="moorings-dev-wordpress:latest",
        build=docker.DockerBuildArgs(context="docker/wordpress"),
        skip_push=True,
    )
    service("swarm-latest", image="nginx:latest")
    deployment(
        "k8s-untagged-init",
        spec=pod_spec([k8s_container()], init_containers=[k8s_container("init", image="busybox")]),
    )


@pytest.fixture(scope="module")
def violations():
    return check(program, ONE_FAMILY)


@pytest.mark.parametrize("resource", ["tagged", "digested", "wordpress-image", "by-image-id"])
def test_a_version_tag_a_digest_or_an_image_id_passes(violations, resource):
    assert findings(violations, resource) == []


def test_the_latest_tag_is_a_violation(violations):
    assert findings(violations, "latest") == [
        (
            "image-pinned",
            "docker:index/remoteImage:RemoteImage 'latest': name is \"mysql:latest\": the tag latest moves. "
            "Fix: pin a version tag such as mysql:8.4.6, or name@sha256:<digest>.",
        )
    ]


def test_no_tag_means_latest_even_behind_a_registry_port(violations):
    assert findings(violations, "untagged") == [
        (
            "image-pinned",
            "docker:index/remoteImage:RemoteImage 'untagged': name is \"registry.example.com:5000/team/mysql\": "
            "no tag means latest. Fix: pin a version tag such as mysql:8.4.6, or name@sha256:<digest>.",
        )
    ]


def test_a_built_image_is_named_with_a_pinned_tag(violations):
    assert findings(violations, "built") == [
        (
            "image-pinned",
            "docker:index/image:Image 'built': imageName is \"moorings-dev-wordpress:latest\": the tag latest moves. "
            "Fix: pin a version tag such as mysql:8.4.6, or name@sha256:<digest>.",
        )
    ]


def test_a_swarm_service_image_is_checked(violations):
    assert findings(violations, "swarm-latest") == [
        (
            "image-pinned",
            "docker:index/service:Service 'swarm-latest': taskSpec.containerSpec.image is \"nginx:latest\": "
            "the tag latest moves. Fix: pin a version tag such as mysql:8.4.6, or name@sha256:<digest>.",
        )
    ]


def test_every_kubernetes_container_is_checked_init_containers_too(violations):
    assert findings(violations, "k8s-untagged-init") == [
        (
            "image-pinned",
            "kubernetes:apps/v1:Deployment 'k8s-untagged-init': spec.template.spec.initContainers[0].image "
            "(container 'init') is \"busybox\": no tag means latest. "
            "Fix: pin a version tag such as mysql:8.4.6, or name@sha256:<digest>.",
        )
    ]


def test_exactly_these_violations_and_nothing_else(violations):
    assert sorted(v.resource for v in violations) == sorted(
        ["latest", "untagged", "built", "swarm-latest", "k8s-untagged-init"]
    )


def test_require_digest_refuses_tags(violations):
    strict = check(program, {**ONE_FAMILY, "image-pinned": {"requireDigest": True}})
    assert messages(strict, "image-pinned", "tagged") == [
        "docker:index/remoteImage:RemoteImage 'tagged': name is \"mysql:8.4.6\": no digest, and requireDigest "
        "is on for this stack. Fix: pin name@sha256:<digest>."
    ]
    assert messages(strict, "image-pinned", "digested") == []
    assert messages(strict, "image-pinned", "by-image-id") == []
