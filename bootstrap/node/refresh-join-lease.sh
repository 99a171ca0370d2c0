#!/usr/bin/env bash
# Keeps the join lease fresh; runs on control-plane nodes only.
#   (no option)  on request (SSM Run Command from a joining node): a new worker lease unless the
#                current one is valid and was made in the last KUBEPLANE_LEASE_REFRESH_DEBOUNCE_SECONDS;
#                the control-plane lease likewise when a control-plane joiner left a request
#                (KUBEPLANE_CONTROL_PLANE_REFRESH_REQUEST), otherwise as with --when-due (a new
#                certificate key would break control-plane joins in progress)
#   --when-due   from the systemd timer: a new lease once half its lifetime, less
#                KUBEPLANE_LEASE_ROTATE_EARLY_SECONDS, has passed (or it is missing or invalid)
#   --force      right after kubeadm init: always a new lease; waits (bounded) for a rotation
#                lock another run holds, and fails when it cannot publish
#   --if-requested  from the request timer (every few seconds), for backends whose joiners ask
#                with a request record (KUBEPLANE_REFRESH_REQUEST, "<instance-id> <time>"): when
#                there is one, removes it and refreshes as on request; otherwise does nothing
# Only on a working control-plane node (installer_initialised: init or join complete).
# One node rotates at a time: the rotation lock (lock.sh), created only if absent, with an expiry.
set -euo pipefail
KUBEPLANE_SCRIPT=refresh-join-lease
# shellcheck source=common.sh
. "${KUBEPLANE_ROOT:-}/usr/local/lib/kubeplane/common.sh"
load_cluster

mode=requested
case ${1:-} in
  "") ;;
  --when-due) mode=due ;;
  --force) mode=force ;;
  --if-requested) mode=if-requested ;;
  *) die "usage: $0 [--when-due|--force|--if-requested]" ;;
esac

if ! installer_initialised; then
  [[ $mode != force ]] || die "this control-plane node is not initialised ($KUBEPLANE_INITIALISED_MARKER is missing); cannot publish a join lease"
  log "this control-plane node is not initialised yet; the lease is left to a node that is"
  exit 0
fi
cloud_prepare_tools

# The request timer's run: one read when nobody asked. The request goes first, so that a joiner
# asking during the refresh leaves a new one for the next run.
if [[ $mode == if-requested ]]; then
  rc=0
  request=$(backend_get "$KUBEPLANE_REFRESH_REQUEST") || rc=$?
  ((rc != 3)) || exit 0
  ((rc == 0)) || die "could not read the refresh request $KUBEPLANE_REFRESH_REQUEST"
  log "${request%% *} asked for a fresh join lease at ${request##* } ($KUBEPLANE_REFRESH_REQUEST)"
  backend_delete "$KUBEPLANE_REFRESH_REQUEST" || log "could not remove the refresh request $KUBEPLANE_REFRESH_REQUEST; the next run answers it again"
  mode=requested
fi
metadata_load

lock_name="$KUBEPLANE_PARAMETER_PATH/join/rotation-lock"

# take_lock MODE: a requested or timed refresh leaves the rotation to the run holding the lock;
# --force waits for it (at most KUBEPLANE_LEASE_LOCK_WAIT_SECONDS, longer than a lock lives).
take_lock() {
  local rc=0 lifetime=${KUBEPLANE_LEASE_LOCK_SECONDS:-300}
  if [[ $1 == force ]]; then
    lock_wait "$lock_name" "$lifetime" "${KUBEPLANE_LEASE_LOCK_WAIT_SECONDS:-360}" \
      "${KUBEPLANE_LEASE_LOCK_POLL_SECONDS:-5}" rotation && return 0
    die "gave up waiting for the rotation lock $lock_name after ${KUBEPLANE_LEASE_LOCK_WAIT_SECONDS:-360} s (held: ${LOCK_HOLDER:-unknown})"
  fi
  lock_acquire "$lock_name" "$lifetime" rotation || rc=$?
  ((rc == 0)) && return 0
  ((rc == 2)) || die "could not take the rotation lock $lock_name"
  log "${LOCK_HOLDER%% *} is rotating the join lease (lock until ${LOCK_HOLDER##* }); leaving it to that node"
  exit 0
}

# needs_rotation MODE LEASE
needs_rotation() {
  local created expires age
  [[ $1 == force ]] && return 0
  [[ $(lease_state "$2" "${KUBEPLANE_LEASE_MIN_REMAINING_SECONDS:-60}") == valid ]] || return 0
  created=$(lease_field "$2" createdAt)
  expires=$(lease_field "$2" expiresAt)
  age=$(($(now) - created))
  if [[ $1 == due ]]; then
    ((age >= (expires - created) / 2 - ${KUBEPLANE_LEASE_ROTATE_EARLY_SECONDS:-1800}))
  else
    ((age >= ${KUBEPLANE_LEASE_REFRESH_DEBOUNCE_SECONDS:-30}))
  fi
}

# refresh MODE worker|control-plane PARAMETER: publishes a new lease when needed. A join command
# that the installer failed to make, or that is not well-formed, is never published.
refresh() {
  local mode=$1 kind=$2 parameter=$3 current="" lifetime command lease
  local lifetime_var="INSTALLER_LEASE_SECONDS_${kind//-/_}"
  lifetime=${!lifetime_var}
  [[ $mode == force ]] || current=$(backend_get "$parameter") || true
  if ! needs_rotation "$mode" "$current"; then
    log "the $kind join lease made at $(lease_field "$current" createdAt) is still fresh; kept"
    return 0
  fi
  if ! command=$(installer_join_command "$kind"); then
    log "refusing to publish a $kind join lease: $KUBEPLANE_INSTALLER could not make a join command"
    return 1
  fi
  if ! installer_check_command "$kind" "$command"; then
    log "refusing to publish a $kind join lease: $KUBEPLANE_INSTALLER made a malformed join command"
    return 1
  fi
  lease=$(lease_new "$command" "$lifetime") || return 1
  backend_put "$parameter" "$lease" || return 1
  log "published a new $kind join lease in $parameter, valid until $(lease_field "$lease" expiresAt)"
}

take_lock "$mode"
trap lock_release_all EXIT
refresh "$mode" worker "$KUBEPLANE_WORKER_JOIN_PARAMETER"
if cluster_is_ha; then
  control_plane_mode=$mode
  control_plane_request=""
  if [[ $mode == requested ]]; then
    control_plane_mode=due
    if control_plane_request=$(backend_get "$KUBEPLANE_CONTROL_PLANE_REFRESH_REQUEST"); then
      log "control-plane node ${control_plane_request%% *} asked for a new control-plane join lease"
      control_plane_mode=requested
    else
      control_plane_request=""
    fi
  fi
  refresh "$control_plane_mode" control-plane "$KUBEPLANE_CONTROL_PLANE_JOIN_PARAMETER"
  if [[ -n $control_plane_request ]]; then backend_delete "$KUBEPLANE_CONTROL_PLANE_REFRESH_REQUEST" || true; fi
fi
