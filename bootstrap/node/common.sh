# shellcheck shell=bash disable=SC2034 # sets variables for the scripts that source it
# Shared by kubeplane's node scripts: where things live (every path under KUBEPLANE_ROOT, empty on
# a real node), the cluster settings, logging, and the clock. Sourced, never run.

# The entry points set -euo pipefail; without inherit_errexit bash turns errexit off inside $(...).
shopt -s inherit_errexit

KUBEPLANE_ROOT="${KUBEPLANE_ROOT:-}"
KUBEPLANE_LIB="$KUBEPLANE_ROOT/usr/local/lib/kubeplane"
KUBEPLANE_CLUSTER_ENV="$KUBEPLANE_ROOT/etc/kubeplane/cluster.env"
KUBEPLANE_STATE_DIR="$KUBEPLANE_ROOT/var/lib/kubeplane"
KUBEPLANE_REFRESH_COMMAND="$KUBEPLANE_ROOT/usr/local/sbin/kubeplane-refresh-join-lease"
KUBEPLANE_KUBECONFIG="$KUBEPLANE_ROOT/etc/kubernetes/admin.conf"
KUBEPLANE_KUBELET_CONF="$KUBEPLANE_ROOT/etc/kubernetes/kubelet.conf"
# Written once this control-plane node works (init and CNI done, or joined): admin.conf alone
# exists early in kubeadm init, before the API server is up.
KUBEPLANE_INITIALISED_MARKER="$KUBEPLANE_STATE_DIR/initialised"

log() { printf 'kubeplane %s: %s\n' "${KUBEPLANE_SCRIPT:-node}" "$*" >&2; }
die() { log "error: $*"; exit 1; }
now() { date +%s; }

# sleep_ms MILLISECONDS
sleep_ms() { sleep "$(($1 / 1000)).$(printf '%03d' $(($1 % 1000)))"; }

# Loads the cluster settings, then the node-side modules they name: the parameter backend, the
# cloud's metadata lookups, the installer, the lease format and the backend's locks.
load_cluster() {
  [[ -r $KUBEPLANE_CLUSTER_ENV ]] || die "cannot read $KUBEPLANE_CLUSTER_ENV"
  set -a
  # shellcheck source=/dev/null
  . "$KUBEPLANE_CLUSTER_ENV"
  set +a
  local name
  for name in KUBEPLANE_CLUSTER KUBEPLANE_ROLE KUBEPLANE_INSTALLER KUBEPLANE_KUBERNETES_VERSION \
    KUBEPLANE_PARAMETER_BACKEND KUBEPLANE_CLOUD KUBEPLANE_API_SERVER_PORT KUBEPLANE_JOIN_TOKEN_TTL_HOURS \
    KUBEPLANE_PARAMETER_PATH KUBEPLANE_WORKER_JOIN_PARAMETER KUBEPLANE_CONTROL_PLANE_ENDPOINT; do
    [[ -n ${!name:-} ]] || die "$KUBEPLANE_CLUSTER_ENV does not set $name"
  done
  for name in "$KUBEPLANE_PARAMETER_BACKEND" "$KUBEPLANE_CLOUD" "$KUBEPLANE_INSTALLER"; do
    [[ $name =~ ^[a-z0-9-]+$ ]] || die "invalid module name '$name' in $KUBEPLANE_CLUSTER_ENV"
  done
  # A control-plane joiner's request for a new control-plane lease (only control-plane nodes may
  # write under the parameter path, so a worker cannot make one).
  KUBEPLANE_CONTROL_PLANE_REFRESH_REQUEST="$KUBEPLANE_PARAMETER_PATH/join/control-plane-refresh-request"
  # A joiner's request for a fresh lease, "<instance-id> <epoch seconds>", for backends that ask
  # with a record (backend_requests_by_record): the control plane's request timer answers it.
  KUBEPLANE_REFRESH_REQUEST="$KUBEPLANE_PARAMETER_PATH/refresh/request"
  mkdir -p "$KUBEPLANE_STATE_DIR"
  # shellcheck source=backends/ssm.sh
  . "$KUBEPLANE_LIB/backends/$KUBEPLANE_PARAMETER_BACKEND.sh"
  # shellcheck source=metadata/aws.sh
  . "$KUBEPLANE_LIB/metadata/$KUBEPLANE_CLOUD.sh"
  # shellcheck source=installers/kubeadm.sh
  . "$KUBEPLANE_LIB/installers/$KUBEPLANE_INSTALLER.sh"
  # shellcheck source=lease.sh
  . "$KUBEPLANE_LIB/lease.sh"
  # shellcheck source=lock.sh
  . "$KUBEPLANE_LIB/lock.sh"
}

# True when the cluster has more than one control-plane node (HA: certificate uploads, control-plane
# joins). Every cluster has a stable endpoint (KUBEPLANE_CONTROL_PLANE_ENDPOINT), HA or not.
cluster_is_ha() { ((${KUBEPLANE_CONTROL_PLANE_COUNT:-1} > 1)); }

