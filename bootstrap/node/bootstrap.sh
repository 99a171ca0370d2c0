#!/usr/bin/env bash
# kubeplane node bootstrap, run once by cloud-init: installs Kubernetes, then creates the cluster
# (first control-plane node) or joins it with the join lease. Does nothing on a node that has joined.
set -euo pipefail
KUBEPLANE_SCRIPT=bootstrap
# shellcheck source=common.sh
. "${KUBEPLANE_ROOT:-}/usr/local/lib/kubeplane/common.sh"
load_cluster
# shellcheck source=join.sh
. "$KUBEPLANE_LIB/join.sh"

if installer_joined; then
  log "this node is already part of the cluster ($KUBEPLANE_KUBELET_CONF exists); nothing to do"
  exit 0
fi

enable_lease_timer() {
  systemctl daemon-reload
  systemctl enable --now kubeplane-join-lease.timer
}

# From now on this control-plane node answers refresh requests and runs the timer's rotations.
mark_initialised() { touch "$KUBEPLANE_INITIALISED_MARKER"; }

# check_lease KIND PARAMETER: the lease the refresh just published is there and valid.
check_lease() {
  local lease
  lease=$(backend_get "$2") || die "no $1 join lease in $2 after publishing it"
  [[ $(lease_state "$lease") == valid ]] || die "the $1 join lease in $2 is not valid after publishing it"
}

log "bootstrapping a ${KUBEPLANE_ROLE:?} node of $KUBEPLANE_CLUSTER with $KUBEPLANE_INSTALLER $KUBEPLANE_KUBERNETES_VERSION"
metadata_load
installer_prepare
ensure_aws_cli
case $KUBEPLANE_ROLE in
  control-plane-init)
    installer_init
    mark_initialised
    # The timer first: should this first publication fail, the timer publishes within minutes.
    enable_lease_timer
    "$KUBEPLANE_REFRESH_COMMAND" --force
    check_lease worker "$KUBEPLANE_WORKER_JOIN_PARAMETER"
    if cluster_is_ha; then check_lease control-plane "$KUBEPLANE_CONTROL_PLANE_JOIN_PARAMETER"; fi
    ;;
  control-plane-join)
    join_cluster control-plane "$KUBEPLANE_CONTROL_PLANE_JOIN_PARAMETER"
    mark_initialised
    enable_lease_timer
    ;;
  worker)
    join_cluster worker "$KUBEPLANE_WORKER_JOIN_PARAMETER"
    ;;
  *) die "unknown role '$KUBEPLANE_ROLE'" ;;
esac
log "done"
