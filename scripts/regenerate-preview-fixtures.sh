#!/usr/bin/env bash
# Regenerate tests/fixtures/previews/ from the real engine: the review command's tests run on
# these files, never on hand-written previews (README, "Reviewing a preview").
#
# Runs the committed staging stack (Kubernetes, mode render: it writes YAML, needs no cluster)
# in a temporary copy of the project with a temporary file backend, deploys it, changes one
# setting at a time and saves `pulumi preview --json` in both of the CLI's forms:
#   <case>.json         the digest (PULUMI_ENABLE_STREAMING_JSON_PREVIEW unset)
#   <case>.events.jsonl the engine's event stream (PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true),
#                       the only form that carries the policy pack's violations
#   <case>.exit         the exit code of the digest preview
# A case that changes stack settings also keeps the stack file before and after
# (<case>.before.yaml, <case>.after.yaml), which the review reads for knobs that change nothing.
#
# Needs the Pulumi CLI and its plugins (pulumi-resource-kubernetes, -random, -command), as
# built by toolchain/build.sh: MOORINGS_TOOLCHAIN names that toolchain/ (default: this one).
# Swarm cases need a Docker Engine in swarm mode and are not generated here (see README).
# Nothing in the worktree changes but tests/fixtures/previews/.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
toolchain="${MOORINGS_TOOLCHAIN:-$root/toolchain}"
out="$root/tests/fixtures/previews"
stack=staging

# shellcheck source=/dev/null
. "$toolchain/env.sh"
for binary in pulumi pulumi-resource-kubernetes pulumi-resource-random pulumi-resource-command; do
    command -v "$binary" >/dev/null || { echo "regenerate: $binary not found in $toolchain/bin" >&2; exit 1; }
done
[ -x "$root/venv/bin/python" ] || { echo "regenerate: $root/venv is missing (python3 -m venv venv && venv/bin/pip install -r requirements.txt)" >&2; exit 1; }
if [ ! -x "$root/policies/venv/bin/python" ]; then
    python3 -m venv "$root/policies/venv"
    "$root/policies/venv/bin/pip" install -q -r "$root/policies/requirements.txt"
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
project="$work/project"
mkdir -p "$project" "$work/state"
cp -r "$root/Pulumi.yaml" "$root/__main__.py" "$root/components" "$root/stacks" "$project/"
mkdir -p "$project/policies"
cp -r "$root/policies/PulumiPolicy.yaml" "$root/policies/__main__.py" "$root/policies/moorings_policies" \
    "$root/policies/config" "$project/policies/"
# The copy runs in the worktree's virtualenvs, named by absolute path.
sed -i "s#^\(    virtualenv:\).*#\1 $root/venv#" "$project/Pulumi.yaml"
sed -i "s#^\(    virtualenv:\).*#\1 $root/policies/venv#" "$project/policies/PulumiPolicy.yaml"
export PULUMI_BACKEND_URL="file://$work/state" PULUMI_CONFIG_PASSPHRASE=""
unset PULUMI_ENABLE_STREAMING_JSON_PREVIEW
cd "$project"
stack_file="stacks/Pulumi.$stack.yaml"
cp "$stack_file" "$work/committed.yaml"

config() { pulumi config -s "$stack" "$@" >/dev/null; }
up() { pulumi up -s "$stack" --yes --skip-preview >"$work/up.log" 2>&1 || { cat "$work/up.log" >&2; exit 1; }; }
reset_settings() { cp "$work/committed.yaml" "$stack_file"; }
before() { cp "$stack_file" "$work/before.yaml"; }

