"""Moorings: WordPress-class applications on local Docker, Docker Swarm and Kubernetes.

The reusable ComponentResources and their typed arguments. They take typed args and never read
stack config: a program (this repository's `__main__.py`, or yours) reads its settings and hands
them over.

    from moorings import SecretBundle, SecretBundleArgs, SecretEntry, WordPressStack, WordPressStackArgs
"""

from importlib.metadata import PackageNotFoundError, version

from moorings.kubernetes_cluster import KubernetesCluster, KubernetesClusterArgs
from moorings.secret_args import FileReader, SecretBundleArgs, SecretEntry
from moorings.secret_bundle import SecretBundle, SecretWiring
from moorings.service_spec import HealthSpec, PortSpec, ResourceSpec, SecuritySpec, ServiceSpec
from moorings.swarm_cluster import SwarmCluster, SwarmClusterArgs, SwarmHost
from moorings.swarm_service import SwarmService, SwarmServiceArgs
from moorings.wordpress_args import BackupSpec, ExternalDatabase, MySqlSpec, WordPressSpec, WordPressStackArgs
from moorings.wordpress_builders.kubernetes.options import WordPressKubernetesOptions
from moorings.wordpress_builders.swarm_options import SwarmWordPressOptions
from moorings.wordpress_stack import WordPressStack

try:
    __version__ = version("moorings")
except PackageNotFoundError:  # run from a checkout that was never installed
    __version__ = "0+checkout"

__all__ = [
    "BackupSpec",
    "ExternalDatabase",
    "FileReader",
    "HealthSpec",
    "KubernetesCluster",
    "KubernetesClusterArgs",
    "MySqlSpec",
    "PortSpec",
    "ResourceSpec",
    "SecretBundle",
    "SecretBundleArgs",
    "SecretEntry",
    "SecretWiring",
    "SecuritySpec",
    "ServiceSpec",
    "SwarmCluster",
    "SwarmClusterArgs",
    "SwarmHost",
    "SwarmService",
    "SwarmServiceArgs",
    "SwarmWordPressOptions",
    "WordPressKubernetesOptions",
    "WordPressSpec",
    "WordPressStack",
    "WordPressStackArgs",
]
