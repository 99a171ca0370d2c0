# shellcheck shell=bash
# Locks in the parameter backend, one holder at a time: a lock is a parameter created only if
# absent (backend_create is atomic) holding "<instance-id> <expiry>" (epoch seconds). A lock past
# its expiry is taken over, so a node that died holding it blocks the others for its lifetime at
# most. Used for the join-lease rotation (refresh-join-lease.sh) and control-plane joins (join.sh).
#   lock_acquire NAME LIFETIME WHAT
#                                status 0 when taken, 2 when another holds it (LOCK_HOLDER is set),
#                                1 on error; WHAT names the lock in the logs ("rotation")
#   lock_wait NAME LIFETIME WAIT_SECONDS POLL_SECONDS WHAT
#                                takes the lock, waiting at most WAIT_SECONDS and logging who holds
#                                it; status 1 when it gave up (LOCK_HOLDER says who held it)
#   lock_held NAME               does this process hold NAME
#   lock_release NAME            deletes NAME if this process still holds it
#   lock_release_all             releases every lock this process holds (for an EXIT trap)

declare -gA KUBEPLANE_LOCKS=()
LOCK_HOLDER=""

lock_acquire() {
  local name=$1 what=$3 value held rc attempt
  value="${NODE_INSTANCE_ID:-unknown} $(($(now) + $2))"
  for attempt in 1 2; do
    rc=0
    backend_create "$name" "$value" || rc=$?
    if ((rc == 0)); then
      KUBEPLANE_LOCKS[$name]=$value
      return 0
    fi
    ((rc == 3)) || return 1
    held=$(backend_get "$name") || continue
    if [[ ${held##* } =~ ^[0-9]+$ ]] && ((${held##* } > $(now))); then
      LOCK_HOLDER=$held
      return 2
    fi
    log "removing the expired $what lock of ${held%% *} (attempt $attempt)"
    backend_delete "$name" || true
  done
  return 1
}

lock_wait() {
  local name=$1 lifetime=$2 wait=$3 poll=$4 what=$5 rc deadline waiting="" started reported
  started=$(now)
  reported=$started
  deadline=$((started + wait))
  while :; do
    rc=0
    lock_acquire "$name" "$lifetime" "$what" || rc=$?
    if ((rc == 0)); then
      [[ -z $waiting ]] || log "took the $what lock after waiting $(($(now) - started)) s"
      return 0
    fi
    ((rc == 2)) || LOCK_HOLDER=""
    (($(now) < deadline)) || return 1
    if ((rc == 2)) && [[ $waiting != "$LOCK_HOLDER" ]]; then
      log "waiting for the $what lock of ${LOCK_HOLDER%% *} (until ${LOCK_HOLDER##* })"
      waiting=$LOCK_HOLDER
      reported=$(now)
    elif (($(now) - reported >= ${KUBEPLANE_LOCK_PROGRESS_SECONDS:-60})); then
      log "still waiting for the $what lock after $(($(now) - started)) s (of at most $wait s)"
      reported=$(now)
    fi
    sleep "$poll"
  done
}

lock_held() { [[ -n ${KUBEPLANE_LOCKS[$1]:-} ]]; }

lock_release() {
  local name=$1 held
  lock_held "$name" || return 0
  if held=$(backend_get "$name") && [[ $held == "${KUBEPLANE_LOCKS[$name]}" ]]; then
    backend_delete "$name" || true
  fi
  unset "KUBEPLANE_LOCKS[$name]"
}

lock_release_all() {
  local name
  for name in "${!KUBEPLANE_LOCKS[@]}"; do lock_release "$name"; done
}
