"""Extra services as data: `services.<name>` entries (the recipe's nginx demo and friends).

One entry deploys as a SwarmService on platform swarm and as a Deployment plus Service on
platform kubernetes. Scaling one is `pulumi config set --path services.<name>.replicas N`.
"""

from __future__ import annotations

import re
from typing import Any, Optional

from moorings.service_spec import HealthSpec, PortSpec, ResourceSpec, SecuritySpec, ServiceSpec
from stacks.settings.images import pinned_image_problem
from stacks.settings.reader import ConfigReader

SERVICE_NAME = re.compile(r"^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$")
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
FIELDS = ("image", "replicas", "mode", "ports", "env", "limits", "reservations", "health", "security", "stopGracePeriod")
SECURITY_FIELDS = (
    "runAsUser", "runAsGroup", "runAsNonRoot", "readOnlyRootFilesystem", "writablePaths", "capabilities", "why"
)
CAPABILITY = re.compile(r"^[A-Z][A-Z_]*$")
ABSOLUTE_PATH = re.compile(r"^/[A-Za-z0-9._/-]*[A-Za-z0-9._-]$")
# A duration as Docker writes one: hours, minutes, seconds, in that order, e.g. 45s, 1m30s, 2m.
DURATION = re.compile(r"^(?=\d)(\d+h)?(\d+m)?(\d+s)?$")


def read_services(reader: ConfigReader) -> tuple[ServiceSpec, ...]:
    entries = reader.mapping("services")
    return tuple(
        spec
        for name, entry in sorted(entries.items())
        if (spec := _read_service(reader, name, entry)) is not None
    )


def _read_service(reader: ConfigReader, name: str, entry: Any) -> Optional[ServiceSpec]:
    path = f"services.{name}"
    if not SERVICE_NAME.match(name):
        reader.fail(path, name, "a service name of lowercase letters, digits and '-' (at most 32)")
        return None
    if not isinstance(entry, dict):
        reader.fail(path, entry, "an object with image, replicas, ports, ...")
        return None
    for key in sorted(set(entry) - set(FIELDS)):
        reader.fail(f"{path}.{key}", entry[key], "one of the service fields " + ", ".join(FIELDS))
    if "image" not in entry:
        reader.fail(f"{path}.image", None, "a pinned image (every service needs one)")
    image = reader.parse_string(f"{path}.image", entry.get("image", "x:1"), "x:1", check=pinned_image_problem)
    mode = reader.parse_string(f"{path}.mode", entry.get("mode", "replicated"), "replicated", choices=("replicated", "global"))
    replicas = reader.parse_integer(f"{path}.replicas", entry.get("replicas", 1), 1, minimum=1)
    if mode == "global" and "replicas" in entry:
        reader.fail(f"{path}.replicas", entry["replicas"], "no replicas with mode global (one task per node)")
    return ServiceSpec(
        name=name,
        image=image,
        replicas=replicas,
        mode=mode,
        ports=tuple(_read_ports(reader, f"{path}.ports", entry.get("ports", []))),
        env=_read_env(reader, f"{path}.env", entry.get("env", {})),
        limits=_read_resources(reader, f"{path}.limits", entry.get("limits")),
        reservations=_read_resources(reader, f"{path}.reservations", entry.get("reservations")),
        health=_read_health(reader, f"{path}.health", entry.get("health")),
        security=_read_security(reader, f"{path}.security", entry.get("security")),
        stop_grace_period=_read_duration(reader, f"{path}.stopGracePeriod", entry.get("stopGracePeriod")),
    )


def _read_ports(reader: ConfigReader, path: str, raw: Any) -> list[PortSpec]:
    if not isinstance(raw, list):
        reader.fail(path, raw, "a list of {target, published, protocol, mode}")
        return []
    ports = []
    for index, item in enumerate(raw):
        at = f"{path}[{index}]"
        if not isinstance(item, dict) or "target" not in item:
            reader.fail(at, item, "an object with target (and published, protocol, mode)")
            continue
        for key in sorted(set(item) - {"target", "published", "protocol", "mode"}):
            reader.fail(f"{at}.{key}", item[key], "one of target, published, protocol, mode")
        target = reader.parse_integer(f"{at}.target", item["target"], 1, 1, 65535)
        ports.append(
            PortSpec(
                target=target,
                published=reader.parse_integer(f"{at}.published", item.get("published", target), target, 1, 65535),
                protocol=reader.parse_string(f"{at}.protocol", item.get("protocol", "tcp"), "tcp", choices=("tcp", "udp")),
                mode=reader.parse_string(f"{at}.mode", item.get("mode", "ingress"), "ingress", choices=("ingress", "host")),
            )
        )
    return ports