# preview CASE: both JSON forms, with the stack's policy pack, as the review command runs it.
preview() {
    local name="$1" code=0
    local pack=(--policy-pack policies --policy-pack-config "policies/config/$stack.json")
    pulumi preview -s "$stack" --json "${pack[@]}" >"$out/$name.json" 2>"$work/$name.stderr" || code=$?
    echo "$code" >"$out/$name.exit"
    PULUMI_ENABLE_STREAMING_JSON_PREVIEW=true \
        pulumi preview -s "$stack" --json "${pack[@]}" >"$out/$name.events.jsonl" 2>>"$work/$name.stderr" || true
    if [ -f "$work/before.yaml" ]; then
        cp "$work/before.yaml" "$out/$name.before.yaml"
        cp "$stack_file" "$out/$name.after.yaml"
        rm "$work/before.yaml"
    fi
    echo "regenerate: $name (preview exit $code)"
}

rm -f "$out"/*.json "$out"/*.jsonl "$out"/*.exit "$out"/*.yaml
mkdir -p "$out"
pulumi stack init "$stack" --no-select >/dev/null
up

preview k8s-no-change

# Scale up within the policy bounds (staging: 1..3), WordPress and the demo service.
before
config set --path wordpress.replicas 3
config set --path services.demo.replicas 3
preview k8s-scale-up

# Beyond the bound: replicas-within-bounds is mandatory on staging.
reset_settings; before
config set --path wordpress.replicas 5
preview k8s-policy-blocked

# Scale down from 5 (deployed without the policy pack) to 2, and the demo from 3 to 1.
reset_settings
config set --path wordpress.replicas 5
config set --path services.demo.replicas 3
up
before
config set --path wordpress.replicas 2
config set --path services.demo.replicas 1
preview k8s-scale-down
reset_settings; up

# A new WordPress image.
before
config set --path wordpress.image wordpress:6.8.4-apache
preview k8s-image-bump
reset_settings

# The demo service removed from the stack.
before
config rm --path services.demo
preview k8s-service-removed
reset_settings

# Rotation: a configured MySQL user password replaces the generated one.
rotated="rotated-$(date +%s)-$RANDOM-review-fixture"
before
pulumi config set -s "$stack" --secret mysqlPassword "$rotated" >/dev/null
preview k8s-secret-rotation
reset_settings

# An autoscaler owns the WordPress count: wordpress.replicas changes nothing, the bounds do.
config set --path kubernetes.autoscaling true
config set --path kubernetes.autoscalingMinReplicas 2
config set --path kubernetes.autoscalingMaxReplicas 3
up
before
config set --path wordpress.replicas 3
preview k8s-autoscaled-knob-ignored
config set --path wordpress.replicas 2
before
config set --path kubernetes.autoscalingMinReplicas 1
preview k8s-autoscaler-bounds
reset_settings; up

# Prod-like: the claims protected, then a change that replaces the MySQL claim is refused.
config set --path mysql.protect true
config set --path wordpress.protect true
up
before
config set --path kubernetes.mysqlStorageClass fast-ssd
preview k8s-protected-claim-replaced
reset_settings

# No secret value may reach a fixture: every secret in the state, and the rotated password.
pulumi stack export -s "$stack" --show-secrets >"$work/state.json"
"$root/venv/bin/python" - "$work/state.json" "$out" "$rotated" <<'PY'
import json, pathlib, sys

state, out, rotated = json.loads(pathlib.Path(sys.argv[1]).read_text()), pathlib.Path(sys.argv[2]), sys.argv[3]
secrets = {rotated}
for resource in state["deployment"]["resources"]:
    if resource["type"] == "random:index/randomPassword:RandomPassword":
        result = resource["outputs"]["result"]
        if isinstance(result, dict):  # {<secret sig>: ..., "plaintext": "<JSON of the value>"}
            result = json.loads(result.get("plaintext", '""'))
        secrets.add(result)
secrets = {s for s in secrets if isinstance(s, str) and len(s) >= 8}
leaks = [f"{path.name}" for path in sorted(out.iterdir()) if path.is_file() for s in secrets if s in path.read_text()]
if leaks:
    sys.exit(f"regenerate: a secret value appears in {', '.join(sorted(set(leaks)))}")
print(f"regenerate: no secret value in the fixtures ({len(secrets)} checked)")
PY
