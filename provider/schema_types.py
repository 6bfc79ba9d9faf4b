"""The wire faces of Moorings' arguments: one TypedDict per argument dataclass, as the component
provider host needs them (pulumi.provider.experimental's analyzer builds the package schema from
these annotations and takes each docstring as the description).

Rules of the host (docs/contributors/component-package.md): real annotations (no
`from __future__ import annotations` in this module), no Union, Literal or tuple; a field with a
default in its dataclass is `NotRequired` here. Plain types are settings the component decides
with while it is declared; `pulumi.Input` marks what may come from another resource's output.
What cannot cross the wire has no face here: a SecretBundle, a NodeShell, a SecretWiring.
"""

from typing import NotRequired, TypedDict

import pulumi

# -- SecretBundle -----------------------------------------------------------------------------


class SecretEntry(TypedDict):
    """One secret of the bundle."""

    name: str
    """File name under /run/secrets and the key consumers ask for (e.g. `mysql-password`)."""
    value: NotRequired[pulumi.Input[str]]
    """The configured value (pass a secret); generated when absent."""
    length: NotRequired[int]
    """Length of a generated value (default 32)."""


class SecretBundleArgs(TypedDict):
    """The inputs of a SecretBundle."""

    entries: list[SecretEntry]
    """The secrets of the bundle, each name once."""
    platform: str
    """docker, swarm or kubernetes: decides how the secrets are materialised."""
    name_prefix: str
    """Prefix of the names the secrets take on the platform (Swarm secret, Kubernetes Secret)."""
    namespace: NotRequired[pulumi.Input[str]]
    """Kubernetes namespace of the Secret object (kubernetes only)."""
    docker_host: NotRequired[str]
    """The swarm's manager as `docker -H` takes it (swarm only): where a secret an interrupted `up`
    left under its name is looked for. Absent: DOCKER_HOST's engine."""


# -- KubernetesCluster ------------------------------------------------------------------------


class KubernetesClusterArgs(TypedDict):
    """The inputs of a KubernetesCluster."""

    mode: str
    """existing, kind or render."""
    namespace: str
    """The namespace the stack owns: created with it, deleted with it."""
    kubeconfig: NotRequired[str]
    """existing: a kubeconfig path or its contents; absent reads $KUBECONFIG or ~/.kube/config."""
    context: NotRequired[str]
    """existing: the kubeconfig context; absent uses its current context."""
    kind_cluster: NotRequired[str]
    """kind: the cluster's name (two stacks must not share one; default moorings)."""
    kind_node_image: NotRequired[str]
    """kind: a pinned kindest/node image (the Kubernetes version); absent takes kind's default."""
    render_dir: NotRequired[str]
    """render: the directory the manifests are written to, relative to the program (default rendered)."""


# -- WordPressStack ---------------------------------------------------------------------------


class WordPressSpec(TypedDict):
    """The WordPress side of a WordPressStack."""

    image: str
    """Pinned official image, e.g. wordpress:6.8.3-apache."""
    replicas: NotRequired[int]
    """WordPress replicas (default 1)."""
    port: NotRequired[int]
    """Port on the host (docker, swarm) or of the Service (kubernetes); default 8080."""
    db_name: NotRequired[str]
    """Database WordPress uses (default wordpress)."""
    db_user: NotRequired[str]
    """Database user WordPress connects as (default wordpress)."""
    build_context: NotRequired[str]
    """docker only: build the image from this folder instead of using `image` as is."""
    protect_content: NotRequired[bool]
    """`protect` on the wp-content storage (default true): destroy refuses until it is lifted."""
    public_url: NotRequired[str]
    """The address people reach the site at (scheme://host[:port][/path], no trailing slash)."""


class ExternalDatabase(TypedDict):
    """An existing MySQL or MariaDB used instead of a deployed one (docker so far)."""

    host: str
    """Host name or IP address, as WordPress's container reaches it."""
    port: NotRequired[int]
    """Its port (default 3306)."""


class MySqlSpec(TypedDict):
    """The MySQL side of a WordPressStack."""

    image: str
    """Pinned official image, e.g. mysql:8.4.6."""
    protect_data: NotRequired[bool]
    """`protect` on the data volume (default true): `pulumi destroy` refuses until it is lifted."""
    online_rotation: NotRequired[bool]
    """Set a changed password in the running database beside the old one before any consumer
    switches, and retire the old one after (default true; docker, swarm, kubernetes)."""
    external: NotRequired[ExternalDatabase]
    """An existing database instead of a deployed one (docker so far): WordPress connects as the
    WordPress spec's db_user to its db_name with mysql_password."""


class BackupSpec(TypedDict):
    """Scheduled backups of the database and wp-content into a protected volume or claim (docker, kubernetes)."""

    every_minutes: NotRequired[int]
    """Minutes between two backups (default 1440): a divisor of 60, or whole hours dividing 24."""
    keep: NotRequired[int]
    """How many backups are kept (default 7)."""


