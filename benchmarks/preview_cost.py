"""How long `pulumi preview` takes, Moorings against bare programs (issue 10's benchmark).

Prints figures; asserts nothing. Every preview runs through the real engine of toolchain/ on a
scratch copy and backend (tests/pulumi_engine.py), median of --repeat runs:
  1. each render-mode Kubernetes stack (staging, prod rendered) against a minimal program
     with one component, side by side;
  2. staging with N extra services against a bare program declaring the same number of
     ConfigMaps, for each N of --services.

The CLI hands a stack's whole config to the program in one environment variable (PULUMI_CONFIG),
and Linux caps one at 128 KiB (MAX_ARG_STRLEN): past that the program cannot start at all
(pulumi/pulumi#8680). Copies of the demo as written in Pulumi.staging.yaml pass it at a few
hundred services, so where they would, the extra services are written in their shortest form
(image, replicas, ports), and the figures say so.

    venv/bin/python benchmarks/preview_cost.py [--repeat 3] [--services 100,400]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.pulumi_engine import EngineProject, engine_problem  # noqa: E402

MINIMAL = '''
import pulumi

class Minimal(pulumi.ComponentResource):
    def __init__(self, name):
        super().__init__("bench:index:Minimal", name)
        self.register_outputs({})

Minimal("minimal")
'''

BARE = '''
import pulumi, pulumi_kubernetes as k8s
provider = k8s.Provider("render", render_yaml_to_directory="rendered-bare")
for i in range({count}):
    k8s.core.v1.ConfigMap(f"cm-{{i}}", data={{"i": str(i)}}, opts=pulumi.ResourceOptions(provider=provider))
'''


def timed_preview(project: EngineProject, stack: str, repeat: int) -> tuple[float, int]:
    """(median seconds, resources in the preview)."""
    seconds, resources = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        preview = json.loads(project.pulumi("preview", "-s", stack, "--json").stdout)
        seconds.append(time.perf_counter() - started)
        resources = sum(preview.get("changeSummary", {}).values())
    return statistics.median(seconds), resources


ENV_STRING_LIMIT = 128 * 1024  # Linux's MAX_ARG_STRLEN: the longest one environment variable
SHORTEST_SERVICE = ("image", "replicas", "ports")


def config_env_bytes(config: dict) -> int:
    """About the size of PULUMI_CONFIG as the CLI writes it: object values JSON-encoded as strings."""
    values = {key: value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
              for key, value in config.items()}
    return len(json.dumps(values, separators=(",", ":")))


def add_services(project: EngineProject, stack: str, count: int) -> tuple[str, int]:
    """`count` copies of the stack's demo service, written into the scratch stack file, in full
    while the config fits in one environment variable, else in their shortest form.
    Returns (form, bytes of config)."""
    path = project.stack_file(stack)
    config = yaml.safe_load(path.read_text())
    services = config["config"]["moorings:services"]
    demo = services["demo"]
    for form, entry in (("as the demo", dict(demo)), ("shortest form", {k: demo[k] for k in SHORTEST_SERVICE})):
        for i in range(count):
            services[f"svc{i}"] = dict(entry)
        size = config_env_bytes(config["config"])
        if size < ENV_STRING_LIMIT:
            break
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return form, size


def program_project(root: Path, name: str, source: str) -> EngineProject:
    project = EngineProject(root / name)
    (project.dir / "__main__.py").write_text(source)
    project.init("staging")
    return project


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--services", default="100,400")
    args = parser.parse_args()
    problem = engine_problem()
    if problem:
        sys.exit(f"benchmark: {problem}")

    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        minimal = program_project(root, "minimal", MINIMAL)
        base, _ = timed_preview(minimal, "staging", args.repeat)
        print(f"minimal program (1 component): {base:.2f} s")
        for stack in ("staging", "prod"):
            project = EngineProject(root / stack)
            project.init(stack)
            if stack == "prod":
                project.set(stack, "kubernetes.mode", "render")
            took, count = timed_preview(project, stack, args.repeat)
            print(f"{stack} ({count} resources): {took:.2f} s = {took / base:.2f}x the minimal program")

        for services in (int(n) for n in args.services.split(",")):
            moorings = EngineProject(root / f"moorings-{services}")
            moorings.init("staging")
            form, size = add_services(moorings, "staging", services)
            took, count = timed_preview(moorings, "staging", args.repeat)
            bare = program_project(root, f"bare-{services}", BARE.format(count=count))
            bare_took, bare_count = timed_preview(bare, "staging", args.repeat)
            print(f"staging + {services} services, {form} (config {size / 1024:.0f} KiB of the "
                  f"{ENV_STRING_LIMIT // 1024} KiB limit; {count} resources): {took:.1f} s; "
                  f"bare program, {bare_count} ConfigMaps: {bare_took:.1f} s; ratio {took / bare_took:.2f}")


if __name__ == "__main__":
    main()
