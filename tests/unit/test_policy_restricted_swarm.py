"""restricted-profile on platform swarm: a Service's tasks run on a read-only root filesystem,
drop every capability (adding back only named ones) and are not told to run as root. An unset
user is not judged: as on docker, the official images start as root and step down themselves."""

import pytest

from tests.policy_fixtures import service
from tests.policy_harness import check, messages

LABEL = "docker:index/service:Service"


def program():
    service("confined")
    service("confined-as-101-with-one-back", user="101:101", cap_adds=["CAP_CHOWN"])
    service("writable", read_only=None)
    service("writable-by-choice", read_only=False)
    service("default-capabilities", cap_drops=None)
    service("drops-one", cap_drops=["NET_RAW"])
    service("as-root", user="0:0")
    service("as-root-by-name", user="root")
    service("exempted", read_only=None, cap_drops=None)


CONFIG = {"restricted-profile": {"exempt": {"exempted": "a test fixture that writes to its image"}}}


@pytest.fixture(scope="module")
def violations():
    return check(program, CONFIG)


def test_a_read_only_service_that_drops_all_passes_with_a_user_or_a_capability_added_back(violations):
    assert messages(violations, "restricted-profile", "confined") == []
    assert messages(violations, "restricted-profile", "confined-as-101-with-one-back") == []


def test_a_writable_root_filesystem_is_a_violation_whether_left_out_or_chosen(violations):
    assert messages(violations, "restricted-profile", "writable") == [
        f"{LABEL} 'writable': taskSpec.containerSpec.readOnly is not set (writable): a compromised process can "
        "change the image's files. Fix: set read_only=True, with a tmpfs mount only where the image must write."
    ]
    assert [m.split(": ")[1] for m in messages(violations, "restricted-profile", "writable-by-choice")] == [
        "taskSpec.containerSpec.readOnly is false"]


def test_keeping_dockers_default_capabilities_is_a_violation(violations):
    assert messages(violations, "restricted-profile", "default-capabilities") == [
        f"{LABEL} 'default-capabilities': taskSpec.containerSpec.capDrops is not set, not [ALL]: the tasks keep "
        "Docker's default capabilities (NET_RAW, MKNOD, SETFCAP among them). Fix: drop ALL and add back "
        "(capAdds) only a named capability the entrypoint needs."
    ]
    assert len(messages(violations, "restricted-profile", "drops-one")) == 1


@pytest.mark.parametrize("name", ["as-root", "as-root-by-name"])
def test_a_user_set_to_root_is_a_violation(violations, name):
    (message,) = messages(violations, "restricted-profile", name)
    assert "the tasks run as root" in message


def test_a_stack_exempts_a_service_by_name_with_its_reason(violations):
    assert messages(violations, "restricted-profile", "exempted") == []
    assert len(messages(check(program), "restricted-profile", "exempted")) == 2


def test_the_swarm_stack_blocks_on_it():
    found = check(lambda: service("writable", read_only=None), "swarm")
    assert ("mandatory", "restricted-profile") in [(v.level, v.policy) for v in found]
