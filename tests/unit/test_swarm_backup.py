"""Backups on platform swarm under the mocks, with the committed swarm stack and backup.enabled:
a service on MySQL's image runs backup.sh on the stack's overlay, beside the volumes on MySQL's
node, writing into a protected volume and reading wp-content read-only and the root password from
a Swarm secret file; the policy pack (swarm's config) finds nothing mandatory."""

import pytest

from moorings.backups import BACKUP_SCRIPT
from tests.harness import plain_occurrences
from tests.kubernetes_support import run_stack
from tests.policy_harness import analyze

SERVICE = "docker:index/service:Service"
BACKUP = {"backup.enabled": True, "backup.every": "6h", "backup.keep": 5}


@pytest.fixture(scope="module")
def run():
    return run_stack("swarm", BACKUP)


def spec(run, name):
    (component,) = [r for r in run.of_type("moorings:index:SwarmService") if r.name == name]
    (inner,) = [r for r in run.children_of(component) if r.type == SERVICE]
    return inner.inputs


def test_without_backup_nothing_of_it_is_declared():
    names = {r.name for r in run_stack("swarm").resources}
    assert not names & {"backup", "backups"}


def test_the_backups_volume_is_protected_on_the_node_of_the_other_volumes(run):
    (volume,) = [r for r in run.of_type("docker:index/volume:Volume") if r.name == "backups"]
    assert volume.protect and volume.inputs["name"] == "moorings-swarm-backups"
    assert spec(run, "backup")["taskSpec"]["placement"]["constraints"] == spec(run, "mysql")["taskSpec"]["placement"]["constraints"]


def test_the_service_runs_the_script_on_mysqls_image_with_interval_and_keep(run):
    backup, mysql = spec(run, "backup"), spec(run, "mysql")
    container = backup["taskSpec"]["containerSpec"]
    assert backup["name"] == "moorings-swarm-backup"
    assert container["image"] == mysql["taskSpec"]["containerSpec"]["image"]
    assert container["commands"] == ["sh", "-c", BACKUP_SCRIPT.read_text(), "moorings-backup", "21600", "5"]
    assert backup["mode"] == {"replicated": {"replicas": 1}}
    assert backup["updateConfig"]["order"] == "stop-first"  # one writer into the volume at a time
    assert "endpointSpec" not in backup or not backup["endpointSpec"].get("ports")


def test_it_reaches_mysql_on_the_overlay_as_root_reading_the_password_from_a_secret_file(run):
    backup, mysql = spec(run, "backup"), spec(run, "mysql")
    container = backup["taskSpec"]["containerSpec"]
    assert [n["id"] for n in backup["taskSpec"]["networksAdvanceds"]] == [n["id"] for n in mysql["taskSpec"]["networksAdvanceds"]]
    assert container["env"] == {
        "BACKUP_USER": "root",
        "MYSQL_DATABASE": "wordpress",
        "MYSQL_HOST": "mysql",
        "MYSQL_PORT": "3306",
        "MYSQL_ROOT_PASSWORD_FILE": "/run/secrets/mysql-root-password",
    }
    (secret,) = container["secrets"]
    root = [s for s in mysql["taskSpec"]["containerSpec"]["secrets"] if s["fileName"] == "/run/secrets/mysql-root-password"]
    assert secret["secretId"] == root[0]["secretId"]  # the same Swarm secret as MySQL's
    assert plain_occurrences(container, "generated-mysql-root-password") == []


def test_it_writes_the_backups_volume_and_reads_wp_content_read_only(run):
    mounts = {m["target"]: m for m in spec(run, "backup")["taskSpec"]["containerSpec"]["mounts"] if m["type"] == "volume"}
    assert mounts["/backups"] == {"type": "volume", "source": "moorings-swarm-backups", "target": "/backups"}
    assert mounts["/wp-content"] == {
        "type": "volume", "source": "moorings-swarm-wp-content", "target": "/wp-content", "readOnly": True,
    }


def test_it_is_confined_limited_and_health_checked(run):
    task = spec(run, "backup")["taskSpec"]
    container = task["containerSpec"]
    assert container["readOnly"] is True
    assert container["capDrops"] == ["ALL"] and container["capAdds"] == ["CAP_DAC_OVERRIDE"]
    assert container["healthcheck"]["tests"] == ["CMD-SHELL", "test -d /backups -a -w /backups"]
    assert task["resources"]["limits"] == {"nanoCpus": 500_000_000, "memoryBytes": 256 * 1024 * 1024}


def test_the_policy_pack_finds_no_mandatory_violation(run):
    found = [f"{v.policy} {v.resource}: {v.message}" for v in analyze(run, "swarm") if v.level == "mandatory"]
    assert found == []
