"""WordPressStack on platform swarm: the inputs the Docker provider receives."""

import base64

import pytest

from moorings.secret_args import SecretBundleArgs
from moorings.secret_bundle import SecretBundle
from moorings.wordpress_args import MySqlSpec, WordPressSpec, WordPressStackArgs, wordpress_secret_entries
from moorings.swarm_shell import NodeShell
from moorings.wordpress_builders.swarm_options import SwarmWordPressOptions
from moorings.wordpress_stack import WordPressStack
from tests.harness import differences, run_program

SERVICE = "docker:index/service:Service"
SWARM_SERVICE = "moorings:index:SwarmService"
OPTIONS = SwarmWordPressOptions(mysql_constraints=("node.id==abc123",), public_host="10.0.0.12")


def deploy(wordpress=None, mysql=None, options=OPTIONS, mysql_password=None, **run):
    def program():
        secrets = SecretBundle(
            "secrets",
            SecretBundleArgs(
                entries=wordpress_secret_entries(None, mysql_password), platform="swarm", name_prefix="moorings-t"
            ),
        )
        WordPressStack(
            "wordpress",
            WordPressStackArgs(
                platform="swarm",
                name_prefix="moorings-t",
                wordpress=wordpress or WordPressSpec(image="wordpress:6.8.3-apache", replicas=3, port=8080),
                mysql=mysql or MySqlSpec(image="mysql:8.4.6"),
                secrets=secrets,
                swarm=options,
            ),
        )

    return run_program(program, **run)


@pytest.fixture(scope="module")
def run():
    return deploy()


def service(run, name):
    """The docker Service inside the SwarmService component `name`."""
    (component,) = [r for r in run.of_type(SWARM_SERVICE) if r.name == name]
    (inner,) = [r for r in run.children_of(component) if r.type == SERVICE]
    return inner.inputs


def test_declares_a_network_volumes_and_two_services_under_the_component(run):
    stack = run.one("moorings:index:WordPressStack")
    assert sorted((r.type.split(":")[-1], r.name) for r in run.children_of(stack)) == [
        ("Network", "network"),
        ("SwarmService", "mysql"),
        ("SwarmService", "wordpress"),
        ("Volume", "mysql-data"),
        ("Volume", "wp-content"),
    ]


def test_the_network_is_an_encrypted_overlay_for_services_only(run):
    assert run.one("docker:index/network:Network").inputs == {
        "name": "moorings-t-net",
        "driver": "overlay",
        "options": {"encrypted": "true"},
        "attachable": False,
    }


def test_mysql_is_one_task_pinned_to_the_node_with_its_volume(run):
    mysql = service(run, "mysql")
    assert mysql["name"] == "moorings-t-mysql"
    assert mysql["mode"] == {"replicated": {"replicas": 1}}
    assert mysql["taskSpec"]["placement"]["constraints"] == ["node.id==abc123"]
    assert [m for m in mysql["taskSpec"]["containerSpec"]["mounts"] if m["type"] == "volume"] == [
        {"type": "volume", "source": "moorings-t-mysql-data", "target": "/var/lib/mysql"}
    ]
    assert "endpointSpec" not in mysql  # never published
    assert mysql["taskSpec"]["networksAdvanceds"] == [{"id": "network-id", "aliases": ["mysql"]}]


MIB = 1024 * 1024


