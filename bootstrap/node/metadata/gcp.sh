# shellcheck shell=bash disable=SC2034 # sets variables for the scripts that source it
# The node's cloud, Google Cloud: metadata from the Compute Engine metadata server (every request
# carries `Metadata-Flavor: Google`, which the server requires), the node's access token from it,
# and what a node says about itself to the cloud. The cloud interface of metadata/aws.sh (read its
# header): metadata_load, cloud_tag_node, cloud_replace_node, cloud_prepare_node, cloud_prepare_tools.
# Keys: https://cloud.google.com/compute/docs/metadata/predefined-metadata-keys
#   instance/id                          numeric, unique for the life of the instance: NODE_INSTANCE_ID
#                                        (a managed instance group recreates a VM under the same name,
#                                        so the name would make a new node-0 take the old one's claim)
#   instance/name                        NODE_NAME (the kubelet's default node name on Compute Engine)
#   instance/zone                        projects/<number>/zones/<zone>: NODE_ZONE, and NODE_REGION
#   instance/network-interfaces/0/ip     NODE_IP
#   project/project-id                   NODE_PROJECT
#   instance/attributes/created-by       the managed instance group that made the VM, if any
#   instance/service-accounts/default/token   {"access_token":..,"expires_in":..,"token_type":"Bearer"}
# For the cloud's parameter backend (backends/gcp-secret-manager.sh) and etcd-cloud-gcp.sh:
#   gcp_api EXPECTED METHOD URL [BODY]   calls a Google REST API with the node's token and prints the
#                              response; status 3 when it fails with one of the canonical codes
#                              EXPECTED names ("NOT_FOUND", "NOT_FOUND|FAILED_PRECONDITION"; "-":
#                              none), otherwise logs the failure (status 1); GCP_API_STATUS names it
# Endpoints (each defaults to Google's; a test points them at a local fake):
#   KUBEPLANE_GCP_METADATA_URL   http://metadata.google.internal/computeMetadata/v1
#   KUBEPLANE_GCP_COMPUTE_URL    https://compute.googleapis.com/compute/v1

KUBEPLANE_GCP_METADATA_URL="${KUBEPLANE_GCP_METADATA_URL:-http://metadata.google.internal/computeMetadata/v1}"
KUBEPLANE_GCP_COMPUTE_URL="${KUBEPLANE_GCP_COMPUTE_URL:-https://compute.googleapis.com/compute/v1}"
GCP_API_STATUS=""

# curl and jq: the REST calls need nothing else (no gcloud). Ubuntu's Compute Engine images ship
# curl; jq comes with the installers' packages too, but the backend parses answers before that.
cloud_prepare_tools() {
  command -v curl jq base64 >/dev/null || apt_install ca-certificates curl jq
}

# gce_metadata KEY: a value from the metadata server (retried: it may not answer in the first
# seconds of boot).
gce_metadata() {
  curl -fsS --retry 5 --retry-connrefused --max-time 5 -H "Metadata-Flavor: Google" "$KUBEPLANE_GCP_METADATA_URL/$1"
}

