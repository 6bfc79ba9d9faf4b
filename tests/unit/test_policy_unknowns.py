"""Values unknown at preview time: what each rule does when it reads one.

During `pulumi preview`, an input computed from another resource that does not exist yet is
unknown. Here: a container's image is a RemoteImage's repoDigest (known once pulled), and
DATABASE_URL embeds the gateway of a network that is not created yet. The mocks leave both
unknown in preview, as the engine does; the adapter sends them as pulumi_policy's sentinels.
  - image-pinned skips the unknown image silently: it comes from another resource, whose own
    reference is checked where it is declared (the RemoteImage's name);
  - env-no-literal-secrets defers: it reports what it can judge (a literal password on the
    same container stays a mandatory violation), then pulumi_policy reports the unknown as an
    advisory "can't run policy ... during preview"; `pulumi up` runs the rule again with the
    value known, before the container is created, and judges it at the configured level;
  - a secret-named variable whose value is computed is a violation even while unknown: the
    rule judges where the value comes from (a literal, not a secret reference), not the value.
"""

import pulumi_docker as docker
import pytest
from pulumi.output import Unknown

from tests.harness import run_program
from tests.policy_fixtures import ONE_FAMILY, container, core, deployment, k8s_container, pod_spec
from tests.policy_harness import analyze, check, messages

RESOLVED_IMAGE = "wordpress@sha256:" + "b" * 64


def program(database_url=None):
    """database_url None: computed from resources (unknown during preview); else the value
    the update knows once they exist."""
    image = docker.RemoteImage("wordpress-image", name="wordpress:6.8.3-apache")
    network = docker.Network("backend", name="backend")
    if database_url is None:
        gateway = network.ipam_configs.apply(lambda configs: configs[0].gateway)
        url_entry = gateway.apply(lambda ip: f"DATABASE_URL=mysql://wordpress@{ip}/wordpress")
    else:
        url_entry = f"DATABASE_URL={database_url}"
    container(
        "wordpress",
        image=image.repo_digest if database_url is None else RESOLVED_IMAGE,
        envs=[url_entry, "WORDPRESS_DB_PASSWORD=hunter2"],
    )
    deployment("k8s", spec=pod_spec([k8s_container(env=[core.EnvVarArgs(name="DB_PASSWORD", value=image.repo_digest if database_url is None else "x")])]))


@pytest.fixture(scope="module")
def preview_run():
    return run_program(program, stack="test", preview=True)


@pytest.fixture(scope="module")
def preview(preview_run):
    return analyze(preview_run, ONE_FAMILY)


def test_the_fixture_values_are_unknown_during_preview(preview_run):
    inputs = preview_run.named("wordpress").raw_inputs
    assert isinstance(inputs["image"], Unknown)
    assert isinstance(inputs["envs"][0], Unknown)


def test_an_image_unknown_at_preview_is_skipped_silently(preview):
    assert messages(preview, "image-pinned") == []


def test_an_env_entry_unknown_at_preview_is_deferred_as_an_advisory_after_the_known_violations(preview):
    on_container = [(v.level, v.message) for v in preview if v.policy == "env-no-literal-secrets" and v.resource == "wordpress"]
    assert on_container == [
        (
            "mandatory",
            "docker:index/container:Container 'wordpress': envs[1] sets WORDPRESS_DB_PASSWORD to a literal value "
            "(7 characters, not shown). Fix: upload the value as a file (uploads, permissions 0400) and set "
            "WORDPRESS_DB_PASSWORD_FILE to its path instead.",
        ),
        (
            "advisory",
            "can't run policy 'env-no-literal-secrets' from policy pack 'moorings@v0.0.1' during preview: "
            "string value at .envs.0 can't be known during preview",
        ),
    ]


def test_a_secret_named_variable_with_a_computed_value_is_a_violation_even_while_unknown(preview):
    assert [(v.level, v.message) for v in preview if v.resource == "k8s"] == [
        (
            "mandatory",
            "kubernetes:apps/v1:Deployment 'k8s': spec.template.spec.containers[0].env[0] (container 'wordpress') "
            "sets DB_PASSWORD to a value computed during the update (not a secret reference). Fix: read it from a "
            "Secret (valueFrom.secretKeyRef), or mount the Secret as a volume and set DB_PASSWORD_FILE to the file.",
        )
    ]


def test_on_update_the_known_value_is_judged_at_the_configured_level():
    harmless = check(lambda: program("mysql://wordpress@172.18.0.1/wordpress"), ONE_FAMILY)
    assert [v.message for v in harmless if v.resource == "wordpress" and "DATABASE_URL" in v.message] == []
    leaking = check(lambda: program("mysql://wordpress:hunter2@172.18.0.1/wordpress"), ONE_FAMILY)
    assert [(v.level, v.message) for v in leaking if v.resource == "wordpress" and "DATABASE_URL" in v.message] == [
        (
            "mandatory",
            "docker:index/container:Container 'wordpress': envs[0] sets DATABASE_URL to a literal value that looks "
            "like a URL with a password (not shown). Fix: upload the value as a file (uploads, permissions 0400) and "
            "set DATABASE_URL_FILE to its path instead.",
        )
    ]
