# shellcheck shell=bash disable=SC2034 # sets variables for the scripts that source it
# etcd snapshots and the PKI, shared by kubeplane-etcd-snapshot and kubeplane-etcd-restore
# (control-plane nodes only). Sourced after common.sh and load_cluster; sources the backup
# store's module (etcd-store/<KUBEPLANE_BACKUP_STORE>.sh: backup_store_put, _get, _meta, _list,
# _delete; its header is the interface) and etcd-tools.sh (etcd's own etcdctl and etcdutl, pinned
# per etcd minor: etcd_tools_install). Every path under KUBEPLANE_ROOT, every tool through PATH:
#   etcd_ctl ARGS...                 etcdctl against this node's etcd (kubeadm's client certificate)
#   etcd_snapshot_status FILE        `etcdutl snapshot status -w json` (etcdctl's on etcd 3.4)
#   etcd_snapshot_restore FILE DIR NAME PEER_URL
#   backup_record ok|failed DETAIL_JSON   records the last outcome where validate and audit see it

# kubeadm's etcd: a static pod serving clients on 127.0.0.1:2379 with the certificates under
# /etc/kubernetes/pki/etcd (kubeadm's "healthcheck-client" pair is its own etcd client certificate).
KUBEPLANE_ETCD_ENDPOINT="${KUBEPLANE_ETCD_ENDPOINT:-https://127.0.0.1:2379}"
KUBEPLANE_ETCD_PKI="$KUBEPLANE_ROOT/etc/kubernetes/pki/etcd"
KUBEPLANE_PKI_DIR="$KUBEPLANE_ROOT/etc/kubernetes/pki"
KUBEPLANE_ETCD_DATA_DIR="${KUBEPLANE_ETCD_DATA_DIR:-$KUBEPLANE_ROOT/var/lib/etcd}"
KUBEPLANE_BACKUP_STATUS_FILE="$KUBEPLANE_STATE_DIR/etcd-backup.json"
# The cluster's PKI that a new node-0 needs to be the same cluster: the CAs and the
# service-account signing keys (kubeadm's "Certificate Management" names them; the rest kubeadm
# derives from these).
KUBEPLANE_PKI_FILES=(ca.crt ca.key sa.key sa.pub front-proxy-ca.crt front-proxy-ca.key etcd/ca.crt etcd/ca.key)

[[ -n ${KUBEPLANE_BACKUP_STORE:-} ]] || die "$KUBEPLANE_CLUSTER_ENV sets no KUBEPLANE_BACKUP_STORE: this cluster takes no etcd backups (backups.enabled: false)"
[[ $KUBEPLANE_BACKUP_STORE =~ ^[a-z0-9-]+$ ]] || die "invalid backup store name '$KUBEPLANE_BACKUP_STORE' in $KUBEPLANE_CLUSTER_ENV"
# shellcheck source=etcd-store/s3.sh
. "$KUBEPLANE_LIB/etcd-store/$KUBEPLANE_BACKUP_STORE.sh"
# shellcheck source=etcd-tools.sh
. "$KUBEPLANE_LIB/etcd-tools.sh"

etcd_ctl() {
  local -a tls=()
  if [[ $KUBEPLANE_ETCD_ENDPOINT == https://* ]]; then
    tls=(--cacert "$KUBEPLANE_ETCD_PKI/ca.crt" --cert "$KUBEPLANE_ETCD_PKI/healthcheck-client.crt" --key "$KUBEPLANE_ETCD_PKI/healthcheck-client.key")
  fi
  ETCDCTL_API=3 etcdctl --endpoints "$KUBEPLANE_ETCD_ENDPOINT" --command-timeout 60s "${tls[@]}" "$@"
}

# etcd 3.5 moved the offline snapshot commands to etcdutl (etcdctl's are deprecated there, gone in
# 3.6, which kubeadm runs for every supported minor; etcd_tools_install puts etcdutl on PATH);
# etcd 3.4's release has no etcdutl and its etcdctl still has them. The flags used here and the
# JSON fields read (revision, totalKey) are the same in 3.4's etcdctl and 3.5/3.6's etcdutl; so
# are `endpoint status -w json` (Status.header.member_id, Status.leader) and `member list`'s
# simple format.
etcd_offline() {
  if command -v etcdutl >/dev/null; then etcdutl "$@"; else ETCDCTL_API=3 etcdctl "$@"; fi
}

etcd_snapshot_status() { etcd_offline snapshot status "$1" -w json; }

# etcd_snapshot_restore FILE DIR NAME PEER_URL: a new single-member cluster from FILE in DIR
# (which must not exist: etcd refuses to restore over data).
etcd_snapshot_restore() {
  etcd_offline snapshot restore "$1" --data-dir "$2" --name "$3" \
    --initial-cluster "$3=$4" --initial-advertise-peer-urls "$4" >/dev/null
}

sha256_of() { sha256sum "$1" | cut -d' ' -f1; }

# backup_record ok|failed JSON: the last outcome, with when and where, in the parameter backend
# (<path>/status/etcd-backup) and on the node; a failed or stale backup is seen, not silent.
backup_record() {
  local value rc=0
  value=$(jq -cn --arg state "$1" --argjson detail "$2" --arg instanceId "$NODE_INSTANCE_ID" --argjson time "$(now)" \
    '{version: 1, state: $state, instanceId: $instanceId, time: $time} + $detail')
  printf '%s\n' "$value" >"$KUBEPLANE_BACKUP_STATUS_FILE"
  backend_record "$KUBEPLANE_PARAMETER_PATH/status/etcd-backup" "$value" || { log "could not record the backup's outcome ($1) in the parameter backend" && rc=1; }
  return "$rc"
}
