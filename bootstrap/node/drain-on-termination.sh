#!/usr/bin/env bash
# A worker drains itself before its auto-scaling group terminates it (scale-in, instance refresh):
# the group holds the instance on the pool's termination hook while this cordons the Node and
# evicts its pods (through the Eviction API, which refuses what a PodDisruptionBudget protects:
# retried until KUBEPLANE_DRAIN_TIMEOUT_SECONDS), then lets the termination go on. The cloud
# controller removes the Node once the instance is gone.
#   (no option)  watch (kubeplane-drain.service): polls the termination state every
#                KUBEPLANE_DRAIN_POLL_SECONDS, drains once it is pending, then exits
#   --now        drain and complete now (an operator, or a test)
# It runs with the kubelet's own credentials: a node may evict only the pods bound to it
# (the NodeRestriction admission plugin, plugin/pkg/admission/noderestriction: admitPodEviction).
set -euo pipefail
KUBEPLANE_SCRIPT=drain
# shellcheck source=common.sh
. "${KUBEPLANE_ROOT:-}/usr/local/lib/kubeplane/common.sh"
load_cluster
# shellcheck source=termination/aws.sh
. "$KUBEPLANE_LIB/termination/$KUBEPLANE_CLOUD.sh"

# Below the hook's default heartbeat timeout (600 s), so that the node completes the action itself.
DRAIN_TIMEOUT_SECONDS=${KUBEPLANE_DRAIN_TIMEOUT_SECONDS:-540}
DRAIN_POLL_SECONDS=${KUBEPLANE_DRAIN_POLL_SECONDS:-5}
DRAIN_RETRY_SECONDS=${KUBEPLANE_DRAIN_RETRY_SECONDS:-5}

node_kubectl() { kubectl --kubeconfig "$KUBEPLANE_KUBELET_CONF" "$@"; }

# evictable_pods: prints "namespace name" of each pod on this node that a drain evicts: not
# DaemonSet pods (their controller would put them back) nor mirror pods (static pods: the
# kubelet's own, kubernetes.io/config.mirror).
evictable_pods() {
  local namespace name owner mirror listing
  listing=$(node_kubectl get pods --all-namespaces --field-selector "spec.nodeName=$NODE_NAME" \
    -o jsonpath='{range .items[*]}{.metadata.namespace}{"|"}{.metadata.name}{"|"}{.metadata.ownerReferences[0].kind}{"|"}{.metadata.annotations.kubernetes\.io/config\.mirror}{"\n"}{end}') ||
    return 1
  # Fields split on "|" (a pod without an owner has an empty third field).
  while IFS='|' read -r namespace name owner mirror; do
    [[ -n $namespace ]] || continue
    [[ $owner == DaemonSet || -n $mirror ]] && continue
    echo "$namespace $name"
  done <<<"$listing"
}

# evict NAMESPACE NAME: asks the API to evict the pod; fails while a disruption budget forbids it.
evict() {
  printf '{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"%s","namespace":"%s"}}\n' "$2" "$1" |
    node_kubectl create --raw "/api/v1/namespaces/$1/pods/$2/eviction" -f - >/dev/null
}

drain_node() {
  local deadline=$(($(now) + DRAIN_TIMEOUT_SECONDS)) pods namespace name left
  node_kubectl cordon "$NODE_NAME" >/dev/null || log "could not cordon $NODE_NAME; evicting its pods anyway"
  while :; do
    pods=$(evictable_pods) || pods="?"
    if [[ -z $pods ]]; then
      log "node $NODE_NAME is drained"
      return 0
    fi
    left=0
    if [[ $pods != "?" ]]; then
      while read -r namespace name; do
        evict "$namespace" "$name" || left=$((left + 1))
      done <<<"$pods"
    fi
    if (($(now) >= deadline)); then
      log "drain timed out after ${DRAIN_TIMEOUT_SECONDS}s with pods left on $NODE_NAME (a disruption budget, or an unreachable API); terminating anyway"
      return 1
    fi
    ((left == 0)) || log "$left pod(s) not evicted yet (a disruption budget); retrying in ${DRAIN_RETRY_SECONDS}s"
    sleep "$DRAIN_RETRY_SECONDS"
  done
}

case ${1:-} in
  "") mode=watch ;;
  --now) mode=now ;;
  *) die "usage: $0 [--now]" ;;
esac
metadata_load
if [[ $mode == watch ]]; then
  until termination_pending; do sleep "$DRAIN_POLL_SECONDS"; done
  log "the auto-scaling group is terminating $NODE_INSTANCE_ID: draining $NODE_NAME"
fi
drain_node || true
retry 5 "$DRAIN_RETRY_SECONDS" termination_complete || die "could not complete the termination of $NODE_INSTANCE_ID (the group goes on after its hook's timeout)"
log "termination of $NODE_INSTANCE_ID goes on"
