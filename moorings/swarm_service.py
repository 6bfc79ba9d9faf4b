"""SwarmService: one Docker Swarm service, declared in full.

Everything `docker service create` is given by hand becomes an argument: the pinned image,
replicated or global mode, published ports, environment, secrets as files, configs,
networks, volumes, health check, resources, placement, and the update and rollback
policies. Scaling is the `replicas` argument alone. Declare it with the cluster's provider:
`opts=ResourceOptions(providers=[cluster.provider])`, and give it `manager=cluster.manager_shell`:
then `pulumi up` returns once Swarm's rolling update has ended (a rolled-back one fails it),
and the service's removal survives slow stops (see manager).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field, replace
from typing import Mapping, Optional, Sequence, TypeVar

import pulumi
import pulumi_docker as docker

from moorings.health_probe import HealthProbe
from moorings.swarm_shell import NodeShell, run, script_command, stdin_script_command
from moorings.secret_bundle import SecretWiring
from moorings.engine_names import freed_names
from moorings.swarm_objects import content_name, encoded, new_before_old
from moorings.service_spec import PortSpec, ResourceSpec

REPLICATED = "replicated"
GLOBAL = "global"
MODES = (REPLICATED, GLOBAL)
VIP = "vip"
DNSRR = "dnsrr"
ENDPOINT_MODES = (VIP, DNSRR)


@dataclass(frozen=True)
class RolloutPolicy:
    """How Swarm replaces a service's tasks: on an update, or when it rolls one back."""

    parallelism: int = 1
    """Tasks replaced at a time."""
    delay: str = "10s"
    """Pause between batches."""
    order: str = "start-first"
    """start-first keeps the old task serving until the new one runs; stop-first for single writers."""
    failure_action: str = "rollback"
    """Updates: pause, continue or rollback. Rollbacks: pause or continue."""
    monitor: str = "30s"
    """How long a new task must stay up to count as a success."""
    max_failure_ratio: str = "0.0"


UPDATE = RolloutPolicy()
ROLLBACK = RolloutPolicy(delay="0s", failure_action="pause")


@dataclass(frozen=True)
class Scratch:
    """A writable directory on a read-only root: a tmpfs, empty at every task start."""

    path: str
    size_mb: int = 64


@dataclass(frozen=True)
class Confinement:
    """What each task may do beyond running its program. The default is as strict as Swarm can
    express: a read-only root filesystem with a tmpfs at each `scratch` path, every capability
    dropped, the image's own user. (pulumi-docker 5.1.0 has no no-new-privileges for services,
    and Swarm no seccomp setting: tasks get the engine's default seccomp profile.)"""

    user: Optional[str] = None
    """uid[:gid] the task runs as; None keeps the image's USER."""
    read_only: bool = True
    scratch: Sequence[Scratch] = (Scratch("/tmp"),)
    capabilities: Sequence[str] = ()
    """Added back after dropping ALL, spelled as the engine reports them (CAP_CHOWN)."""


@dataclass(frozen=True)
class RestartPolicy:
    """When Swarm restarts a task that exits. The defaults are Docker's own, spelled out in full:
    left unset, pulumi-docker 5.1.0 sends an empty policy on create and a different one (no
    delay, a zero window) on the next update, which changes the task template, so a mere scale
    3 -> 5 replaced every running task (issue 10)."""

    condition: str = "any"
    """none, on-failure or any."""
    delay: str = "5s"
    max_attempts: int = 0
    """0: no limit."""
    window: str = "0s"
    """How long a restart has to stay up to count; 0s: unbounded."""


@dataclass(frozen=True)
class ConfigFile:
    """A non-secret file given to the service's tasks as a Swarm config."""

    name: str
    """Short name; the Swarm config is named `<service>-<name>-<hash of content>`."""
    content: pulumi.Input[str]
    path: str
    """Absolute path inside the container."""
    mode: int = 0o444


@dataclass(frozen=True)
class VolumeMount:
    source: pulumi.Input[str]
    """Volume name; a local volume lives on the node the task runs on."""
    target: str
    read_only: bool = False


@dataclass(frozen=True)
class NetworkAttachment:
    network_id: pulumi.Input[str]
    """The network's ID (its name would make the provider replace the service on every run)."""
    aliases: Sequence[str] = ()


