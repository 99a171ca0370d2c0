#!/usr/bin/env bash
# First boot, before the bootstrap: fetches this role's bundle (the node scripts, units and
# manifests, bootstrap/bundle.ts) from the cluster's Cloud Storage bucket through the JSON API
# (objects.get with alt=media: https://cloud.google.com/storage/docs/json_api/v1/objects/get),
# with the access token of the instance's service account from the metadata server, checks it
# against the SHA-256 the user data carries and unpacks it under KUBEPLANE_ROOT. Nothing in the
# bundle is secret. Standalone (the modules it would source are in the bundle), and with curl and
# bash only: jq is not on the image yet. The counterpart of bundle/s3.sh, failing the same way.
# Settings (cluster.env): KUBEPLANE_BUNDLE_BUCKET, KUBEPLANE_BUNDLE_OBJECT, KUBEPLANE_BUNDLE_SHA256,
# and KUBEPLANE_BUNDLE_GENERATION (optional: that generation of the object, not the live one).
# Endpoints: KUBEPLANE_GCP_METADATA_URL (http://metadata.google.internal/computeMetadata/v1),
# KUBEPLANE_GCP_STORAGE_URL (https://storage.googleapis.com/storage/v1).
set -euo pipefail
root=${KUBEPLANE_ROOT:-}
log() { printf 'kubeplane fetch-bundle: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
set -a
# shellcheck source=/dev/null
. "$root/etc/kubeplane/cluster.env"
set +a
for name in KUBEPLANE_BUNDLE_BUCKET KUBEPLANE_BUNDLE_OBJECT KUBEPLANE_BUNDLE_SHA256; do
  [[ -n ${!name:-} ]] || die "cluster.env does not set $name"
done
[[ $KUBEPLANE_BUNDLE_SHA256 =~ ^[0-9a-f]{64}$ ]] || die "KUBEPLANE_BUNDLE_SHA256 is not a SHA-256"
[[ ${KUBEPLANE_BUNDLE_GENERATION:-0} =~ ^[0-9]+$ ]] || die "KUBEPLANE_BUNDLE_GENERATION is not a generation number"
metadata_url=${KUBEPLANE_GCP_METADATA_URL:-http://metadata.google.internal/computeMetadata/v1}
storage_url=${KUBEPLANE_GCP_STORAGE_URL:-https://storage.googleapis.com/storage/v1}
state="$root/var/lib/kubeplane"
mkdir -p "$state"
archive="$state/bundle.tar.gz"
headers=$(umask 077 && mktemp "$state/bundle-headers.XXXXXX")
trap 'rm -f "$headers"' EXIT

# The object's name in the URL's path: percent-encoded, `/` included (%2F).
encoded=""
for ((i = 0; i < ${#KUBEPLANE_BUNDLE_OBJECT}; i++)); do
  c=${KUBEPLANE_BUNDLE_OBJECT:i:1}
  if [[ $c =~ [A-Za-z0-9._~-] ]]; then encoded+=$c; else encoded+=$(printf '%%%02X' "'$c"); fi
done
url="$storage_url/b/$KUBEPLANE_BUNDLE_BUCKET/o/$encoded?alt=media"
[[ -z ${KUBEPLANE_BUNDLE_GENERATION:-} ]] || url+="&generation=$KUBEPLANE_BUNDLE_GENERATION"
where="gs://$KUBEPLANE_BUNDLE_BUCKET/$KUBEPLANE_BUNDLE_OBJECT${KUBEPLANE_BUNDLE_GENERATION:+#$KUBEPLANE_BUNDLE_GENERATION}"

# fetch: one attempt; a failure says why (the API's error message, or curl's).
fetch() {
  local answer token code
  answer=$(curl -fsS --retry 5 --retry-connrefused --max-time 5 -H "Metadata-Flavor: Google" \
    "$metadata_url/instance/service-accounts/default/token") || { log "no access token from the metadata server"; return 1; }
  [[ $answer =~ \"access_token\"[[:space:]]*:[[:space:]]*\"([^\"]+)\" ]] || { log "the metadata server's token answer has no access_token"; return 1; }
  token=${BASH_REMATCH[1]}
  printf 'Authorization: Bearer %s\n' "$token" >"$headers"
  code=$(curl -sS --retry 3 --retry-connrefused --max-time 120 -H "@$headers" -o "$archive" -w '%{http_code}' "$url") || return 1
  [[ $code == 200 ]] && return 0
  # The JSON API's error body: {"error":{"code":404,"message":"No such object: ...",...}}.
  log "Cloud Storage answered HTTP $code: $(tr -d '\n' <"$archive" | sed -nE 's/.*"message"[[:space:]]*:[[:space:]]*"([^"]*)".*/\1/p')"
  rm -f "$archive"
  return 1
}

retry_seconds=${KUBEPLANE_BUNDLE_RETRY_SECONDS:-5}
for attempt in 1 2 3 4 5; do
  fetch && break
  ((attempt < 5)) || die "could not fetch $where"
  log "fetching the bundle failed (attempt $attempt of 5); trying again in $((attempt * retry_seconds))s"
  sleep $((attempt * retry_seconds))
done
echo "$KUBEPLANE_BUNDLE_SHA256  $archive" | sha256sum --check --status ||
  die "$where does not have the SHA-256 the user data names"
tar -xzf "$archive" -C "$root/" --no-same-owner
log "unpacked the bundle $KUBEPLANE_BUNDLE_OBJECT"
