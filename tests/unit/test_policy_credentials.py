"""env-no-literal-secrets judges a value's source; secrets-mounted-as-files checks *_FILE paths."""

import pulumi_docker as docker
import pytest

from tests.policy_fixtures import ONE_FAMILY, container, core, deployment, k8s_container, pod_spec, service
from tests.policy_harness import check, findings

UPLOAD = docker.ContainerUploadArgs(file="/run/secrets/db-password", content="s3cr3t-value", permissions="0400")


def secret_env(name, secret="db", key="password"):
    return core.EnvVarArgs(
        name=name, value_from=core.EnvVarSourceArgs(secret_key_ref=core.SecretKeySelectorArgs(name=secret, key=key))
    )


def program():
    # Good forms: *_FILE with the file provided, Secret references, flags, plain settings.
    container("docker-file", envs=["WORDPRESS_DB_PASSWORD_FILE=/run/secrets/db-password", "LDAP_PASSWORD_AUTH=off"], uploads=[UPLOAD])
    container("docker-volume-file", envs=["WORDPRESS_DB_PASSWORD_FILE=/run/secrets/db-password"], volumes=[
        docker.ContainerVolumeArgs(volume_name="secrets", container_path="/run/secrets", read_only=True)])
    container("docker-writable-volume-file", envs=["WORDPRESS_DB_PASSWORD_FILE=/run/secrets/db-password"], volumes=[
        docker.ContainerVolumeArgs(volume_name="secrets", container_path="/run/secrets")])
    secret = docker.Secret("db-password", name="db-password", data="czNjcjN0")
    service(
        "swarm-file",
        env={"WORDPRESS_DB_PASSWORD_FILE": "/run/secrets/db-password", "WORDPRESS_DB_USER": "wordpress"},
        secrets=[docker.ServiceTaskSpecContainerSpecSecretArgs(secret_id=secret.id, secret_name=secret.name, file_name="db-password")],
    )
    deployment(
        "k8s-refs",
        spec=pod_spec(
            [k8s_container(env=[secret_env("WORDPRESS_DB_PASSWORD"), core.EnvVarArgs(name="WORDPRESS_AUTH_KEY_FILE", value="/etc/wp/auth-key")],
                           volume_mounts=[core.VolumeMountArgs(name="wp-secrets", mount_path="/etc/wp")])],
            volumes=[core.VolumeArgs(name="wp-secrets", secret=core.SecretVolumeSourceArgs(secret_name="wp"))],
        ),
    )
    # Bad forms.
    container("docker-literal", envs=["WORDPRESS_DB_PASSWORD=hunter2", "WORDPRESS_DB_HOST=mysql:3306"])
    container("docker-url", envs=["DATABASE_URL=mysql://wordpress:hunter2@mysql:3306/wordpress"])
    service("swarm-literal", env={"SMTP_PASSWORD": "hunter2", "API_TOKEN": "t0k3n"})
    deployment(
        "k8s-literal",
        spec=pod_spec([k8s_container(env=[
            core.EnvVarArgs(name="WORDPRESS_AUTH_KEY", value="0123456789abcdef"),
            core.EnvVarArgs(
                name="DB_PASSWORD",
                value_from=core.EnvVarSourceArgs(config_map_key_ref=core.ConfigMapKeySelectorArgs(name="settings", key="pw")),
            ),
        ])]),
    )
    container("docker-missing-file", envs=["WORDPRESS_DB_PASSWORD_FILE=/run/secrets/db-password"])
    service("swarm-missing-file", env={"MYSQL_PASSWORD_FILE": "/run/secrets/mysql-password"})
    deployment(
        "k8s-missing-file",
        spec=pod_spec(
            [k8s_container(env=[core.EnvVarArgs(name="WORDPRESS_DB_PASSWORD_FILE", value="/etc/wp/db-password")],
                           volume_mounts=[core.VolumeMountArgs(name="config", mount_path="/etc/wp")])],
            volumes=[core.VolumeArgs(name="config", config_map=core.ConfigMapVolumeSourceArgs(name="wp"))],
        ),
    )


@pytest.fixture(scope="module")
def violations():
    return check(program, ONE_FAMILY)


@pytest.mark.parametrize("resource", ["docker-file", "swarm-file", "k8s-refs", "db-password"])
def test_files_and_secret_references_pass(violations, resource):
    assert findings(violations, resource) == []


def test_a_literal_password_in_docker_envs_is_a_violation_and_the_value_is_not_shown(violations):
    assert findings(violations, "docker-literal") == [
        (
            "env-no-literal-secrets",
            "docker:index/container:Container 'docker-literal': envs[0] sets WORDPRESS_DB_PASSWORD to a literal value "
            "(7 characters, not shown). Fix: upload the value as a file (uploads, permissions 0400) and set "
            "WORDPRESS_DB_PASSWORD_FILE to its path instead.",
        )
    ]
    assert not any("hunter2" in v.text for v in violations)


