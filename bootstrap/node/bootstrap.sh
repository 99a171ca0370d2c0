#!/usr/bin/env bash
# kubeplane node bootstrap, run once by cloud-init: installs Kubernetes, then creates the cluster
# (first control-plane node, once it holds the cluster's claim) or joins it with the join lease.
# Does nothing on a node that has joined. Whatever the outcome, the node records it (status.sh):
# `ready`, or `failed: <step>`, and a failed worker has itself replaced within a budget.
set -euo pipefail
KUBEPLANE_SCRIPT=bootstrap
# shellcheck source=common.sh
. "${KUBEPLANE_ROOT:-}/usr/local/lib/kubeplane/common.sh"
load_cluster
# shellcheck source=join.sh
. "$KUBEPLANE_LIB/join.sh"
# shellcheck source=status.sh
. "$KUBEPLANE_LIB/status.sh"
if [[ $KUBEPLANE_ROLE != worker ]]; then
  # shellcheck source=etcd-members.sh
  . "$KUBEPLANE_LIB/etcd-members.sh"
fi
# etcd snapshots and their restore (backups.enabled): control-plane nodes only.
if [[ -n ${KUBEPLANE_BACKUP_STORE:-} ]]; then
  # shellcheck source=etcd-common.sh
  . "$KUBEPLANE_LIB/etcd-common.sh"
fi

if installer_joined; then
  log "this node is already part of the cluster ($KUBEPLANE_KUBELET_CONF exists); nothing to do"
  exit 0
fi

# Records the outcome; keeps the exit status. A failure before the metadata was read is recorded
# if the metadata can be read now.
on_exit() {
  local rc=$?
  trap - EXIT
  lock_release_all || true
  if ((rc == 0)); then
    status_report ready || log "the node works, but its ready status could not be recorded"
    exit 0
  fi
  log "bootstrap failed while $KUBEPLANE_STEP (status $rc)"
  if [[ -z ${NODE_INSTANCE_ID:-} ]]; then metadata_load || true; fi
  if [[ -n ${NODE_INSTANCE_ID:-} ]]; then
    status_report failed || true
    if [[ $KUBEPLANE_ROLE == worker ]]; then status_heal || true; fi
  fi
  exit "$rc"
}
trap on_exit EXIT

# The rotation timer; and, where joiners ask with a request record, the timer that answers it.
enable_lease_timer() {
  systemctl daemon-reload
  systemctl enable --now kubeplane-join-lease.timer
  if backend_requests_by_record; then systemctl enable --now kubeplane-join-lease-requests.timer; fi
  # etcd snapshots to the backup store (backups.enabled): every control-plane node runs the
  # timer, the etcd leader takes the snapshot.
  if [[ -n ${KUBEPLANE_BACKUP_STORE:-} ]]; then systemctl enable --now kubeplane-etcd-snapshot.timer; fi
}

# From now on this control-plane node answers refresh requests and runs the timer's rotations.
mark_initialised() { touch "$KUBEPLANE_INITIALISED_MARKER"; }

# check_lease KIND PARAMETER: the lease the refresh just published is there and valid.
check_lease() {
  local lease
  lease=$(backend_get "$2") || die "no $1 join lease in $2 after publishing it"
  [[ $(lease_state "$lease") == valid ]] || die "the $1 join lease in $2 is not valid after publishing it"
}