@pytest.mark.parametrize("name, scratch, kept", [
    ("mysql", {"/var/run/mysqld": 8, "/var/lib/mysql-files": 64, "/tmp": 1024},
     ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_SETGID", "CAP_SETUID"]),
    ("wordpress", {"/var/www/html": 256, "/var/run/apache2": 8, "/var/lock/apache2": 8, "/tmp": 256},
     ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_SETGID", "CAP_SETUID"]),
])
def test_both_run_read_only_with_tmpfs_where_the_image_writes_and_only_the_entrypoints_capabilities(run, name, scratch, kept):
    # As on docker (docs/operators/hardening.md): the images start as root and step down to their user.
    container = service(run, name)["taskSpec"]["containerSpec"]
    assert container["readOnly"] is True and "user" not in container
    assert (container["capDrops"], container["capAdds"]) == (["ALL"], kept)
    assert {m["target"]: m["tmpfsOptions"]["sizeBytes"] / MIB for m in container["mounts"] if m["type"] == "tmpfs"} == scratch


def test_mysql_updates_stop_the_old_server_before_starting_the_new_one(run):
    mysql = service(run, "mysql")
    assert mysql["updateConfig"]["order"] == mysql["rollbackConfig"]["order"] == "stop-first"
    assert mysql["updateConfig"]["failureAction"] == "rollback"
    assert mysql["taskSpec"]["containerSpec"]["healthcheck"]["tests"] == ["CMD", "mysqladmin", "ping", "-h", "127.0.0.1", "--silent"]


def test_mysql_reads_its_passwords_from_secret_files(run):
    container = service(run, "mysql")["taskSpec"]["containerSpec"]
    assert container["env"] == {
        "MYSQL_DATABASE": "wordpress",
        "MYSQL_USER": "wordpress",
        "MYSQL_PASSWORD_FILE": "/run/secrets/mysql-password",
        "MYSQL_ROOT_PASSWORD_FILE": "/run/secrets/mysql-root-password",
    }
    grants = {s["fileName"]: s for s in container["secrets"]}
    assert set(grants) == {"/run/secrets/mysql-password", "/run/secrets/mysql-root-password"}
    assert {(s["fileUid"], s["fileGid"], s["fileMode"]) for s in grants.values()} == {("999", "999", 0o400)}
    secret_ids = {r.name + "-id" for r in run.of_type("docker:index/secret:Secret")}
    assert {s["secretId"] for s in grants.values()} <= secret_ids


def test_wordpress_runs_the_replicas_behind_the_ingress_on_the_port(run):
    wordpress = service(run, "wordpress")
    assert wordpress["name"] == "moorings-t-wordpress"
    assert wordpress["mode"] == {"replicated": {"replicas": 3}}
    assert wordpress["endpointSpec"]["ports"] == [
        {"targetPort": 80, "publishedPort": 8080, "protocol": "tcp", "publishMode": "ingress"}
    ]
    assert wordpress["updateConfig"]["order"] == "start-first"
    assert wordpress["taskSpec"]["containerSpec"]["image"] == "wordpress:6.8.3-apache"


def test_wordpress_reaches_mysql_by_alias_and_reads_every_secret_from_files(run):
    container = service(run, "wordpress")["taskSpec"]["containerSpec"]
    env = container["env"]
    assert (env["WORDPRESS_DB_HOST"], env["WORDPRESS_DB_NAME"], env["WORDPRESS_DB_USER"]) == ("mysql:3306", "wordpress", "wordpress")
    file_vars = {k: v for k, v in env.items() if k.endswith("_FILE")}
    assert len(file_vars) == 9 and file_vars["WORDPRESS_DB_PASSWORD_FILE"] == "/run/secrets/mysql-password"
    assert not any(("PASSWORD" in k or "_KEY" in k or "SALT" in k) and not k.endswith("_FILE") for k in env)
    assert {(s["fileUid"], s["fileMode"]) for s in container["secrets"]} == {("33", 0o400)}
    assert len(container["secrets"]) == 9


def test_wordpress_gets_its_php_settings_as_a_swarm_config(run):
    (config,) = service(run, "wordpress")["taskSpec"]["containerSpec"]["configs"]
    assert config["fileName"] == "/usr/local/etc/php/conf.d/moorings-uploads.ini"
    assert config["configName"].startswith("moorings-t-wordpress-php-uploads-")


def test_wordpress_starts_after_mysql_has_converged(run):
    mysql = run.one(SERVICE, "mysql")
    assert mysql.urn in run.one(SERVICE, "wordpress").depends_on
    # Room for a first start: image pulls on every node, the database's initialisation.
    assert service(run, "mysql")["convergeConfig"] == service(run, "wordpress")["convergeConfig"] == {"timeout": "10m", "delay": "7s"}


def test_without_options_mysql_stays_on_a_manager_and_the_url_is_local():
    run = deploy(options=None)
    assert service(run, "mysql")["taskSpec"]["placement"]["constraints"] == ["node.role==manager"]
    assert run.component_outputs[run.one("moorings:index:WordPressStack").urn]["url"] == "http://localhost:8080"


def test_rotating_the_database_password_rolls_both_services_and_nothing_else():
    changed = differences(deploy(mysql_password="first-password"), deploy(mysql_password="second-password"))
    touched = sorted({line.split(" ")[0].rsplit("::", 1)[1] for line in changed})
    # The secret is replaced (a new name); both services that read it move to the new one.
    assert touched == ["mysql", "mysql-password", "wordpress"]
    assert sum(".secretName:" in line for line in changed) == 2
    assert sum(".secretId:" in line for line in changed) == 0  # the mocks' IDs follow resource names


def test_only_the_volumes_are_protected_and_only_when_asked():
    assert sorted(r.name for r in deploy().resources if r.protect) == ["mysql-data", "wp-content"]
    unprotected = deploy(mysql=MySqlSpec(image="mysql:8.4.6", protect_data=False))
    assert [r.name for r in unprotected.resources if r.protect] == ["wp-content"]


def test_the_url_names_a_node_of_the_swarm(run):
    outputs = run.component_outputs[run.one("moorings:index:WordPressStack").urn]
    assert outputs == {
        "url": "http://10.0.0.12:8080",
        "wordpressName": "moorings-t-wordpress",
        "mysqlName": "moorings-t-mysql",
        "networkName": "moorings-t-net",
    }


def test_an_image_built_on_one_machine_is_refused():
    run = deploy(wordpress=WordPressSpec(image="wordpress:6.8.3-apache", build_context="docker/wordpress"), capture_error=True)
    assert "missing on the other swarm nodes" in str(run.error)


def test_the_networks_options_are_left_alone_after_create(run):
    """Swarm writes the VXLAN ID it picked into the options; without this, every `up` after
    the first replaces the network and every service on it (found by the engine tier)."""
    network = run.one("docker:index/network:Network", "network")
    assert network.ignore_changes == ["options"]


EDGE = SwarmWordPressOptions(mysql_constraints=("node.id==abc123",), routing="edge", edge_image="moorings-local/haproxy:2.6")


@pytest.fixture(scope="module")
def edge_run():
    return deploy(options=EDGE)


def test_on_the_edge_haproxy_publishes_the_port_on_every_node_and_wordpress_publishes_none(edge_run):
    edge, wordpress = service(edge_run, "edge"), service(edge_run, "wordpress")
    assert edge["mode"] == {"global": True}
    assert edge["endpointSpec"]["ports"] == [
        {"targetPort": 8080, "publishedPort": 8080, "protocol": "tcp", "publishMode": "host"}
    ]
    assert edge["taskSpec"]["containerSpec"]["image"] == "moorings-local/haproxy:2.6"
    assert wordpress["endpointSpec"] == {"mode": "dnsrr"}
    # A host port is held by one task: the old edge stops before the new one starts.
    assert edge["updateConfig"]["order"] == "stop-first"


def test_on_the_edge_services_find_each_other_by_dns_not_by_a_virtual_ip(edge_run, run):
    assert service(edge_run, "mysql")["endpointSpec"] == {"mode": "dnsrr"}
    assert "endpointSpec" not in service(run, "mysql")  # the mesh: Swarm's default virtual IP


def test_the_edge_balances_over_wordpress_tasks_as_dns_lists_them(edge_run):
    (config,) = [r for r in edge_run.of_type("docker:index/serviceConfig:ServiceConfig") if r.name == "edge-haproxy"]
    text = base64.b64decode(config.inputs["data"]).decode()
    assert "server-template task 64 tasks.moorings-t-wordpress:80" in text
    assert "nameserver docker 127.0.0.11:53" in text
    (mounted,) = service(edge_run, "edge")["taskSpec"]["containerSpec"]["configs"]
    assert mounted["fileName"] == "/usr/local/etc/haproxy/haproxy.cfg"


def test_the_edge_runs_read_only_with_no_capability_as_the_images_user(edge_run):
    spec = service(edge_run, "edge")["taskSpec"]["containerSpec"]
    assert (spec["readOnly"], spec["capDrops"], spec.get("capAdds"), spec.get("user")) == (True, ["ALL"], None, None)


def test_more_replicas_than_the_edge_has_slots_for_are_refused():
    with pytest.raises(Exception, match="the edge balances over at most 64"):
        deploy(wordpress=WordPressSpec(image="wordpress:6.8.3-apache", replicas=65), options=EDGE)


def test_wordpress_answers_with_the_address_of_the_published_port(run):
    env = service(run, "wordpress")["taskSpec"]["containerSpec"]["env"]
    assert env["WORDPRESS_CONFIG_EXTRA"] == "define('WP_HOME', 'http://10.0.0.12:8080');\ndefine('WP_SITEURL', 'http://10.0.0.12:8080');"


MANAGED = SwarmWordPressOptions(mysql_constraints=("node.id==abc123",), public_host="10.0.0.12", manager=NodeShell())


def test_with_the_managers_shell_the_database_gets_a_new_password_before_mysql_moves_to_it():
    run = deploy(options=MANAGED, mysql_password="second-password")
    rotation = run.one("command:local:Command", "mysql-credentials")
    (mysql,) = [r for r in run.of_type(SWARM_SERVICE) if r.name == "mysql"]
    assert rotation.urn in mysql.depends_on  # and WordPress waits for MySQL (above)
    assert " label=com.docker.swarm.service.name=moorings-t-mysql " in rotation.inputs["create"]
    assert rotation.input_is_secret("stdin") and rotation.inputs["stdin"].endswith("\nsecond-password\n")
    assert "second-password" not in rotation.inputs["create"]


def test_the_old_password_is_retired_on_the_manager_once_wordpress_has_rolled():
    run = deploy(options=MANAGED)
    close = run.one("command:local:Command", "mysql-credentials-close")
    # On the component: its service and the wait for its rollout, on the manager.
    assert any(urn.endswith("::wordpress-rollout") for urn in close.depends_on), close.depends_on
    assert " label=com.docker.swarm.service.name=moorings-t-mysql wordpress close " in close.inputs["update"]


def test_rotating_the_database_password_with_the_managers_shell_runs_the_rotation_again():
    changed = differences(
        deploy(options=MANAGED, mysql_password="first-password"), deploy(options=MANAGED, mysql_password="second-password")
    )
    touched = sorted({line.split(" ")[0].rsplit("::", 1)[1] for line in changed})
    # and both services roll, each waited for (its rollout) as without a rotation
    assert touched == ["mysql", "mysql-credentials", "mysql-credentials-close", "mysql-password", "mysql-rollout", "wordpress", "wordpress-rollout"]


def test_with_online_rotation_off_no_step_runs_and_mysql_waits_for_nothing():
    run = deploy(options=MANAGED, mysql=MySqlSpec(image="mysql:8.4.6", online_rotation=False))
    assert [r.name for r in run.of_type("command:local:Command") if r.name.startswith("mysql-credentials")] == []
    (mysql,) = [r for r in run.of_type(SWARM_SERVICE) if r.name == "mysql"]
    assert not any(urn.endswith("::mysql-credentials") for urn in mysql.depends_on)