# gcp_token: the access token of the instance's service account (the metadata server renews it
# before it expires, so each call asks for it; it is on disk only in the call's private header file).
gcp_token() {
  local answer
  answer=$(gce_metadata instance/service-accounts/default/token) || { log "could not get an access token from the metadata server"; return 1; }
  # A token is of the base64url alphabet and dots: no JSON escapes to undo (and no jq per call).
  [[ $answer =~ \"access_token\"[[:space:]]*:[[:space:]]*\"([A-Za-z0-9._~+/=-]+)\" ]] ||
    { log "the metadata server's token answer has no access_token"; return 1; }
  printf '%s' "${BASH_REMATCH[1]}"
}

gcp_api() {
  local expected=$1 method=$2 url=$3 body=${4-} dir code rc=0 message token
  local -a args
  GCP_API_STATUS=""
  dir=$(umask 077 && mktemp -d "$KUBEPLANE_STATE_DIR/gcp-call.XXXXXX")
  # The token and the body travel in private files, not on curl's command line.
  token=$(gcp_token) || { rm -rf "$dir" && return 1; }
  printf 'Authorization: Bearer %s\n' "$token" >"$dir/headers"
  args=(-sS --retry 4 --retry-connrefused --max-time 30 -X "$method" -H "@$dir/headers" -o "$dir/response" -w '%{http_code}')
  if [[ -n $body ]]; then
    printf '%s' "$body" >"$dir/body"
    args+=(-H "Content-Type: application/json" --data-binary "@$dir/body")
  fi
  code=$(curl "${args[@]}" "$url") || rc=$?
  if ((rc != 0)); then
    log "gcp $method ${url%%\?*} failed: curl status $rc"
    rm -rf "$dir"
    return 1
  fi
  if [[ $code == 2?? ]]; then
    cat "$dir/response"
    rm -rf "$dir"
    return 0
  fi
  # The error model of Google's REST APIs (https://cloud.google.com/apis/design/errors):
  # {"error":{"code":404,"message":"...","status":"NOT_FOUND"}}. A body that is not one (a proxy's
  # HTML page) is a failure, never "not found".
  message=$(jq -r '"\(.error.status // "")\t\(.error.message // "")"' "$dir/response" 2>/dev/null) || message=""
  GCP_API_STATUS=${message%%$'\t'*}
  message=${message#*$'\t'}
  rm -rf "$dir"
  if [[ -n $GCP_API_STATUS && $expected != - && "|$expected|" == *"|$GCP_API_STATUS|"* ]]; then return 3; fi
  case $GCP_API_STATUS in
    PERMISSION_DENIED | UNAUTHENTICATED) log "gcp $method ${url%%\?*} was denied: HTTP $code $GCP_API_STATUS: $message" ;;
    *) log "gcp $method ${url%%\?*} failed: HTTP $code ${GCP_API_STATUS:-(no error status)}: ${message:-no error message}" ;;
  esac
  return 1
}

metadata_load() {
  local zone
  NODE_INSTANCE_ID=$(gce_metadata instance/id)
  zone=$(gce_metadata instance/zone)
  NODE_ZONE=${zone##*/}
  # A zone is its region and a letter: europe-west1-b is in europe-west1.
  NODE_REGION=${NODE_ZONE%-*}
  NODE_NAME=$(gce_metadata instance/name)
  NODE_IP=$(gce_metadata instance/network-interfaces/0/ip)
  NODE_PROJECT=$(gce_metadata project/project-id)
  if [[ ! $NODE_INSTANCE_ID =~ ^[0-9]+$ || ! $NODE_ZONE =~ ^[a-z]+-[a-z]+[0-9]+-[a-z]$ || -z $NODE_NAME || -z $NODE_IP || -z $NODE_PROJECT ]]; then
    log "the metadata server's answers are not an instance's (id '$NODE_INSTANCE_ID', zone '$zone', name '$NODE_NAME', ip '$NODE_IP', project '$NODE_PROJECT')"
    return 1
  fi
  # The GCE cloud provider's form (kubernetes/cloud-provider-gcp, providers/gce/gce_util.go:
  # splitProviderID, "gce://<project-id>/<zone>/<instance-name>").
  NODE_PROVIDER_ID="gce://$NODE_PROJECT/$NODE_ZONE/$NODE_NAME"
}

# cloud_tag_node KEY VALUE: a guest attribute, namespace and key from KEY's "namespace:key"
# (kubeplane:bootstrap is kubeplane/bootstrap): a VM writes its own through the metadata server,
# with no IAM permission, and cannot write another's; operators read them with `gcloud compute
# instances get-guest-attributes <name> --query-path=kubeplane/`
# (https://cloud.google.com/compute/docs/metadata/manage-guest-attributes). The instance needs the
# metadata `enable-guest-attributes=TRUE`. Labels would not do: their values are lowercase
# [a-z0-9_-], and setting them takes compute.instances.setLabels on every instance of the project.
cloud_tag_node() {
  local namespace=${1%%:*} key=${1#*:}
  printf '%s' "$2" | curl -fsS --retry 3 --retry-connrefused --max-time 5 -X PUT -H "Metadata-Flavor: Google" \
    --data-binary @- "$KUBEPLANE_GCP_METADATA_URL/instance/guest-attributes/$namespace/$key" >/dev/null
}

# cloud_replace_node: leaves this VM to its managed instance group's autohealing, and says so.
# Asking sooner would be (region)InstanceGroupManagers.recreateInstances, which takes
# compute.instanceGroupManagers.update on the group
# (https://cloud.google.com/compute/docs/reference/rest/v1/regionInstanceGroupManagers/recreateInstances,
# "IAM Permissions"). Instance groups take no IAM policy of their own ("Supported resources" of
# https://cloud.google.com/compute/docs/access/managing-access-to-resources: disks, firewalls,
# images, instances, instanceTemplates, licenses, machineImages, nodeGroups, nodeTemplates,
# regionDisks, reservations, serviceAttachments, snapshots, subnetworks), so the grant would be on
# the project: every group of every cluster there, or, narrowed by an IAM condition on the
# group's name, a custom role still letting each worker recreate all its pool's siblings.
# providers/gcp grants workers no such thing. Autohealing
# needs no grant: the group's health check (kube-proxy's /healthz, providers/gcp/gcp-worker-pool.ts)
# fails on a node whose bootstrap failed, since no kube-proxy runs on a node that never joined,
# and the group recreates it after its initial delay. The caller's replacement budget still
# counts it; autohealing itself is not held to that budget.
# The group is the one instance/attributes/created-by names:
# projects/<number>/zones/<zone>/instanceGroupManagers/<name> or projects/<number>/regions/<region>/...
cloud_replace_node() {
  local created_by
  created_by=$(gce_metadata instance/attributes/created-by) || created_by=""
  if [[ ! $created_by =~ ^projects/[^/]+/((zones|regions)/[a-z0-9-]+)/instanceGroupManagers/([a-z0-9-]+)$ ]]; then
    log "instance $NODE_NAME was not created by a managed instance group (created-by: '${created_by:-none}')"
    return 1
  fi
  log "the managed instance group ${BASH_REMATCH[3]} (${BASH_REMATCH[1]}) recreates instance $NODE_NAME by autohealing once its health check" \
    "(kube-proxy's /healthz) fails, after the group's initial delay; nodes are granted no compute.instanceGroupManagers.update to ask sooner"
}

# The clock from the metadata server, Compute Engine's NTP server ("Configure NTP for VMs":
# https://cloud.google.com/compute/docs/instances/configure-ntp): nodes reach nothing else on
# 123/udp. Ubuntu keeps time with systemd-timesyncd (a drop-in under timesyncd.conf.d); chrony,
# where installed instead, takes a sources file.
cloud_prepare_node() {
  local etc="$KUBEPLANE_ROOT/etc"
  mkdir -p "$etc/systemd/timesyncd.conf.d"
  printf '[Time]\nNTP=metadata.google.internal\n' >"$etc/systemd/timesyncd.conf.d/kubeplane-gcp.conf"
  if [[ -d $etc/chrony ]]; then
    mkdir -p "$etc/chrony/sources.d"
    echo 'server metadata.google.internal prefer iburst' >"$etc/chrony/sources.d/kubeplane-gcp.sources"
    chronyc reload sources >/dev/null || log "chrony did not reload its sources; it reads them at its next start"
  fi
  systemctl try-restart systemd-timesyncd.service || log "systemd-timesyncd did not restart; it reads the drop-in at its next start"
}
