"""KubernetesCluster: the cluster a stack deploys to, and the namespace the stack owns in it.

Three modes (recipe 5):
- `existing`: a cluster you already have, through a kubeconfig (a path or its contents; by
  default $KUBECONFIG or ~/.kube/config) and an optional context.
- `kind`: a local cluster that `pulumi up` creates and `pulumi destroy` deletes with the
  `kind` CLI (a local command); its kubeconfig is a secret output.
- `render`: no cluster. The provider writes every object as YAML to a directory, for review
  or for another tool to apply.

Children of the stack reach the cluster through `provider` (pass it in `providers=[...]`).
"""

from __future__ import annotations

import shlex
import shutil
from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_command as command
import pulumi_kubernetes as k8s

MODES = ("existing", "kind", "render")

# Enforce the baseline Pod Security Standard and report anything short of "restricted":
# WordPress and MySQL meet "restricted"; an extra service's image may need root (nginx does).
POD_SECURITY_LABELS = {
    "pod-security.kubernetes.io/enforce": "baseline",
    "pod-security.kubernetes.io/warn": "restricted",
    "pod-security.kubernetes.io/audit": "restricted",
}


class KindNotFound(RuntimeError):
    """Mode kind needs the `kind` CLI on this machine's PATH."""


@dataclass(frozen=True)
class KubernetesClusterArgs:
    mode: str
    """existing, kind or render."""
    namespace: str
    """The namespace the stack owns: created with it, deleted with it."""
    kubeconfig: Optional[str] = None
    """existing: a kubeconfig path or its contents; None reads $KUBECONFIG or ~/.kube/config."""
    context: Optional[str] = None
    """existing: the kubeconfig context; None uses its current context."""
    kind_cluster: str = "moorings"
    """kind: the cluster's name (two stacks must not share one)."""
    kind_node_image: Optional[str] = None
    """kind: a pinned kindest/node image (the Kubernetes version); None takes kind's default."""
    render_dir: str = "rendered"
    """render: the directory the manifests are written to, relative to the project."""


class KubernetesCluster(pulumi.ComponentResource):
    provider: k8s.Provider
    """The Kubernetes provider every child of the stack uses."""
    namespace: pulumi.Output[str]
    """The stack's namespace; depending on it makes an object wait for the Namespace."""
    kubeconfig: Optional[pulumi.Output[str]]
    """kind only: the new cluster's kubeconfig, a secret."""

    def __init__(
        self,
        name: str,
        args: KubernetesClusterArgs,
        opts: Optional[pulumi.ResourceOptions] = None,
    ):
        if args.mode not in MODES:
            raise ValueError(f"KubernetesCluster {name}: mode {args.mode!r} is not one of {', '.join(MODES)}")
        # Checked before anything is declared: without kind, `up` would fail half-way through.
        if args.mode == "kind" and shutil.which("kind") is None:
            raise KindNotFound(
                "kubernetes.mode is kind, but the `kind` CLI is not on PATH. Install kind "
                "(for example `go install sigs.k8s.io/kind@v0.33.0`) and a running Docker Engine, "
                "or set kubernetes.mode to existing or render."
            )
        super().__init__("moorings:index:KubernetesCluster", name, None, opts)

        self.kubeconfig = None
        if args.mode == "existing":
            settings = dict(kubeconfig=args.kubeconfig, context=args.context, enable_server_side_apply=True)
        elif args.mode == "kind":
            self.kubeconfig = _kind_cluster(self, args)
            settings = dict(
                kubeconfig=self.kubeconfig,
                context=f"kind-{args.kind_cluster}",
                enable_server_side_apply=True,
            )
        else:
            pulumi.log.warn(
                f"kubernetes.mode is render: manifests go to {args.render_dir}/ and nothing is "
                "deployed. The provider writes Secret values there in plain text: keep that "
                "directory out of version control (it is in .gitignore).",
                resource=self,
            )
            settings = dict(render_yaml_to_directory=args.render_dir)
        self.provider = k8s.Provider("provider", **settings, opts=pulumi.ResourceOptions(parent=self))

        namespace = k8s.core.v1.Namespace(
            "namespace",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=args.namespace, labels=POD_SECURITY_LABELS),
            opts=pulumi.ResourceOptions(parent=self, provider=self.provider),
        )
        self.namespace = namespace.metadata.name
        self.register_outputs({"namespace": self.namespace, "mode": args.mode})


def _kind_cluster(cluster: KubernetesCluster, args: KubernetesClusterArgs) -> pulumi.Output[str]:
    """Create the kind cluster unless it exists (so a re-run is harmless); print its kubeconfig."""
    name = shlex.quote(args.kind_cluster)
    image = f" --image {shlex.quote(args.kind_node_image)}" if args.kind_node_image else ""
    created = command.local.Command(
        "kind-cluster",
        create=(
            "set -e\n"
            f"kind get clusters | grep -qx {name} || kind create cluster --name {name}{image} --wait 180s >&2\n"
            f"kind get kubeconfig --name {name}"
        ),
        delete=f"kind delete cluster --name {name}",
        # A new name or node image is a new cluster. Delete first: the create script would
        # otherwise find the old cluster still there and keep it.
        triggers=[args.kind_cluster, args.kind_node_image or "default"],
        logging=command.local.Logging.STDERR,  # stdout is the kubeconfig: never in the logs
        add_previous_output_in_env=False,
        opts=pulumi.ResourceOptions(
            parent=cluster, delete_before_replace=True, additional_secret_outputs=["stdout"]
        ),
    )
    return pulumi.Output.secret(created.stdout)
