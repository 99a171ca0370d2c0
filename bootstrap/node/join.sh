# shellcheck shell=bash
# Joining with the lease: read the join command from the parameter backend and join; when the
# command is missing, expired or refused, ask a control-plane node for a fresh one (at most once
# per request interval) and poll with backoff (1 s, x1.5, at most 3 s; back to 1 s after each
# request), within a bounded total wait. Control-plane nodes join one at a time (etcd admits one
# learner at a time): the control-plane join lock (lock.sh) is held around kubeadm join.

KUBEPLANE_CONTROL_PLANE_JOIN_LOCK="$KUBEPLANE_PARAMETER_PATH/join/control-plane-join-lock"

# A refresh on request rotates the control-plane lease (a new certificate key, which breaks
# control-plane joins in progress) only when due, or when a control-plane joiner left this request.
request_control_plane_lease() {
  local rc=0
  backend_create "$KUBEPLANE_CONTROL_PLANE_REFRESH_REQUEST" "${NODE_INSTANCE_ID:-unknown} $(now)" || rc=$?
  # Status 3: a request is already pending.
  ((rc == 0 || rc == 3)) || log "could not leave a request for a new control-plane join lease"
}

# join_cluster worker|control-plane PARAMETER
join_cluster() {
  local kind=$1 parameter=$2 started deadline lease state rc requested_at="" refused="" refused_at=0
  local delay=${KUBEPLANE_JOIN_BACKOFF_INITIAL_MS:-1000} max_delay=${KUBEPLANE_JOIN_BACKOFF_MAX_MS:-3000}
  local max_wait=${KUBEPLANE_JOIN_MAX_WAIT_SECONDS:-1800}
  local request_interval=${KUBEPLANE_REFRESH_REQUEST_INTERVAL_SECONDS:-60}
  local min_remaining=${KUBEPLANE_LEASE_MIN_REMAINING_SECONDS:-60}
  started=$(now)
  deadline=$((started + max_wait))
  while :; do
    rc=0
    lease=$(backend_get "$parameter") || rc=$?
    if ((rc == 0)); then
      state=$(lease_state "$lease" "$min_remaining")
      # A lease the cluster refused is tried again only after the request interval.
      if [[ $state == valid && $lease == "$refused" ]] && (($(now) - refused_at < request_interval)); then
        state=refused
      fi
      if [[ $state == valid && $kind == control-plane ]] && ! lock_held "$KUBEPLANE_CONTROL_PLANE_JOIN_LOCK"; then
        if ! lock_wait "$KUBEPLANE_CONTROL_PLANE_JOIN_LOCK" "${KUBEPLANE_JOIN_LOCK_SECONDS:-900}" \
          "$((deadline - $(now)))" "${KUBEPLANE_JOIN_LOCK_POLL_SECONDS:-5}" "control-plane join"; then
          log "giving up: could not take the control-plane join lock $KUBEPLANE_CONTROL_PLANE_JOIN_LOCK within $max_wait s (held: ${LOCK_HOLDER:-unknown})"
          return 1
        fi
        # The lease may have been rotated while this node waited: read it again.
        continue
      fi
      if [[ $state == valid ]]; then
        log "joining as $kind with the lease made at $(lease_field "$lease" createdAt)"
        rc=0
        installer_join "$kind" "$(lease_field "$lease" command)" || rc=$?
        lock_release "$KUBEPLANE_CONTROL_PLANE_JOIN_LOCK"
        if ((rc == 0)); then
          log "joined the cluster as $kind after $(($(now) - started)) s"
          return 0
        fi
        state=refused
        refused=$lease
        refused_at=$(now)
        installer_reset
      fi
    elif ((rc == 3)); then
      state=missing
    else
      state=unreadable
    fi
    if [[ $state != unreadable ]] && [[ -z $requested_at || $(($(now) - requested_at)) -ge $request_interval ]]; then
      log "the $kind join lease is $state; asking for a fresh one"
      requested_at=$(now)
      # A refresh lands within seconds: poll quickly again.
      delay=${KUBEPLANE_JOIN_BACKOFF_INITIAL_MS:-1000}
      if [[ $kind == control-plane ]]; then request_control_plane_lease; fi
      backend_request_refresh || log "could not ask for a fresh join lease now; will poll and ask again"
    fi
    if (($(now) >= deadline)); then
      log "giving up: no usable $kind join command in $parameter after $max_wait s (last state: $state)"
      return 1
    fi
    sleep_ms "$delay"
    delay=$((delay * 3 / 2 < max_delay ? delay * 3 / 2 : max_delay))
  done
}
