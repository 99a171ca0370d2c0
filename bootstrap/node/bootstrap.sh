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

log "bootstrapping a ${KUBEPLANE_ROLE:?} node of $KUBEPLANE_CLUSTER with $KUBEPLANE_INSTALLER $KUBEPLANE_KUBERNETES_VERSION"
metadata_load
write_kubelet_defaults
installer_prepare
ensure_aws_cli
case $KUBEPLANE_ROLE in
  control-plane-init)
    installer_init
    "$KUBEPLANE_REFRESH_COMMAND" --force
    enable_lease_timer
    ;;
  control-plane-join)
    join_cluster control-plane "$KUBEPLANE_CONTROL_PLANE_JOIN_PARAMETER"
    enable_lease_timer
    ;;
  worker)
    join_cluster worker "$KUBEPLANE_WORKER_JOIN_PARAMETER"
    ;;
  *) die "unknown role '$KUBEPLANE_ROLE'" ;;
esac
log "done"
