# shellcheck shell=bash
# The node's bootstrap status, where an operator and kubeplane's tooling see it (not only
# /var/log/cloud-init-output.log): the instance tag kubeplane:bootstrap (`ready`, or
# `failed: <step>`) and the parameter <parameter path>/status/<instance-id>:
#   {"version":1,"state":"ready|failed","role":"worker","step":"joining the cluster","instanceId":"i-…","time":N}
# A failed worker has itself replaced by its group (cloud_replace_node), within a per-cluster budget.
#   status_step DESCRIPTION   the step the bootstrap is on (named when it fails)
#   status_report ready|failed
#   status_heal               a failed worker: replaced if the budget allows, else left for an operator

KUBEPLANE_STATUS_TAG_KEY=kubeplane:bootstrap
KUBEPLANE_STEP=starting

status_step() {
  KUBEPLANE_STEP=$1
  log "step: $1"
}

status_report() {
  local state=$1 tag=$1 value rc=0
  [[ $state == failed ]] && tag="failed: $KUBEPLANE_STEP"
  value=$(jq -cn --arg state "$state" --arg role "$KUBEPLANE_ROLE" --arg step "$KUBEPLANE_STEP" \
    --arg instanceId "$NODE_INSTANCE_ID" --argjson time "$(now)" \
    '{version: 1, state: $state, role: $role, step: $step, instanceId: $instanceId, time: $time}')
  backend_record "$KUBEPLANE_PARAMETER_PATH/status/$NODE_INSTANCE_ID" "$value" ||
    { log "could not record the bootstrap status ($state) in the parameter backend" && rc=1; }
  cloud_tag_node "$KUBEPLANE_STATUS_TAG_KEY" "$tag" ||
    { log "could not tag this node $KUBEPLANE_STATUS_TAG_KEY=$tag" && rc=1; }
  return "$rc"
}

# At most KUBEPLANE_REPLACEMENTS_PER_HOUR (3) replacements per cluster and clock hour: slot N of
# the hour is the parameter status/replacements/<hour>-<N>, taken with backend_create (atomic), so
# nodes failing together never take more. Past the budget the node stays: no replacement storm.
status_heal() {
  local budget=${KUBEPLANE_REPLACEMENTS_PER_HOUR:-3} hour n rc stays="this node stays, tagged failed, and an operator must look"
  hour=$(($(now) / 3600))
  for ((n = 1; n <= budget; n++)); do
    rc=0
    backend_create "$KUBEPLANE_PARAMETER_PATH/status/replacements/$hour-$n" "$NODE_INSTANCE_ID $(now)" || rc=$?
    if ((rc == 0)); then
      if cloud_replace_node; then
        log "replacement $n of $budget this hour for $KUBEPLANE_CLUSTER"
        return 0
      fi
      log "could not have this node replaced: $stays"
      return 1
    fi
    if ((rc != 3)); then
      log "could not take a replacement slot: $stays"
      return 1
    fi
  done
  log "the replacement budget of $budget per hour for $KUBEPLANE_CLUSTER is spent: $stays"
  return 1
}
