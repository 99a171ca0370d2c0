# shellcheck shell=bash
# Parameter backend: Google Cloud Secret Manager over its REST API v1
# (https://cloud.google.com/secret-manager/docs/reference/rest), the node-side backend interface
# of backends/ssm.sh (read its header). Calls go through gcp_api (metadata/gcp.sh: the node's
# token, error statuses) to KUBEPLANE_GCP_SECRET_MANAGER_URL (https://secretmanager.googleapis.com/v1)
# in the project KUBEPLANE_GCP_PROJECT.
# Names: a secret id allows [A-Za-z0-9_-]{1,255} (projects.secrets.create: secretId), so a name
# (`/kubeplane/<cluster>/join/worker` or `kubeplane/<cluster>/...`) maps to the id without its
# leading `/` and with every `/` as `_`: kubeplane_<cluster>_join_worker. The names the node
# scripts make are of [A-Za-z0-9-] and `/` only (cluster names are DNS labels), which keeps the map
# one-to-one; any other name is refused.
#   - Secrets (backend_put: the join leases) are versions (secrets.addVersion, the payload base64 as
#     the API requires), read with versions.access on `latest`. Terraform creates the two lease
#     secrets without a version (no value in its state); the version before the one just added
#     is destroyed (versions.destroy), so that a lease rotated every few hours does not pile up
#     billed versions (a reader always asks for `latest`, never an older one).
#   - Records (backend_create, backend_record: claim, locks, status, requests, replacement slots; no
#     secret) are secrets whose value is the annotation kubeplane-value, written by the one
#     secrets.create call: ALREADY_EXISTS (409) when the id is taken makes it atomic, and the value
#     is there the moment the name is taken (a create then addVersion would leave a taken name
#     without a value between the two calls, and for ever if the node died in between: a lock
#     nobody could read the expiry of). An overwrite is a secrets.patch of the annotations.
#     Annotation values are free text, at most 16 KiB with their keys (Secret: annotations).
#   - backend_get reads the latest version, then (NOT_FOUND: no such secret, or one without a
#     version) the secret's annotation; status 3 when neither is there. Accesses count against
#     the large access quota, secrets.get against the smaller read quota: leases, read in the join
#     loop, take one access each.
#   - backend_delete is conditional on the etag of the record this node last read (secrets.delete
#     `etag`, https://cloud.google.com/secret-manager/docs/etags: FAILED_PRECONDITION, HTTP 400,
#     when it changed): a lock taken over or released, or a request answered, is deleted only if it
#     is still what was read, otherwise status 3, as if it were gone (it is: what is there now is
#     another's). Without an etag on file, the delete is unconditional.
# Everything created carries the label KUBEPLANE_CLUSTER_LABEL_KEY (kubeplane-cluster)=<cluster>:
# destroy finds the secrets made at run time by it. Replication is automatic, or user-managed in
# KUBEPLANE_GCP_SECRET_LOCATION when that is set.
# Errors (gcp_api): NOT_FOUND is status 3 for backend_get and backend_delete, ALREADY_EXISTS for
# backend_create; PERMISSION_DENIED (which Secret Manager also answers for a secret the caller may
# not see, "or it may not exist") and everything else are logged failures, status 1.

KUBEPLANE_GCP_SECRET_MANAGER_URL="${KUBEPLANE_GCP_SECRET_MANAGER_URL:-https://secretmanager.googleapis.com/v1}"