@dataclass(frozen=True)
class Placement:
    constraints: Sequence[pulumi.Input[str]] = ()
    """e.g. node.role==manager, node.labels.disk==ssd: every one must hold."""
    preferences: Sequence[str] = ()
    """e.g. spread=node.labels.zone: spread tasks evenly over the values of a label."""
    max_replicas_per_node: Optional[int] = None


@dataclass(frozen=True)
class Converge:
    """`pulumi up` waits until every task runs, or fails after `timeout`."""

    timeout: str = "5m"
    delay: str = "7s"
    """Between checks."""


@dataclass(frozen=True)
class SwarmServiceArgs:
    name: str
    """Service name on the swarm, and its DNS name on the networks it joins."""
    image: str
    """Pinned image reference."""
    command: Sequence[str] = ()
    """Overrides the image's entrypoint and command; empty: the image's own."""
    replicas: int = 1
    """Tasks of a replicated service: the scaling knob."""
    mode: str = REPLICATED
    """replicated, or global (one task per node; `replicas` does not apply)."""
    ports: Sequence[PortSpec] = ()
    endpoint_mode: str = VIP
    """How other tasks reach this service by name: vip (one virtual IP, balanced by the kernel's
    IPVS) or dnsrr (DNS answers with every task's own address: no IPVS needed; ports can then
    only be published in host mode)."""
    env: Mapping[str, str] = field(default_factory=dict)
    """Plain values only: secrets come through `secrets`."""
    secrets: Optional[SecretWiring] = None
    """From `SecretBundle.wire`: `*_FILE` variables plus the secrets they point at."""
    configs: Sequence[ConfigFile] = ()
    networks: Sequence[NetworkAttachment] = ()
    mounts: Sequence[VolumeMount] = ()
    healthcheck: Optional[HealthProbe] = None
    limits: ResourceSpec = ResourceSpec()
    reservations: ResourceSpec = ResourceSpec()
    """What the scheduler sets aside on a node for each task."""
    placement: Placement = Placement()
    update: RolloutPolicy = UPDATE
    rollback: RolloutPolicy = ROLLBACK
    restart: RestartPolicy = RestartPolicy()
    confinement: Confinement = Confinement()
    converge: Converge = Converge()
    """Ignored in global mode, which the provider cannot wait on."""
    stop_grace_period: str = "30s"
    """Time a task gets between SIGTERM and SIGKILL (h, m and s, e.g. 1m30s)."""
    manager: Optional[NodeShell] = None
    """A manager's shell (`SwarmCluster.manager_shell`), where two commands run. After each change
    of the tasks' spec or count, one waits for Swarm's update to end, monitor period included,
    and fails if Swarm paused or rolled it back (swarm_scripts/settle.sh): the provider returns
    while the update still runs. Before the service is removed, one stops its tasks and waits
    for them (swarm_scripts/drain.sh): the provider's delete fails on any task that needs its
    whole stop grace period. Both as of pulumi-docker 5.1.0."""


