"""restricted-profile on platform docker: a Container runs on a read-only root filesystem, drops
every capability (adding back only named ones) and keeps Docker's seccomp profile. Its user is
not judged: the official images start as root on Docker and step down themselves."""

import pulumi_docker as docker
import pytest

from tests.policy_fixtures import container
from tests.policy_harness import check, messages

LABEL = "docker:index/container:Container"


def program():
    container("confined")
    container("confined-with-one-back", capabilities=docker.ContainerCapabilitiesArgs(drops=["ALL"], adds=["CAP_CHOWN"]))
    container("writable", read_only=None)
    container("writable-by-choice", read_only=False)
    container("default-capabilities", capabilities=None)
    container("drops-one", capabilities=docker.ContainerCapabilitiesArgs(drops=["NET_RAW"]))
    container("unconfined", security_opts=["no-new-privileges:true", "seccomp=unconfined"])
    container("exempted", read_only=None, capabilities=None)
    container("carrier", read_only=None, capabilities=None, start=False, must_run=False)


CONFIG = {"restricted-profile": {"exempt": {"exempted": "a test fixture that writes to its image"}}}


@pytest.fixture(scope="module")
def violations():
    return check(program, CONFIG)


def test_a_read_only_container_that_drops_all_passes_even_with_a_capability_added_back(violations):
    assert messages(violations, "restricted-profile", "confined") == []
    assert messages(violations, "restricted-profile", "confined-with-one-back") == []


def test_a_writable_root_filesystem_is_a_violation_whether_left_out_or_chosen(violations):
    assert messages(violations, "restricted-profile", "writable") == [
        f"{LABEL} 'writable': readOnly is not set (writable): a compromised process can change the image's "
        "files. Fix: set read_only=True, with a tmpfs (or a volume) only where the image must write."
    ]
    assert [m.split(": ")[1] for m in messages(violations, "restricted-profile", "writable-by-choice")] == ["readOnly is false"]


def test_keeping_dockers_default_capabilities_is_a_violation(violations):
    assert messages(violations, "restricted-profile", "default-capabilities") == [
        f"{LABEL} 'default-capabilities': capabilities.drops is not set, not [ALL]: the container keeps Docker's "
        "default capabilities (NET_RAW, MKNOD, SETFCAP among them). Fix: drop ALL and add back only a named "
        "capability the entrypoint needs."
    ]
    assert len(messages(violations, "restricted-profile", "drops-one")) == 1


def test_turning_seccomp_off_is_a_violation(violations):
    assert messages(violations, "restricted-profile", "unconfined") == [
        f"{LABEL} 'unconfined': securityOpts turns seccomp off (seccomp=unconfined): no syscall filter. "
        "Fix: remove it; Docker's default profile then applies."
    ]


def test_a_container_that_is_never_started_runs_nothing_to_confine(violations):
    assert messages(violations, "restricted-profile", "carrier") == []


def test_a_stack_exempts_a_container_by_name_with_its_reason(violations):
    assert messages(violations, "restricted-profile", "exempted") == []
    assert len(messages(check(program), "restricted-profile", "exempted")) == 2


@pytest.mark.parametrize("level", ["mandatory", "advisory"])
def test_the_stack_config_decides_whether_it_blocks(level):
    found = check(lambda: container("writable", read_only=None), {"restricted-profile": level})
    assert [(v.level, v.policy) for v in found] == [(level, "restricted-profile")]


def test_dev_blocks_on_it():
    found = check(lambda: container("writable", read_only=None), "dev")
    assert [(v.level, v.policy) for v in found] == [("mandatory", "restricted-profile")]