# claim_cluster: a cluster is created once, by the node holding its claim (created only if
# absent). Status 0: this node holds it (just taken, or a retried bootstrap); 1: another node
# created the cluster and this HA control-plane node joins it. Stops a single control plane.
claim_cluster() {
  local claim="$KUBEPLANE_PARAMETER_PATH/cluster/claim" value held holder rc=0
  value=$(jq -cn --arg instanceId "$NODE_INSTANCE_ID" --argjson claimedAt "$(now)" '{instanceId: $instanceId, claimedAt: $claimedAt}')
  backend_create "$claim" "$value" || rc=$?
  if ((rc == 0)); then
    log "claimed the cluster $KUBEPLANE_CLUSTER ($claim)"
    return 0
  fi
  ((rc == 3)) || die "could not claim the cluster in $claim"
  held=$(backend_get "$claim") || die "could not read the cluster's claim $claim"
  holder=$(jq -r '.instanceId // empty' <<<"$held" 2>/dev/null) || holder=""
  if [[ $holder == "$NODE_INSTANCE_ID" ]]; then
    KUBEPLANE_RESTORE_SNAPSHOT=$(jq -r '.restoredFrom // empty' <<<"$held" 2>/dev/null) || KUBEPLANE_RESTORE_SNAPSHOT=""
    if [[ -n $KUBEPLANE_RESTORE_SNAPSHOT ]]; then
      log "this node holds the claim $claim (a retried bootstrap); restoring the cluster from $KUBEPLANE_RESTORE_SNAPSHOT again"
      return 2
    fi
    log "this node holds the claim $claim (a retried bootstrap); creating the cluster"
    return 0
  fi
  if restore_wanted; then
    installer_restores || die "the cluster $KUBEPLANE_CLUSTER was already created by ${holder:-another node} ($claim) and its backups hold $KUBEPLANE_RESTORE_SNAPSHOT, but kubeplane restores etcd snapshots with the kubeadm installer only: the $KUBEPLANE_INSTALLER installer would create a new, empty cluster behind the same endpoint. Nothing was created. Restore it by hand from a snapshot ('kubeplane etcd list $KUBEPLANE_CLUSTER'; README \"Backups and restore\"), or start a new, empty cluster: remove the claim ($(backend_removal_hint "$claim")) and replace this instance."
    value=$(jq -cn --arg instanceId "$NODE_INSTANCE_ID" --argjson claimedAt "$(now)" --arg from "$KUBEPLANE_RESTORE_SNAPSHOT" \
      '{instanceId: $instanceId, claimedAt: $claimedAt, restoredFrom: $from}')
    backend_record "$claim" "$value" || die "could not take over the cluster's claim $claim to restore it"
    log "the cluster $KUBEPLANE_CLUSTER was created by ${holder:-another node} ($claim); restoring it from $KUBEPLANE_RESTORE_SNAPSHOT instead of creating a new one"
    return 2
  fi
  if cluster_is_ha; then
    log "the cluster $KUBEPLANE_CLUSTER was created by ${holder:-another node} ($claim); joining it as a control-plane node instead of creating a second one"
    return 1
  fi
  die "the cluster $KUBEPLANE_CLUSTER was already created by ${holder:-another node} ($claim) and there is no snapshot to restore it from: a new first control-plane node does not create a second cluster behind the same endpoint. To restore it from a backup, run 'kubeplane etcd restore' ($KUBEPLANE_CLUSTER --snapshot <key>) and replace this instance; to start a new, empty cluster, remove the claim ($(backend_removal_hint "$claim")) and replace this instance."
}

# restore_wanted: sets KUBEPLANE_RESTORE_SNAPSHOT when this first control-plane node restores the
# claimed cluster instead of creating or joining one: the snapshot an operator asked for
# (<parameter path>/cluster/restore, written by `kubeplane etcd restore`; HA or not), else, for a
# single control plane (which has no one to join), the latest snapshot in the backup store.
restore_wanted() {
  local request rc=0
  KUBEPLANE_RESTORE_SNAPSHOT=""
  [[ -n ${KUBEPLANE_BACKUP_STORE:-} ]] || return 1
  request=$(backend_get "$KUBEPLANE_PARAMETER_PATH/cluster/restore") || rc=$?
  ((rc == 0 || rc == 3)) || die "could not read the restore request $KUBEPLANE_PARAMETER_PATH/cluster/restore"
  if ((rc == 0)); then
    KUBEPLANE_RESTORE_SNAPSHOT=$(jq -r '.snapshot // empty' <<<"$request" 2>/dev/null) || KUBEPLANE_RESTORE_SNAPSHOT=""
    [[ -n $KUBEPLANE_RESTORE_SNAPSHOT ]] || die "the restore request $KUBEPLANE_PARAMETER_PATH/cluster/restore names no snapshot"
    return 0
  fi
  cluster_is_ha && return 1
  KUBEPLANE_RESTORE_SNAPSHOT=$(backup_store_list "$KUBEPLANE_BACKUP_SNAPSHOT_PREFIX" | grep -E '\.db$' | tail -n 1) || KUBEPLANE_RESTORE_SNAPSHOT=""
  [[ -n $KUBEPLANE_RESTORE_SNAPSHOT ]]
}