class Storage(TypedDict):
    """A PersistentVolumeClaim's request."""

    size: str
    """Kubernetes quantity, e.g. 10Gi."""
    class_name: NotRequired[str]
    """StorageClass; absent leaves it to the cluster's default class."""
    access_mode: NotRequired[str]
    """ReadWriteOnce (default: one node) or ReadWriteMany (needed by more than one replica)."""


class Resources(TypedDict):
    """Requests and limits of one container."""

    cpu: NotRequired[str]
    """CPU request: what the scheduler reserves and the autoscaler's 100% (default 250m)."""
    cpu_limit: NotRequired[str]
    """CPU limit (default 1)."""
    memory: NotRequired[str]
    """Memory request and limit alike (default 512Mi for WordPress, 1Gi for MySQL)."""


class Ingress(TypedDict):
    """An Ingress in front of WordPress."""

    host: str
    """Host name WordPress is served on, e.g. blog.example.com."""
    class_name: NotRequired[str]
    """IngressClass; absent leaves it to the cluster's default class."""
    tls_secret: NotRequired[str]
    """Secret (type kubernetes.io/tls, in the stack's namespace) for HTTPS; absent serves HTTP."""
    controller_namespace: NotRequired[str]
    """Namespace of the ingress controller's pods, the only clients WordPress admits (default ingress-nginx)."""


class Exposure(TypedDict):
    """How WordPress is reached: the Service's type, and an optional Ingress in front of it."""

    service_type: NotRequired[str]
    """ClusterIP (default), NodePort or LoadBalancer."""
    node_port: NotRequired[int]
    """NodePort only: a fixed port (30000-32767); absent lets the cluster pick."""
    ingress: NotRequired[Ingress]
    """An Ingress routing `host` to a ClusterIP Service."""


class Safeguards(TypedDict):
    """Production safeguards (both on by default)."""

    disruption_budget: NotRequired[bool]
    """A PodDisruptionBudget when more than one replica runs."""
    network_policy: NotRequired[bool]
    """A NetworkPolicy per workload: MySQL reachable from WordPress only, WordPress from its exposure only."""


class Autoscaling(TypedDict):
    """A HorizontalPodAutoscaler owns the WordPress replica count within these bounds."""

    min_replicas: int
    """Fewest WordPress pods."""
    max_replicas: int
    """Most WordPress pods."""
    cpu_percent: NotRequired[int]
    """Target average CPU use, in percent of the CPU request (default 70)."""


class WordPressKubernetesOptions(TypedDict):
    """Platform kubernetes: where and how the stack runs in the cluster."""

    namespace: pulumi.Input[str]
    """Namespace of every object (pass a KubernetesCluster's `namespace` so objects wait for it)."""
    mysql_storage: NotRequired[Storage]
    """MySQL's data claim (default 10Gi)."""
    wp_content_storage: NotRequired[Storage]
    """WordPress's wp-content claim (default 5Gi)."""
    backup_storage: NotRequired[Storage]
    """The protected claim of the scheduled backups (default 10Gi; only with `backup`)."""
    exposure: NotRequired[Exposure]
    """How WordPress is reached (default a ClusterIP Service)."""
    safeguards: NotRequired[Safeguards]
    """Disruption budget and network policies."""
    autoscaling: NotRequired[Autoscaling]
    """Absent: `wordpress.replicas` is the replica count."""
    wordpress_resources: NotRequired[Resources]
    """Requests and limits of the WordPress container."""
    mysql_resources: NotRequired[Resources]
    """Requests and limits of the MySQL container."""


class SwarmWordPressOptions(TypedDict):
    """Platform swarm: what the swarm builder needs beyond the common arguments (not its Python-only `manager`)."""

    mysql_constraints: NotRequired[list[pulumi.Input[str]]]
    """Placement that holds MySQL on the node with its data volume (default node.role==manager)."""
    public_host: NotRequired[str]
    """Host name in the site's URL; any node answers on the published port (default localhost)."""
    routing: NotRequired[str]
    """mesh (Swarm's routing mesh, the default) or edge (HAProxy on each node, no IPVS)."""
    edge_image: NotRequired[str]
    """routing edge: the pinned HAProxy image."""


class WordPressStackArgs(TypedDict):
    """The inputs of a WordPressStack. Its secrets are not a SecretBundle here (a component cannot
    cross the wire): the stack builds its own from the two passwords, generating the rest."""

    platform: str
    """docker, swarm or kubernetes."""
    name_prefix: str
    """Prefix of every name on the platform (container, network, volume...)."""
    wordpress: WordPressSpec
    """The WordPress image and settings."""
    mysql: MySqlSpec
    """The MySQL image and settings."""
    mysql_root_password: NotRequired[pulumi.Input[str]]
    """MySQL's root password (pass a secret); generated when absent."""
    mysql_password: NotRequired[pulumi.Input[str]]
    """The WordPress database user's password (pass a secret); generated when absent."""
    kubernetes: NotRequired[WordPressKubernetesOptions]
    """Platform kubernetes only, and required there: it names the namespace."""
    swarm: NotRequired[SwarmWordPressOptions]
    """Platform swarm only: its options (absent: the defaults)."""
    backup: NotRequired[BackupSpec]
    """Scheduled backups (docker, kubernetes); absent: none."""
