#!/usr/bin/env bash
# First boot, before the bootstrap: fetches this role's bundle (the node scripts, units and
# manifests, bootstrap/bundle.ts) from the cluster's S3 bucket, checks it against the SHA-256 the
# user data carries and unpacks it under KUBEPLANE_ROOT. Nothing in the bundle is secret: the
# bucket only keeps it off the user data's 16 KiB. Standalone: the modules it would source are in
# the bundle. Settings (cluster.env): KUBEPLANE_BUNDLE_BUCKET, KUBEPLANE_BUNDLE_KEY,
# KUBEPLANE_BUNDLE_REGION, KUBEPLANE_BUNDLE_SHA256.
#
# A worker whose bundle cannot be installed is healed as one whose bootstrap failed (status.sh):
# tagged kubeplane:bootstrap=`failed: fetching the node bundle` and marked unhealthy in its
# auto-scaling group (SetInstanceHealth, at once: not after the group's grace period), which
# replaces it, within the same per-cluster budget (the slots status/replacements/<hour>-<n> that
# status_heal takes, with the parameter backend's atomic create). Without the aws CLI (its snap
# could not be installed) it can do neither: it says so and stays. Other roles only say so.
set -euo pipefail
root=${KUBEPLANE_ROOT:-}
log() { printf 'kubeplane fetch-bundle: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
set -a
# shellcheck source=/dev/null
. "$root/etc/kubeplane/cluster.env"
set +a
STATUS_TAG_KEY=kubeplane:bootstrap
STEP="fetching the node bundle"

# take_slot NAME VALUE: creates NAME only if it is free (backends/<kind>.sh: backend_create); the
# error text, which names the code for a taken one, on stdout.
take_slot() {
  local tag="Key=${KUBEPLANE_CLUSTER_TAG_KEY:-kubeplane:cluster},Value=$KUBEPLANE_CLUSTER"
  case ${KUBEPLANE_PARAMETER_BACKEND:-} in
    ssm) { aws --region "$KUBEPLANE_AWS_REGION" ssm put-parameter --name "$1" --type String --value "$2" --tags "$tag" --output text >/dev/null; } 2>&1 ;;
    secretsmanager) { aws --region "$KUBEPLANE_AWS_REGION" secretsmanager create-secret --name "$1" --secret-string "$2" --tags "$tag" --output text >/dev/null; } 2>&1 ;;
    *) echo "no parameter backend (KUBEPLANE_PARAMETER_BACKEND=${KUBEPLANE_PARAMETER_BACKEND:-})" && return 1 ;;
  esac
}

heal() {
  local imds=${KUBEPLANE_IMDS_ENDPOINT:-http://169.254.169.254} budget=${KUBEPLANE_REPLACEMENTS_PER_HOUR:-3}
  local stays="this node stays, and an operator must look" token id hour n out
  if [[ ${KUBEPLANE_ROLE:-} != worker ]]; then
    log "the ${KUBEPLANE_ROLE:-node} does not bootstrap without its bundle: $stays"
    return 1
  fi
  command -v aws >/dev/null || { snap install aws-cli --classic >&2 || true; }
  command -v aws >/dev/null || { log "without the aws CLI this worker can neither record the failure nor have itself replaced: $stays"; return 1; }
  if ! token=$(curl -fsS --max-time 5 -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" "$imds/latest/api/token") ||
    ! id=$(curl -fsS --max-time 5 -H "X-aws-ec2-metadata-token: $token" "$imds/latest/meta-data/instance-id"); then
    log "could not read this instance's id from its metadata: $stays"
    return 1
  fi
  aws --region "$KUBEPLANE_AWS_REGION" ec2 create-tags --resources "$id" --tags "Key=$STATUS_TAG_KEY,Value=failed: $STEP" ||
    log "could not tag this node $STATUS_TAG_KEY=failed: $STEP"
  hour=$(($(date +%s) / 3600))
  for ((n = 1; n <= budget; n++)); do
    if out=$(take_slot "$KUBEPLANE_PARAMETER_PATH/status/replacements/$hour-$n" "$id $(date +%s)"); then
      if aws --region "$KUBEPLANE_AWS_REGION" autoscaling set-instance-health --instance-id "$id" --health-status Unhealthy \
        --no-should-respect-grace-period; then
        log "marked this node unhealthy: its auto-scaling group replaces it (replacement $n of $budget this hour for $KUBEPLANE_CLUSTER)"
        return 0
      fi
      log "could not mark this node unhealthy: $stays"
      return 1
    fi
    [[ $out == *ParameterAlreadyExists* || $out == *ResourceExistsException* ]] || { log "could not take a replacement slot: $out: $stays"; return 1; }
  done
  log "the replacement budget of $budget per hour for $KUBEPLANE_CLUSTER is spent: $stays"
  return 1
}

# From here on a failure is the bundle's: said, then healed where it can be.
fail() {
  log "error: $*"
  log "the bundle is not installed: this node does not bootstrap"
  heal || true
  exit 1
}
for name in KUBEPLANE_BUNDLE_BUCKET KUBEPLANE_BUNDLE_KEY KUBEPLANE_BUNDLE_REGION KUBEPLANE_BUNDLE_SHA256; do
  [[ -n ${!name:-} ]] || fail "cluster.env does not set $name"
done
[[ $KUBEPLANE_BUNDLE_SHA256 =~ ^[0-9a-f]{64}$ ]] || fail "KUBEPLANE_BUNDLE_SHA256 is not a SHA-256"
# The aws CLI: Ubuntu images do not ship it; the snap lands in /snap/bin.
case ":$PATH:" in *:/snap/bin:*) ;; *) PATH="$PATH:/snap/bin" ;; esac
command -v aws >/dev/null || snap install aws-cli --classic || fail "could not install the aws CLI (snap install aws-cli)"
state="$root/var/lib/kubeplane"
mkdir -p "$state"
archive="$state/bundle.tar.gz"
export AWS_RETRY_MODE=standard AWS_MAX_ATTEMPTS=10
retry_seconds=${KUBEPLANE_BUNDLE_RETRY_SECONDS:-5}
for attempt in 1 2 3 4 5; do
  if aws --region "$KUBEPLANE_BUNDLE_REGION" s3api get-object --bucket "$KUBEPLANE_BUNDLE_BUCKET" \
    --key "$KUBEPLANE_BUNDLE_KEY" "$archive" >/dev/null; then
    break
  fi
  ((attempt < 5)) || fail "could not fetch s3://$KUBEPLANE_BUNDLE_BUCKET/$KUBEPLANE_BUNDLE_KEY"
  log "fetching the bundle failed (attempt $attempt of 5); trying again in $((attempt * retry_seconds))s"
  sleep $((attempt * retry_seconds))
done
echo "$KUBEPLANE_BUNDLE_SHA256  $archive" | sha256sum --check --status ||
  fail "s3://$KUBEPLANE_BUNDLE_BUCKET/$KUBEPLANE_BUNDLE_KEY does not have the SHA-256 the user data names"
tar -xzf "$archive" -C "$root/" --no-same-owner || fail "could not unpack $archive"
log "unpacked the bundle $KUBEPLANE_BUNDLE_KEY"