class SwarmService(pulumi.ComponentResource):
    service: docker.Service
    service_name: str

    def __init__(self, name: str, args: SwarmServiceArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("moorings:index:SwarmService", name, None, opts)
        if args.mode not in MODES:
            raise ValueError(f"SwarmService {name}: mode {args.mode!r} is not one of {', '.join(MODES)}")
        if args.endpoint_mode not in ENDPOINT_MODES:
            raise ValueError(
                f"SwarmService {name}: endpoint_mode {args.endpoint_mode!r} is not one of {', '.join(ENDPOINT_MODES)}"
            )
        if args.endpoint_mode == DNSRR and any(port.mode != "host" for port in args.ports):
            raise ValueError(f"SwarmService {name}: endpoint_mode dnsrr publishes ports in host mode only")
        grace = seconds(args.stop_grace_period)
        rollout_limit = seconds(args.converge.timeout, "converge.timeout")
        file_env = dict(args.secrets.file_env) if args.secrets else {}
        clash = sorted(set(file_env) & set(args.env))
        if clash:
            raise ValueError(f"SwarmService {name}: {', '.join(clash)} set both as plain env and from a secret")
        # What the service waits for (e.g. the database) its resources wait for, in the engine's graph too.
        child = pulumi.ResourceOptions(parent=self, depends_on=opts.depends_on if opts else None)
        # Names that a killed `up` may have left on the manager's engine are freed before a create.
        engine = args.manager.docker_host if args.manager else None
        configs = [
            docker.ServiceConfig(
                f"{name}-{config.name}",
                name=content_name(f"{args.name}-{config.name}", config.content),
                data=encoded(config.content),
                opts=pulumi.ResourceOptions.merge(new_before_old(child), freed_names("config", f"{args.name}-{config.name}", engine)),
            )
            for config in args.configs
        ]
        replicated = args.mode == REPLICATED
        self.service_name = args.name
        self.service = docker.Service(
            name,  # child names carry the component's: URNs do not include the parent's name
            name=args.name,
            task_spec=docker.ServiceTaskSpecArgs(
                container_spec=_container(args, {**args.env, **file_env}, configs),
                networks_advanceds=[
                    docker.ServiceTaskSpecNetworksAdvancedArgs(id=network.network_id, aliases=list(network.aliases) or None)
                    for network in args.networks
                ]
                or None,
                resources=docker.ServiceTaskSpecResourcesArgs(
                    limits=_resources(docker.ServiceTaskSpecResourcesLimitsArgs, args.limits),
                    reservation=_resources(docker.ServiceTaskSpecResourcesReservationArgs, args.reservations),
                ),
                restart_policy=docker.ServiceTaskSpecRestartPolicyArgs(**asdict(read_back(args.restart, "delay", "window"))),
                placement=docker.ServiceTaskSpecPlacementArgs(
                    constraints=list(args.placement.constraints) or None,
                    prefs=list(args.placement.preferences) or None,
                    max_replicas=args.placement.max_replicas_per_node,
                ),
            ),
            mode=docker.ServiceModeArgs(replicated=docker.ServiceModeReplicatedArgs(replicas=args.replicas))
            if replicated
            else docker.ServiceModeArgs(global_=True),
            endpoint_spec=_endpoint(args.ports, args.endpoint_mode),
            update_config=docker.ServiceUpdateConfigArgs(**asdict(read_back(args.update, "delay", "monitor"))),
            rollback_config=docker.ServiceRollbackConfigArgs(**asdict(read_back(args.rollback, "delay", "monitor"))),
            converge_config=docker.ServiceConvergeConfigArgs(timeout=args.converge.timeout, delay=args.converge.delay)
            if replicated
            else None,
            # The service's name is fixed, so a replacement must remove the old service first
            # (the provider does not ask for it: a forced replacement would fail on the name).
            opts=pulumi.ResourceOptions.merge(
                child, pulumi.ResourceOptions.merge(pulumi.ResourceOptions(delete_before_replace=True), freed_names("service", args.name, engine))
            ),
        )
        if args.manager is not None:
            after_service = pulumi.ResourceOptions(parent=self, depends_on=[self.service])
            # Runs again, in place, whenever the tasks' spec, their count or the published ports
            # change: their digest is an argument (triggers would replace the command, which a
            # review lists as a risk), and the preview shows it as a one-line change.
            settle = pulumi.Output.all(self.service.id, rollout_digest(self.service)).apply(
                lambda parts: stdin_script_command("settle.sh", parts[0], str(rollout_limit), parts[1])
            )
            line, script = settle[0], settle[1]
            run(
                args.manager,
                f"{name}-rollout",
                after_service,
                create=line,
                update=line,
                stdin=script,
            )
            # Depends on the service, so it goes first; a replaced service gets a drain of its own.
            run(
                args.manager,
                f"{name}-drain",
                after_service,
                delete=self.service.id.apply(
                    lambda service_id: script_command("drain.sh", service_id, str(grace))
                ),
                triggers=[self.service.id],
            )
        self.register_outputs({"name": self.service_name, "id": self.service.id})


def rollout_digest(service: docker.Service) -> pulumi.Output[str]:
    """A short digest of what makes Swarm roll a service's tasks: their spec, count and ports."""
    return pulumi.Output.all(service.task_spec, service.mode, service.endpoint_spec).apply(
        lambda parts: hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]
    )