log "bootstrapping a ${KUBEPLANE_ROLE:?} node of $KUBEPLANE_CLUSTER with $KUBEPLANE_INSTALLER $KUBEPLANE_KUBERNETES_VERSION"
status_step "reading the instance metadata"
metadata_load
status_step "preparing the node for its cloud"
cloud_prepare_node
status_step "installing the cloud's tools"
cloud_prepare_tools
status_step "installing Kubernetes"
installer_prepare
status_step "waiting for the API's name to resolve"
wait_for_api_name
if [[ $KUBEPLANE_ROLE == control-plane-init ]]; then
  status_step "claiming the cluster"
  claimed=0
  claim_cluster || claimed=$?
  # 1: join the running cluster; 2: restore it (KUBEPLANE_RESTORE_SNAPSHOT, installer_init).
  if ((claimed == 1)); then KUBEPLANE_ROLE=control-plane-join; fi
fi
case $KUBEPLANE_ROLE in
  control-plane-init)
    if [[ -n ${KUBEPLANE_RESTORE_SNAPSHOT:-} ]]; then status_step "restoring the cluster from $KUBEPLANE_RESTORE_SNAPSHOT"; else status_step "creating the cluster"; fi
    installer_init
    mark_initialised
    if [[ -n ${KUBEPLANE_RESTORE_SNAPSHOT:-} ]]; then
      backend_delete "$KUBEPLANE_PARAMETER_PATH/cluster/restore" || true
      log "restored the cluster $KUBEPLANE_CLUSTER from $KUBEPLANE_RESTORE_SNAPSHOT"
    fi
    status_step "publishing the join leases"
    # The timer first: should this first publication fail, the timer publishes within minutes.
    enable_lease_timer
    "$KUBEPLANE_REFRESH_COMMAND" --force
    check_lease worker "$KUBEPLANE_WORKER_JOIN_PARAMETER"
    if cluster_is_ha; then check_lease control-plane "$KUBEPLANE_CONTROL_PLANE_JOIN_PARAMETER"; fi
    ;;
  control-plane-join)
    status_step "joining the cluster"
    join_cluster control-plane "$KUBEPLANE_CONTROL_PLANE_JOIN_PARAMETER"
    mark_initialised
    status_step "removing etcd members whose instances are gone"
    etcd_remove_dead_members || log "dead etcd members may remain; 'etcdctl member list' on a control-plane node shows them"
    status_step "starting the join lease timer"
    enable_lease_timer
    ;;
  worker)
    status_step "joining the cluster"
    join_cluster worker "$KUBEPLANE_WORKER_JOIN_PARAMETER"
    # Scale-in and instance refresh wait on the pool's hook for this node to drain itself.
    if [[ -x $KUBEPLANE_ROOT/usr/local/sbin/kubeplane-drain ]]; then
      status_step "starting the drain watch"
      systemctl daemon-reload
      systemctl enable --now kubeplane-drain.service
    fi
    ;;
  *) die "unknown role '$KUBEPLANE_ROLE'" ;;
esac
status_step "done"
log "done"
