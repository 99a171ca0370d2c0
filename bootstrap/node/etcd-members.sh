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
# peer URL (an unstarted member has no name yet) is one of a live instance. Nothing is removed when
# the cloud cannot say which instances run, or when the voting members left would be fewer than
# etcd's quorum of the voting members there are now: either the cloud's view is wrong (a member
# that answers would be removed) or etcd has lost its quorum and cannot change its membership;
# an operator looks (etcdctl member list). Learners count for no quorum and are always removable.
etcd_remove_dead_members() {
  local live members id name peers learner host removed=0 voting=0 dead_voting=0 quorum
  local -a dead=()
  live=$(etcd_cloud_live_nodes) || { log "could not list the cluster's control-plane instances: no etcd member removed"; return 1; }
  [[ -n $live ]] || { log "the cloud lists no live control-plane instance (not even this one): no etcd member removed"; return 1; }
  live=$(printf '%s\n%s\n%s\n' "$live" "$NODE_NAME" "$NODE_IP")
  members=$(etcd_members_ctl member list) || { log "could not list etcd's members"; return 1; }
  # etcdctl's simple format: ID, status, name, peer URLs, client URLs, is learner (etcd 3.4-3.6:
  # etcdctl/ctlv3/command/printer_simple.go MemberList).
  while IFS=, read -r id _ name peers _ learner; do
    id=${id// /} name=${name# } peers=${peers# } learner=${learner// /}
    [[ -n $id ]] || continue
    [[ $learner == true ]] || voting=$((voting + 1))
    host=${peers%%,*} host=${host#*://} host=${host%%:*}
    if grep -qxF -e "${name:-<unnamed>}" -e "$host" <<<"$live"; then continue; fi
    [[ $learner == true ]] || dead_voting=$((dead_voting + 1))
    dead+=("$id ${name:-unstarted} $peers")
  done <<<"$members"
  quorum=$((voting / 2 + 1))
  if ((dead_voting > 0 && voting - dead_voting < quorum)); then
    log "$dead_voting of $voting voting etcd members belong to no running instance: removing them would leave $((voting - dead_voting)), below quorum ($quorum); no etcd member removed"
    return 1
  fi
  local entry
  for entry in "${dead[@]}"; do
    read -r id name peers <<<"$entry"
    log "removing etcd member $id ($name, $peers): its instance no longer runs"
    etcd_members_ctl member remove "$id" >/dev/null || { log "could not remove etcd member $id"; return 1; }
    removed=$((removed + 1))
  done
  log "etcd members checked: $removed dead member(s) removed"
}