def _container(
    args: SwarmServiceArgs, env: Mapping[str, str], configs: Sequence[docker.ServiceConfig]
) -> docker.ServiceTaskSpecContainerSpecArgs:
    """What runs in each task: image, environment, files (secrets, configs, volumes), health."""
    return docker.ServiceTaskSpecContainerSpecArgs(
        image=args.image,
        commands=list(args.command) or None,
        env=dict(sorted(env.items())),
        secrets=list(args.secrets.attachments) if args.secrets else None,
        configs=[
            docker.ServiceTaskSpecContainerSpecConfigArgs(
                config_id=resource.id, config_name=resource.name, file_name=config.path, file_mode=config.mode
            )
            for config, resource in zip(args.configs, configs)
        ]
        or None,
        mounts=[
            docker.ServiceTaskSpecContainerSpecMountArgs(
                type="volume", source=mount.source, target=mount.target, read_only=mount.read_only or None
            )
            for mount in args.mounts
        ]
        + [
            docker.ServiceTaskSpecContainerSpecMountArgs(
                type="tmpfs",
                target=scratch.path,
                tmpfs_options=docker.ServiceTaskSpecContainerSpecMountTmpfsOptionsArgs(size_bytes=scratch.size_mb * 1024 * 1024),
            )
            for scratch in args.confinement.scratch
        ]
        or None,
        user=args.confinement.user,
        read_only=args.confinement.read_only,
        cap_drops=["ALL"],
        cap_adds=list(args.confinement.capabilities) or None,
        healthcheck=_healthcheck(args.healthcheck) if args.healthcheck else None,
        # As the provider reads it back (1m30s, not 90s): any other spelling is a diff on every preview.
        stop_grace_period=go_duration(seconds(args.stop_grace_period)),
    )


T = TypeVar("T")
DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


def seconds(duration: str, setting: str = "stop_grace_period") -> int:
    """Whole seconds of a duration written in h, m and s (e.g. 1m30s -> 90)."""
    match = DURATION.match(duration)
    if not match or not duration:
        raise ValueError(f"SwarmService: {setting} {duration!r} is not a duration in h, m and s, e.g. 30s or 1m30s")
    hours, minutes, secs = (int(part or 0) for part in match.groups())
    return hours * 3600 + minutes * 60 + secs


def _endpoint(ports: Sequence[PortSpec], mode: str) -> Optional[docker.ServiceEndpointSpecArgs]:
    """Published ports and how the service is found; None: Swarm's defaults (vip, nothing published)."""
    if not ports and mode == VIP:
        return None
    return docker.ServiceEndpointSpecArgs(
        mode=None if mode == VIP else mode,  # unset as before for vip: no diff on existing stacks
        ports=[
            docker.ServiceEndpointSpecPortArgs(
                target_port=port.target, published_port=port.published, protocol=port.protocol, publish_mode=port.mode
            )
            for port in ports
        ]
        or None,
    )


def _resources(args_type: type, spec: ResourceSpec) -> Optional[object]:
    """The spec in Docker's units (billionths of a CPU, bytes); None when it sets nothing."""
    found = {}
    if spec.cpu is not None:
        found["nano_cpus"] = round(spec.cpu * 1_000_000_000)
    if spec.memory_mb is not None:
        found["memory_bytes"] = spec.memory_mb * 1024 * 1024
    return args_type(**found) if found else None


def read_back(settings: T, *durations: str) -> T:
    """`settings` with its `durations` spelled as the provider reads them back (60s is 1m there):
    any other spelling made every preview update the service (seen on the backup's 60s probe)."""
    return replace(settings, **{name: go_duration(seconds(getattr(settings, name), name)) for name in durations})


def _healthcheck(probe: HealthProbe) -> docker.ServiceTaskSpecContainerSpecHealthcheckArgs:
    return read_back(probe, "interval", "timeout", "start_period").as_args(docker.ServiceTaskSpecContainerSpecHealthcheckArgs)


def go_duration(total: int) -> str:
    """Whole seconds as pulumi-docker writes a duration into its state: Go's form, less a
    trailing 0s or 0m (90 -> 1m30s, 60 -> 1m, 3600 -> 1h)."""
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours}h{minutes}m{secs}s" if hours else f"{minutes}m{secs}s" if minutes else f"{secs}s"
    if text.endswith("m0s"):
        text = text[:-2]
    if text.endswith("h0m"):
        text = text[:-2]
    return text