def _read_env(reader: ConfigReader, path: str, raw: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(raw, dict):
        reader.fail(path, raw, "an object of NAME: value")
        return ()
    env = []
    for key, value in sorted(raw.items()):
        if not ENV_NAME.match(key):
            reader.fail(f"{path}.{key}", key, "a variable name of letters, digits and _")
        elif isinstance(value, (dict, list)) or value is None:
            reader.fail(f"{path}.{key}", value, "a string, number or boolean")
        else:
            env.append((key, str(value).lower() if isinstance(value, bool) else str(value)))
    return tuple(env)


def _read_resources(reader: ConfigReader, path: str, raw: Any) -> ResourceSpec:
    if raw is None:
        return ResourceSpec()
    if not isinstance(raw, dict) or set(raw) - {"cpu", "memoryMb"}:
        reader.fail(path, raw, "an object with cpu (cores, e.g. 0.5) and/or memoryMb (e.g. 256)")
        return ResourceSpec()
    cpu = raw.get("cpu")
    if cpu is not None and (isinstance(cpu, bool) or not _positive_number(cpu)):
        reader.fail(f"{path}.cpu", cpu, "a positive number of cores, e.g. 0.5")
        cpu = None
    memory = raw.get("memoryMb")
    if memory is not None:
        memory = reader.parse_integer(f"{path}.memoryMb", memory, 0, minimum=4)
    return ResourceSpec(cpu=float(cpu) if cpu is not None else None, memory_mb=memory or None)


def _read_health(reader: ConfigReader, path: str, raw: Any) -> Optional[HealthSpec]:
    if raw is None:
        return None
    if not isinstance(raw, dict) or "port" not in raw or set(raw) - {"port", "path"}:
        reader.fail(path, raw, "an object with port and an optional path (default /)")
        return None
    path_value = reader.parse_string(f"{path}.path", raw.get("path", "/"), "/")
    if not path_value.startswith("/"):
        reader.fail(f"{path}.path", path_value, "an HTTP path starting with /")
    return HealthSpec(port=reader.parse_integer(f"{path}.port", raw["port"], 80, 1, 65535), path=path_value)


def _read_security(reader: ConfigReader, path: str, raw: Any) -> SecuritySpec:
    """Restricted unless the entry says otherwise, and says why."""
    if raw is None:
        return SecuritySpec()
    if not isinstance(raw, dict):
        reader.fail(path, raw, "an object with " + ", ".join(SECURITY_FIELDS))
        return SecuritySpec()
    for key in sorted(set(raw) - set(SECURITY_FIELDS)):
        reader.fail(f"{path}.{key}", raw[key], "one of the security fields " + ", ".join(SECURITY_FIELDS))
    default = SecuritySpec()
    user = raw.get("runAsUser")
    group = raw.get("runAsGroup")
    spec = SecuritySpec(
        run_as_user=None if user is None else reader.parse_integer(f"{path}.runAsUser", user, 0, 0, 2147483647),
        run_as_group=None if group is None else reader.parse_integer(f"{path}.runAsGroup", group, 0, 0, 2147483647),
        run_as_non_root=reader.parse_boolean(f"{path}.runAsNonRoot", raw.get("runAsNonRoot", True), True),
        read_only_root_filesystem=reader.parse_boolean(
            f"{path}.readOnlyRootFilesystem", raw.get("readOnlyRootFilesystem", True), True
        ),
        writable_paths=_read_list(
            reader, f"{path}.writablePaths", raw.get("writablePaths", list(default.writable_paths)),
            ABSOLUTE_PATH, "an absolute directory path such as /tmp or /var/cache/nginx",
        ),
        capabilities=_read_list(
            reader, f"{path}.capabilities", raw.get("capabilities", []),
            CAPABILITY, "a capability name without CAP_, such as NET_BIND_SERVICE",
        ),
        why=reader.parse_string(f"{path}.why", raw["why"], "") if "why" in raw else None,
    )
    if spec.run_as_user == 0 and spec.run_as_non_root:
        reader.fail(f"{path}.runAsUser", 0, "a non-zero UID while runAsNonRoot is true (set runAsNonRoot: false, with why)")
    if "ALL" in spec.capabilities or "SYS_ADMIN" in spec.capabilities:
        reader.fail(f"{path}.capabilities", list(spec.capabilities), "named capabilities, never ALL or SYS_ADMIN")
    relaxed = spec.relaxations()
    if relaxed and not spec.why:
        reader.fail(
            f"{path}.why",
            raw.get("why"),
            f"a sentence saying why this service cannot run restricted (it sets {', '.join(relaxed)}): "
            "an exception is stated in config, never silent",
        )
    return spec


def _read_list(reader: ConfigReader, path: str, raw: Any, pattern: re.Pattern, accepted: str) -> tuple[str, ...]:
    if not isinstance(raw, list):
        reader.fail(path, raw, f"a list, each item {accepted}")
        return ()
    found = []
    for index, item in enumerate(raw):
        if not isinstance(item, str) or not pattern.match(item):
            reader.fail(f"{path}[{index}]", item, accepted)
        elif item not in found:
            found.append(item)
    return tuple(found)
def _read_duration(reader: ConfigReader, path: str, raw: Any) -> Optional[str]:
    if raw is None:
        return None
    text = reader.parse_string(path, raw, "")
    if text and not DURATION.match(text):
        reader.fail(path, raw, "a duration of hours, minutes and seconds, e.g. 10s, 1m30s or 2m")
        return None
    return text or None


def _positive_number(value: Any) -> bool:
    try:
        return float(value) > 0
    except (TypeError, ValueError):
        return False
