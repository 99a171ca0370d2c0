# shellcheck shell=bash disable=SC2034 # sets variables for the scripts that source it
# The node's cloud, Google Cloud: the end of a worker's life in its managed instance group. The
# interface of termination/aws.sh (read its header): termination_pending, termination_complete.
# A managed instance group has no lifecycle hook holding a VM while it drains: when the group
# deletes a VM (scale-in, an update, autohealing) Compute Engine shuts it down and the guest has
# 90 seconds from the stop or delete (30 seconds from the start of a preemption, for Spot and
# preemptible VMs) before it is powered off, in which its shutdown script runs ("Run shutdown
# scripts", Limitations: https://cloud.google.com/compute/docs/shutdownscript). So on GCP:
#   - the drain runs as the instance's shutdown script: the metadata key `shutdown-script` is
#     `/usr/local/sbin/kubeplane-drain --now`, set by the instance template;
#   - the watch (kubeplane-drain.service) catches the one notice given ahead: a preemption, the
#     metadata key instance/preempted turning TRUE ("Detect if a VM was preempted":
#     https://cloud.google.com/compute/docs/instances/spot#detect-preemption);
#   - the drain is bounded well inside that time: KUBEPLANE_DRAIN_TIMEOUT_SECONDS defaults to 60
#     here (AWS's hook waits 600 s), 20 after a preemption notice (KUBEPLANE_PREEMPTION_DRAIN_SECONDS);
#   - there is nothing to complete: the group goes on by itself.

: "${KUBEPLANE_DRAIN_TIMEOUT_SECONDS:=60}"

termination_pending() {
  local preempted
  preempted=$(curl -fsS --max-time 5 -H "Metadata-Flavor: Google" "${KUBEPLANE_GCP_METADATA_URL:-http://metadata.google.internal/computeMetadata/v1}/instance/preempted") ||
    return 1
  [[ $preempted == TRUE ]] || return 1
  DRAIN_TIMEOUT_SECONDS=${KUBEPLANE_PREEMPTION_DRAIN_SECONDS:-20}
  log "Compute Engine is preempting $NODE_NAME: about 30 s until it stops"
}

termination_complete() {
  log "a managed instance group has no termination hook to complete: the shutdown goes on"
}