def test_a_value_that_looks_like_a_credential_is_a_violation_whatever_its_name(violations):
    assert findings(violations, "docker-url") == [
        (
            "env-no-literal-secrets",
            "docker:index/container:Container 'docker-url': envs[0] sets DATABASE_URL to a literal value that looks "
            "like a URL with a password (not shown). Fix: upload the value as a file (uploads, permissions 0400) and "
            "set DATABASE_URL_FILE to its path instead.",
        )
    ]


def test_swarm_env_literals_are_violations_one_per_variable(violations):
    assert findings(violations, "swarm-literal") == [
        (
            "env-no-literal-secrets",
            "docker:index/service:Service 'swarm-literal': taskSpec.containerSpec.env.API_TOKEN sets API_TOKEN to a "
            "literal value (5 characters, not shown). Fix: grant a Swarm secret (taskSpec.containerSpec.secrets) and "
            "set API_TOKEN_FILE=/run/secrets/<fileName> instead.",
        ),
        (
            "env-no-literal-secrets",
            "docker:index/service:Service 'swarm-literal': taskSpec.containerSpec.env.SMTP_PASSWORD sets "
            "SMTP_PASSWORD to a literal value (7 characters, not shown). Fix: grant a Swarm secret "
            "(taskSpec.containerSpec.secrets) and set SMTP_PASSWORD_FILE=/run/secrets/<fileName> instead.",
        ),
    ]


def test_kubernetes_literals_and_configmap_refs_for_secrets_are_violations(violations):
    assert findings(violations, "k8s-literal") == [
        (
            "env-no-literal-secrets",
            "kubernetes:apps/v1:Deployment 'k8s-literal': spec.template.spec.containers[0].env[0] (container "
            "'wordpress') sets WORDPRESS_AUTH_KEY to a literal value (16 characters, not shown). Fix: read it from a "
            "Secret (valueFrom.secretKeyRef), or mount the Secret as a volume and set WORDPRESS_AUTH_KEY_FILE to the file.",
        ),
        (
            "env-no-literal-secrets",
            "kubernetes:apps/v1:Deployment 'k8s-literal': spec.template.spec.containers[0].env[1] (container "
            "'wordpress') takes DB_PASSWORD from ConfigMap \"settings\" (configMapKeyRef), which is not a secret store. "
            "Fix: read it from a Secret (valueFrom.secretKeyRef), or mount the Secret as a volume and set "
            "DB_PASSWORD_FILE to the file.",
        ),
    ]


def test_a_file_variable_needs_an_upload_on_docker(violations):
    assert findings(violations, "docker-missing-file") == [
        (
            "secrets-mounted-as-files",
            "docker:index/container:Container 'docker-missing-file': envs[0] sets WORDPRESS_DB_PASSWORD_FILE to "
            "\"/run/secrets/db-password\", but no upload (uploads[].file) or read-only named volume provides that "
            "file, so the container starts without its secret. Fix: upload the secret to that path (uploads, "
            "permissions 0400), or into a volume mounted read-only at its directory.",
        )
    ]


def test_on_docker_a_named_volume_mounted_read_only_at_the_files_directory_provides_it_too(violations):
    assert findings(violations, "docker-volume-file") == []
    # Writable, it is any data volume: nothing says the secret is there and left alone.
    assert [p for p, _ in findings(violations, "docker-writable-volume-file")] == ["secrets-mounted-as-files"]


def test_a_file_variable_needs_a_swarm_secret_on_swarm(violations):
    assert findings(violations, "swarm-missing-file") == [
        (
            "secrets-mounted-as-files",
            "docker:index/service:Service 'swarm-missing-file': taskSpec.containerSpec.env.MYSQL_PASSWORD_FILE sets "
            "MYSQL_PASSWORD_FILE to \"/run/secrets/mysql-password\", but no Swarm secret "
            "(taskSpec.containerSpec.secrets[].fileName) provides that file, so the container starts without its "
            "secret. Fix: grant the secret to the service with fileName set to that path.",
        )
    ]


def test_a_file_variable_needs_a_secret_volume_on_kubernetes_not_a_configmap(violations):
    assert findings(violations, "k8s-missing-file") == [
        (
            "secrets-mounted-as-files",
            "kubernetes:apps/v1:Deployment 'k8s-missing-file': spec.template.spec.containers[0].env[0] (container "
            "'wordpress') sets WORDPRESS_DB_PASSWORD_FILE to \"/etc/wp/db-password\", but no Secret volume mount "
            "provides that file, so the container starts without its secret. Fix: mount a Secret volume "
            "(volumes[].secret and volumeMounts[].mountPath) at the file's directory.",
        )
    ]


def test_exactly_these_violations(violations):
    assert len(violations) == 10  # the writable-volume case among them