# gsm_id NAME: prints NAME's secret id; fails for a name outside the map.
gsm_id() {
  local id=${1#/}
  [[ -n ${KUBEPLANE_GCP_PROJECT:-} ]] || { log "the cluster's settings do not name its project (KUBEPLANE_GCP_PROJECT)"; return 1; }
  if [[ ! $id =~ ^[A-Za-z0-9/-]+$ ]] || ((${#id} > 255)); then
    log "the name '$1' has no Secret Manager secret id (letters, digits, '-' and '/', 255 at most)"
    return 1
  fi
  printf '%s' "${id//\//_}"
}

GSM_SECRETS="$KUBEPLANE_GCP_SECRET_MANAGER_URL/projects/${KUBEPLANE_GCP_PROJECT:-}/secrets"

gsm_etag_file() { printf '%s/gcp-secret-manager/%s.etag' "$KUBEPLANE_STATE_DIR" "$1"; }

# gsm_record_body NAME VALUE: a Secret holding a record (secrets.create's body).
gsm_record_body() {
  GSM_NAME=$1 GSM_VALUE=$2 jq -cn --arg key "${KUBEPLANE_CLUSTER_LABEL_KEY:-kubeplane-cluster}" --arg cluster "$KUBEPLANE_CLUSTER" \
    --arg location "${KUBEPLANE_GCP_SECRET_LOCATION:-}" \
    '{replication: (if $location == "" then {automatic: {}} else {userManaged: {replicas: [{location: $location}]}} end),
      labels: {($key): $cluster},
      annotations: {"kubeplane-name": $ENV.GSM_NAME, "kubeplane-value": $ENV.GSM_VALUE}}'
}

backend_put() {
  local id body answer version
  id=$(gsm_id "$1") || return 1
  # The value reaches jq through the environment, not its arguments.
  body=$(GSM_DATA=$(printf '%s' "$2" | base64 -w0) jq -cn '{payload: {data: $ENV.GSM_DATA}}')
  answer=$(gcp_api - POST "$GSM_SECRETS/$id:addVersion" "$body") || return 1
  version=$(jq -r '.name // empty' <<<"$answer")
  version=${version##*/}
  if [[ $version =~ ^[0-9]+$ ]] && ((version > 1)); then
    gcp_api FAILED_PRECONDITION POST "$GSM_SECRETS/$id/versions/$((version - 1)):destroy" '{}' >/dev/null ||
      (($? == 3)) || log "could not destroy version $((version - 1)) of $1 (version $version is the current one)"
  fi
}

backend_record() {
  local id rc=0 body
  backend_create "$1" "$2" || rc=$?
  ((rc == 3)) || return "$rc"
  id=$(gsm_id "$1") || return 1
  body=$(gsm_record_body "$1" "$2" | jq -c '{annotations}')
  gcp_api - PATCH "$GSM_SECRETS/$id?updateMask=annotations" "$body" >/dev/null
}

backend_get() {
  local id answer rc=0 etag_file
  id=$(gsm_id "$1") || return 1
  answer=$(gcp_api NOT_FOUND GET "$GSM_SECRETS/$id/versions/latest:access") || rc=$?
  if ((rc == 0)); then
    jq -r '.payload.data' <<<"$answer" | base64 -d
    return
  fi
  ((rc == 3)) || return "$rc"
  # A caller that may access the versions but not read the secret (a worker: secretAccessor on the
  # worker lease only) reads no record there either: for it the name holds nothing, status 3.
  answer=$(gcp_api "NOT_FOUND|PERMISSION_DENIED" GET "$GSM_SECRETS/$id") || return
  # The etag on the first line, the value after it; a secret without a version nor a record is
  # a lease Terraform made, not published yet.
  answer=$(jq -ej 'select(.annotations["kubeplane-value"] | type == "string") | "\(.etag // "")\n\(.annotations["kubeplane-value"])"' <<<"$answer") ||
    return 3
  etag_file=$(gsm_etag_file "$id")
  mkdir -p "${etag_file%/*}"
  printf '%s\n' "${answer%%$'\n'*}" >"$etag_file"
  printf '%s' "${answer#*$'\n'}"
}

backend_create() {
  local id body
  id=$(gsm_id "$1") || return 1
  body=$(gsm_record_body "$1" "$2")
  gcp_api ALREADY_EXISTS POST "$GSM_SECRETS?secretId=$id" "$body" >/dev/null
}

backend_delete() {
  local id etag_file query=""
  id=$(gsm_id "$1") || return 1
  etag_file=$(gsm_etag_file "$id")
  if [[ -s $etag_file ]]; then
    query="?etag=$(jq -rRj '@uri' <"$etag_file")"
  fi
  rm -f "$etag_file"
  gcp_api "NOT_FOUND|FAILED_PRECONDITION" DELETE "$GSM_SECRETS/$id$query" >/dev/null
}

backend_request_refresh() {
  local rc=0
  backend_create "$KUBEPLANE_REFRESH_REQUEST" "${NODE_INSTANCE_ID:-unknown} $(now)" || rc=$?
  case $rc in
    0) log "asked the control plane for a fresh join lease (request $KUBEPLANE_REFRESH_REQUEST)" ;;
    3) log "a request for a fresh join lease is pending ($KUBEPLANE_REFRESH_REQUEST)" ;;
    *) return 1 ;;
  esac
}

# No Run Command on Compute Engine: joiners leave the request record, the control plane's request
# timer answers it.
backend_requests_by_record() { true; }

backend_removal_hint() {
  local id
  id=$(gsm_id "$1") || id="<the secret id of $1>"
  printf 'gcloud secrets delete %s --project %s --quiet' "$id" "$KUBEPLANE_GCP_PROJECT"
}
