#!/usr/bin/env bash
# kubeplane-etcd-restore [--snapshot KEY|latest] [--data-dir DIR] [--name NAME] [--peer-url URL] [--pki]
# Restores etcd from a snapshot in the cluster's backup store into DIR (default /var/lib/etcd),
# as a new single-member cluster named NAME (default this node's name) at URL (default
# https://<node ip>:2380): what kubeadm's etcd on this node then starts from. The snapshot is
# verified first, its SHA-256 against the one recorded at upload, then by etcdutl snapshot status:
# a corrupt or truncated snapshot is refused and nothing is written. DIR must be missing or
# empty (an operator moves an old one aside). --pki also restores the cluster's PKI (CAs and
# service-account keys) into /etc/kubernetes/pki, verified the same way, refusing to overwrite
# a different one. Prints the restored snapshot's key on success.
set -euo pipefail
KUBEPLANE_SCRIPT=etcd-restore
# shellcheck source=common.sh
. "${KUBEPLANE_ROOT:-}/usr/local/lib/kubeplane/common.sh"
load_cluster
# shellcheck source=etcd-common.sh
. "$KUBEPLANE_LIB/etcd-common.sh"

snapshot=latest data_dir=$KUBEPLANE_ETCD_DATA_DIR name="" peer_url="" pki=false
while (($#)); do
  case $1 in
    --snapshot) snapshot=${2:?--snapshot needs a key or latest} && shift ;;
    --data-dir) data_dir=${2:?--data-dir needs a directory} && shift ;;
    --name) name=${2:?--name needs the etcd member name} && shift ;;
    --peer-url) peer_url=${2:?--peer-url needs a URL} && shift ;;
    --pki) pki=true ;;
    *) die "unknown argument '$1' (usage: kubeplane-etcd-restore [--snapshot KEY|latest] [--data-dir DIR] [--name NAME] [--peer-url URL] [--pki])" ;;
  esac
  shift
done

work=""
trap '[[ -n $work ]] && rm -rf "$work"' EXIT
if [[ -z $name || -z $peer_url ]]; then
  metadata_load
  name=${name:-$NODE_NAME}
  peer_url=${peer_url:-https://$NODE_IP:2380}
fi

if [[ $snapshot == latest ]]; then
  snapshot=$(backup_store_list "$KUBEPLANE_BACKUP_SNAPSHOT_PREFIX" | grep -E '\.db$' | tail -n 1) || true
  [[ -n $snapshot ]] || die "no snapshot in the backup store ${KUBEPLANE_BACKUP_BUCKET:-} under $KUBEPLANE_BACKUP_SNAPSHOT_PREFIX"
fi
if [[ -n $(ls -A "$data_dir" 2>/dev/null) ]]; then
  die "$data_dir holds data: nothing restored. Move it aside first (mv $data_dir $data_dir.before-restore)"
fi

work=$(umask 077 && mktemp -d "$KUBEPLANE_STATE_DIR/etcd-restore.XXXXXX")

# fetch_verified KEY FILE: the object, its SHA-256 checked against the one recorded at upload.
fetch_verified() {
  local meta rc=0 expected actual
  meta=$(backup_store_meta "$1") || rc=$?
  ((rc != 3)) || die "no $1 in the backup store"
  ((rc == 0)) || die "could not read $1's metadata from the backup store"
  expected=$(jq -r '.sha256 // empty' <<<"$meta")
  [[ $expected =~ ^[0-9a-f]{64}$ ]] || die "$1 carries no SHA-256 (not uploaded by kubeplane-etcd-snapshot?): refusing it, nothing restored"
  backup_store_get "$1" "$2" || die "could not download $1"
  actual=$(sha256_of "$2")
  [[ $actual == "$expected" ]] || die "$1 is corrupt or truncated: its SHA-256 is $actual, the backup recorded $expected; nothing restored"
}

# etcd's tools of the minor kubeadm's etcd runs: a restore by another minor's etcdutl writes a
# data directory that etcd may refuse to start from.
etcd_tools_install
if command -v kubeadm >/dev/null; then
  kubeadm_etcd=$(etcd_tools_kubeadm_version) || die "could not tell which etcd kubeadm runs ('kubeadm config images list' names no etcd image); nothing restored"
  etcd_tools_match_server "$kubeadm_etcd"
else
  log "kubeadm is not installed here: restoring with etcd $KUBEPLANE_ETCD_TOOLS_VERSION's tools without checking the etcd kubeadm runs"
fi

fetch_verified "$snapshot" "$work/snapshot.db"
etcd_snapshot_status "$work/snapshot.db" >/dev/null 2>&1 ||
  die "$snapshot is not a valid etcd snapshot (etcdutl snapshot status refuses it); nothing restored"

if [[ $pki == true ]]; then
  fetch_verified "${KUBEPLANE_BACKUP_PKI_PREFIX}pki.tar.gz" "$work/pki.tar.gz"
  mkdir -p "$work/pki"
  tar -xzf "$work/pki.tar.gz" -C "$work/pki"
  for file in "${KUBEPLANE_PKI_FILES[@]}"; do
    [[ -f $work/pki/$file ]] || die "the stored PKI lacks $file; nothing restored"
    if [[ -e $KUBEPLANE_PKI_DIR/$file ]] && ! cmp -s "$work/pki/$file" "$KUBEPLANE_PKI_DIR/$file"; then
      die "$KUBEPLANE_PKI_DIR/$file differs from the stored PKI: refusing to overwrite it; nothing restored"
    fi
  done
fi

# Into a sibling first, then renamed: DIR never holds half a restore.
restoring="$data_dir.restoring.$$"
rm -rf "$restoring"
etcd_snapshot_restore "$work/snapshot.db" "$restoring" "$name" "$peer_url"
mkdir -p "$(dirname "$data_dir")"
rmdir "$data_dir" 2>/dev/null || true
mv "$restoring" "$data_dir"
chmod 700 "$data_dir"
if [[ $pki == true ]]; then
  for file in "${KUBEPLANE_PKI_FILES[@]}"; do
    install -D -m 0600 "$work/pki/$file" "$KUBEPLANE_PKI_DIR/$file"
  done
  chmod 0644 "$KUBEPLANE_PKI_DIR"/*.crt "$KUBEPLANE_PKI_DIR"/etcd/*.crt "$KUBEPLANE_PKI_DIR/sa.pub"
fi
log "restored $snapshot into $data_dir as member $name ($peer_url)$([[ $pki == true ]] && echo ', with the cluster PKI')"
echo "$snapshot"
