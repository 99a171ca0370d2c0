#!/usr/bin/env bash
# First boot, before the bootstrap: fetches this role's bundle (the node scripts, units and
# manifests, bootstrap/bundle.ts) from the cluster's S3 bucket, checks it against the SHA-256 the
# user data carries and unpacks it under KUBEPLANE_ROOT. Nothing in the bundle is secret: the
# bucket only keeps it off the user data's 16 KiB. Standalone: the modules it would source are in
# the bundle. Settings (cluster.env): KUBEPLANE_BUNDLE_BUCKET, KUBEPLANE_BUNDLE_KEY,
# KUBEPLANE_BUNDLE_REGION, KUBEPLANE_BUNDLE_SHA256.
set -euo pipefail
root=${KUBEPLANE_ROOT:-}
log() { printf 'kubeplane fetch-bundle: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
set -a
# shellcheck source=/dev/null
. "$root/etc/kubeplane/cluster.env"
set +a
for name in KUBEPLANE_BUNDLE_BUCKET KUBEPLANE_BUNDLE_KEY KUBEPLANE_BUNDLE_REGION KUBEPLANE_BUNDLE_SHA256; do
  [[ -n ${!name:-} ]] || die "cluster.env does not set $name"
done
[[ $KUBEPLANE_BUNDLE_SHA256 =~ ^[0-9a-f]{64}$ ]] || die "KUBEPLANE_BUNDLE_SHA256 is not a SHA-256"
# The aws CLI: Ubuntu images do not ship it; the snap lands in /snap/bin.
case ":$PATH:" in *:/snap/bin:*) ;; *) PATH="$PATH:/snap/bin" ;; esac
command -v aws >/dev/null || snap install aws-cli --classic
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
  ((attempt < 5)) || die "could not fetch s3://$KUBEPLANE_BUNDLE_BUCKET/$KUBEPLANE_BUNDLE_KEY"
  log "fetching the bundle failed (attempt $attempt of 5); trying again in $((attempt * retry_seconds))s"
  sleep $((attempt * retry_seconds))
done
echo "$KUBEPLANE_BUNDLE_SHA256  $archive" | sha256sum --check --status ||
  die "s3://$KUBEPLANE_BUNDLE_BUCKET/$KUBEPLANE_BUNDLE_KEY does not have the SHA-256 the user data names"
tar -xzf "$archive" -C "$root/" --no-same-owner
log "unpacked the bundle $KUBEPLANE_BUNDLE_KEY"