# retry ATTEMPTS DELAY_SECONDS COMMAND...: runs COMMAND until it succeeds, at most ATTEMPTS times,
# waiting DELAY_SECONDS (doubled after each failure) in between; returns COMMAND's last status.
retry() {
  local attempts=$1 delay=$2 attempt rc
  shift 2
  for ((attempt = 1; ; attempt++)); do
    rc=0
    "$@" || rc=$?
    ((rc == 0)) && return 0
    if ((attempt >= attempts)); then
      log "giving up on '$1' after $attempt attempts (status $rc)"
      return "$rc"
    fi
    log "'$1' failed (status $rc, attempt $attempt of $attempts); trying again in ${delay}s"
    sleep "$delay"
    delay=$((delay * 2))
  done
}

# apt_install PACKAGE...: installs packages, waiting for any other apt run to let go of the lock.
# Never prompts (cloud-init's stdin is /dev/null): a configuration file already on the node is kept.
# apt retries each download itself (Acquire::Retries); a run that fails anyway (a mirror down for
# a while) is tried again, 3 times in all.
apt_install() {
  local -a options=(-q -y -o DPkg::Lock::Timeout=600 -o Acquire::Retries=3)
  local delay=${KUBEPLANE_INSTALL_RETRY_DELAY_SECONDS:-5}
  DEBIAN_FRONTEND=noninteractive retry 3 "$delay" apt-get "${options[@]}" update >/dev/null
  DEBIAN_FRONTEND=noninteractive retry 3 "$delay" apt-get "${options[@]}" \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    install --no-install-recommends "$@" >/dev/null
}

# wait_for_api_name: the API's stable name (KUBEPLANE_CONTROL_PLANE_ENDPOINT) resolves. Its record
# is made with the infrastructure (on AWS, the single control plane's A record right after node-0
# exists), so a first node may boot before it does; kubeadm puts the name in every kubeconfig.
# Bounded by KUBEPLANE_API_NAME_WAIT_SECONDS (default 600), polling every
# KUBEPLANE_API_NAME_POLL_SECONDS (default 5).
wait_for_api_name() {
  local name=$KUBEPLANE_CONTROL_PLANE_ENDPOINT deadline answer
  deadline=$(($(now) + ${KUBEPLANE_API_NAME_WAIT_SECONDS:-600}))
  until answer=$(getent hosts "$name"); do
    (($(now) < deadline)) || die "the API's name $name does not resolve after ${KUBEPLANE_API_NAME_WAIT_SECONDS:-600} s (is its DNS record there, and the VPC's resolver in use?)"
    log "waiting for the API's name $name to resolve"
    sleep "${KUBEPLANE_API_NAME_POLL_SECONDS:-5}"
  done
  log "the API's name $name resolves to ${answer%% *}"
}

# redact_secrets: its input without bootstrap tokens, CA certificate hashes, certificate keys and
# kURL's EKCO auth token (installers print them in join commands).
redact_secrets() {
  sed -E -e 's/sha256:[0-9a-f]{64}/sha256:<redacted>/g' -e 's/\b[a-z0-9]{6}\.[a-z0-9]{16}\b/<redacted token>/g' \
    -e 's/\b[0-9a-f]{64}\b/<redacted key>/g' -e 's/(ekco-auth-token=)"?[A-Za-z0-9]*"?/\1<redacted>/g'
}

# run_private LOG WHAT COMMAND...: runs COMMAND with its output in LOG, readable by root only while
# it runs (an installer prints a join command and the certificate key), and deletes LOG. On failure
# the last 40 lines, redacted, go to stderr (cloud-init-output.log), under "WHAT failed".
run_private() {
  local output=$1 what=$2 rc=0
  shift 2
  (umask 077 && : >"$output")
  "$@" >"$output" 2>&1 || rc=$?
  if ((rc != 0)); then
    log "$what failed (status $rc); its last lines, secrets redacted:"
    tail -n 40 "$output" | redact_secrets >&2
  fi
  rm -f "$output"
  return "$rc"
}

# write_kubelet_defaults [FLAG...]: tells the kubelet its cloud identity, and the installer's
# further flags (the deb packages' drop-in reads /etc/default/kubelet). The installer writes it
# after installing the kubelet package, which ships the file as a conffile, and before the
# kubelet starts.
write_kubelet_defaults() {
  local flags="--provider-id=$NODE_PROVIDER_ID --node-ip=$NODE_IP" flag
  for flag in "$@"; do flags+=" $flag"; done
  mkdir -p "$KUBEPLANE_ROOT/etc/default"
  printf 'KUBELET_EXTRA_ARGS="%s"\n' "$flags" >"$KUBEPLANE_ROOT/etc/default/kubelet"
}

# kubeadm_listed_image NAME: prints the image NAME (pause, etcd, ...) of `kubeadm config images
# list` for this cluster's Kubernetes (one image a line: kubeadm's GetControlPlaneImages,
# cmd/kubeadm/app/images/images.go), e.g. registry.k8s.io/pause:3.10.2; fails when none is listed.
kubeadm_listed_image() {
  local images image
  images=$(kubeadm config images list --kubernetes-version "v$KUBEPLANE_KUBERNETES_VERSION") || return 1
  while read -r image; do
    if [[ $image =~ ^[A-Za-z0-9./_-]+/$1:[A-Za-z0-9._-]+$ ]]; then
      echo "$image"
      return 0
    fi
  done <<<"$images"
  return 1
}
