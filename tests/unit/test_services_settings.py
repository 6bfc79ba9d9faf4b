"""`services.<name>` entries: validated data for extra services."""

import pytest

from stacks.settings import ConfigError
from stacks.settings.services import HealthSpec, PortSpec, ResourceSpec, SecuritySpec, ServiceSpec
from tests.unit.settings_loader import load, problems

DEMO = {"image": "nginx:1.27.3-alpine", "replicas": 3, "ports": [{"published": 80, "target": 80}]}


def test_the_recipe_demo_reads_into_a_service_spec():
    (demo,) = load({"services": {"demo": DEMO}}).services
    assert demo == ServiceSpec(
        name="demo", image="nginx:1.27.3-alpine", replicas=3, ports=(PortSpec(target=80, published=80),)
    )


def test_every_field_is_read():
    entry = {
        **DEMO,
        "env": {"GREETING": "hi", "DEBUG": False},
        "limits": {"cpu": 0.5, "memoryMb": 256},
        "reservations": {"cpu": "0.25", "memoryMb": 64},
        "health": {"port": 80, "path": "/healthz"},
    }
    (demo,) = load({"services": {"demo": entry}}).services
    assert demo.env == (("DEBUG", "false"), ("GREETING", "hi"))
    assert demo.limits == ResourceSpec(cpu=0.5, memory_mb=256)
    assert demo.reservations == ResourceSpec(cpu=0.25, memory_mb=64)
    assert demo.health == HealthSpec(port=80, path="/healthz")


def test_services_are_sorted_by_name_for_stable_previews():
    names = [s.name for s in load({"services": {"b": DEMO, "a": DEMO}}).services]
    assert names == ["a", "b"]


@pytest.mark.parametrize(
    "entry, expected",
    [
        ({**DEMO, "replicas": 0}, "moorings:services.demo.replicas = 0 is not accepted: expected a whole number of at least 1"),
        ({**DEMO, "image": "nginx"}, "moorings:services.demo.image = 'nginx' is not accepted: expected a pinned image"),
        ({**DEMO, "replica": 2}, "moorings:services.demo.replica = 2 is not accepted: expected one of the service fields"),
        ({**DEMO, "ports": [{"target": 99999}]}, "moorings:services.demo.ports[0].target = 99999 is not accepted: expected a whole number from 1 to 65535"),
        ({**DEMO, "ports": [{"target": 80, "mode": "mesh"}]}, "moorings:services.demo.ports[0].mode = 'mesh' is not accepted: expected one of ingress, host"),
        ({**DEMO, "mode": "global"}, "moorings:services.demo.replicas = 3 is not accepted: expected no replicas with mode global"),
        ({**DEMO, "limits": {"cpu": -1}}, "moorings:services.demo.limits.cpu = -1 is not accepted: expected a positive number of cores"),
        ({**DEMO, "health": {"path": "/"}}, "moorings:services.demo.health = {\"path\": \"/\"} is not accepted: expected an object with port"),
    ],
)
def test_bad_entries_name_the_exact_path(entry, expected):
    (problem,) = problems({"services": {"demo": entry}})
    assert problem.startswith(expected)


def test_a_bad_service_name_is_rejected():
    (problem,) = problems({"services": {"Demo_1": DEMO}})
    assert problem.startswith("moorings:services.Demo_1 = 'Demo_1' is not accepted")


def test_an_entry_without_image_is_rejected():
    with pytest.raises(ConfigError) as raised:
        load({"services": {"demo": {"replicas": 2}}})
    assert raised.value.problems == [
        "moorings:services.demo.image = null is not accepted: expected a pinned image (every service needs one)"
    ]


# -- security: restricted unless the entry says otherwise, and why -----------------------------


def test_a_service_is_restricted_unless_its_entry_says_otherwise():
    (demo,) = load({"services": {"demo": DEMO}}).services
    assert demo.security == SecuritySpec()
    assert demo.security.relaxations() == ()
    assert (demo.security.run_as_non_root, demo.security.read_only_root_filesystem) == (True, True)
    assert demo.security.writable_paths == ("/tmp",)


