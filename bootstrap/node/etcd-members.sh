# shellcheck shell=bash
# A control-plane node that has joined removes the etcd members whose instances no longer run, so
# that replacing a member never leaves a dead one counting against quorum (etcd's "Replacing a
# failed etcd member": remove the failed member, then add the new one; the join added the new
# one, and a single dead member of three leaves the quorum that the join needed). Sourced by
# bootstrap.sh; the cloud's part is etcd-cloud/<KUBEPLANE_CLOUD>.sh (its header is the interface):
#   etcd_cloud_live_nodes      the names and private addresses of the cluster's control-plane
#                              instances that are starting or running, one a line
#   etcd_remove_dead_members   removes every member that is neither this node nor a live one

# shellcheck source=etcd-cloud/aws.sh
. "$KUBEPLANE_LIB/etcd-cloud/$KUBEPLANE_CLOUD.sh"

KUBEPLANE_ETCD_ENDPOINT="${KUBEPLANE_ETCD_ENDPOINT:-https://127.0.0.1:2379}"

etcd_members_ctl() {
  command -v etcdctl >/dev/null || apt_install etcd-client
  local pki="$KUBEPLANE_ROOT/etc/kubernetes/pki/etcd"
  local -a tls=()
  if [[ $KUBEPLANE_ETCD_ENDPOINT == https://* ]]; then
    tls=(--cacert "$pki/ca.crt" --cert "$pki/healthcheck-client.crt" --key "$pki/healthcheck-client.key")
  fi
  ETCDCTL_API=3 etcdctl --endpoints "$KUBEPLANE_ETCD_ENDPOINT" --command-timeout 30s "${tls[@]}" "$@"
}

# A member is live when its name (kubeadm names members after their node) or the host of its
# peer URL (an unstarted member has no name yet) is one of a live instance.
etcd_remove_dead_members() {
  local live members id name peers host removed=0
  live=$(etcd_cloud_live_nodes) || { log "could not list the cluster's control-plane instances: no etcd member removed"; return 1; }
  [[ -n $live ]] || { log "the cloud lists no live control-plane instance (not even this one): no etcd member removed"; return 1; }
  live=$(printf '%s\n%s\n%s\n' "$live" "$NODE_NAME" "$NODE_IP")
  members=$(etcd_members_ctl member list) || { log "could not list etcd's members"; return 1; }
  # etcdctl's simple format: ID, status, name, peer URLs, client URLs, is learner.
  while IFS=, read -r id _ name peers _; do
    id=${id// /} name=${name# } peers=${peers# }
    host=${peers%%,*} host=${host#*://} host=${host%%:*}
    if grep -qxF -e "${name:-<unnamed>}" -e "$host" <<<"$live"; then continue; fi
    log "removing etcd member $id (${name:-unstarted}, $peers): its instance no longer runs"
    etcd_members_ctl member remove "$id" >/dev/null || { log "could not remove etcd member $id"; return 1; }
    removed=$((removed + 1))
  done <<<"$members"
  log "etcd members checked: $removed dead member(s) removed"
}