def test_every_security_field_is_read():
    security = {
        "runAsUser": 101,
        "runAsGroup": "101",
        "runAsNonRoot": False,
        "readOnlyRootFilesystem": False,
        "writablePaths": ["/var/cache/nginx", "/tmp"],
        "capabilities": ["NET_BIND_SERVICE"],
        "why": "the recipe's image binds port 80 as root",
    }
    (demo,) = load({"services": {"demo": {**DEMO, "security": security}}}).services
    assert demo.security == SecuritySpec(
        run_as_user=101,
        run_as_group=101,
        run_as_non_root=False,
        read_only_root_filesystem=False,
        writable_paths=("/var/cache/nginx", "/tmp"),
        capabilities=("NET_BIND_SERVICE",),
        why="the recipe's image binds port 80 as root",
    )
    assert demo.security.relaxations() == ("runAsNonRoot", "readOnlyRootFilesystem", "capabilities")


@pytest.mark.parametrize(
    "security, expected",
    [
        (
            {"runAsNonRoot": False},
            "moorings:services.demo.security.why = null is not accepted: expected a sentence saying why this service "
            "cannot run restricted (it sets runAsNonRoot): an exception is stated in config, never silent",
        ),
        (
            {"readOnlyRootFilesystem": False, "capabilities": ["CHOWN"]},
            "moorings:services.demo.security.why = null is not accepted: expected a sentence saying why this service "
            "cannot run restricted (it sets readOnlyRootFilesystem, capabilities): an exception is stated in config, never silent",
        ),
        ({"runAsUser": 0}, "moorings:services.demo.security.runAsUser = 0 is not accepted: expected a non-zero UID while runAsNonRoot is true"),
        ({"capabilities": ["ALL"], "why": "x"}, 'moorings:services.demo.security.capabilities = ["ALL"] is not accepted: expected named capabilities, never ALL or SYS_ADMIN'),
        ({"capabilities": ["cap_chown"], "why": "x"}, "moorings:services.demo.security.capabilities[0] = 'cap_chown' is not accepted: expected a capability name without CAP_"),
        ({"writablePaths": ["tmp"]}, "moorings:services.demo.security.writablePaths[0] = 'tmp' is not accepted: expected an absolute directory path"),
        ({"user": 5}, "moorings:services.demo.security.user = 5 is not accepted: expected one of the security fields runAsUser"),
    ],
)
def test_a_relaxed_or_malformed_security_entry_is_refused(security, expected):
    assert any(p.startswith(expected) for p in problems({"services": {"demo": {**DEMO, "security": security}}})), problems(
        {"services": {"demo": {**DEMO, "security": security}}}
    )


@pytest.mark.parametrize("grace", ["5s", "1m30s", "2m", "1h", "0s"])
def test_a_stop_grace_period_in_hours_minutes_and_seconds_is_read_on_swarm(grace):
    (demo,) = load({"platform": "swarm", "services": {"demo": {**DEMO, "stopGracePeriod": grace}}}).services
    assert demo.stop_grace_period == grace


@pytest.mark.parametrize("grace", ["30", "1.5s", "30 s", "s", "1s1m"])
def test_a_stop_grace_period_that_is_not_a_duration_is_rejected(grace):
    (problem,) = problems({"platform": "swarm", "services": {"demo": {**DEMO, "stopGracePeriod": grace}}})
    assert problem.startswith(f"moorings:services.demo.stopGracePeriod = '{grace}' is not accepted: expected a duration")


def test_a_stop_grace_period_is_refused_where_no_swarm_task_would_use_it():
    (problem,) = problems({"platform": "kubernetes", "services": {"demo": {**DEMO, "stopGracePeriod": "5s"}}})
    assert problem.startswith("moorings:services.demo.stopGracePeriod = '5s' is not accepted: expected no stopGracePeriod on platform kubernetes")
