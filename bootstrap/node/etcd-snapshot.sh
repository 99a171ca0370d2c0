#!/usr/bin/env bash
# kubeplane-etcd-snapshot, run by kubeplane-etcd-snapshot.timer on every control-plane node
# (every backups.interval): the etcd leader alone takes a snapshot (one node at a time, no lock
# to leave behind) with etcd's own tools of the server's minor (etcd-tools.sh), verifies it
# (etcdutl snapshot status), uploads it to the cluster's backup
# store with its SHA-256, revision and the Kubernetes version, uploads the cluster's PKI when it
# changed, removes snapshots older than backups.retentionDays, and records the outcome
# (<parameter path>/status/etcd-backup and /var/lib/kubeplane/etcd-backup.json). Any failure
# is recorded as failed and the unit fails (systemctl --failed shows it).
set -euo pipefail
KUBEPLANE_SCRIPT=etcd-snapshot
# shellcheck source=common.sh
. "${KUBEPLANE_ROOT:-}/usr/local/lib/kubeplane/common.sh"
load_cluster
# shellcheck source=etcd-common.sh
. "$KUBEPLANE_LIB/etcd-common.sh"

step="reading the instance metadata"
work=""
on_exit() {
  local rc=$?
  trap - EXIT
  [[ -n $work ]] && rm -rf "$work"
  if ((rc != 0)) && [[ -n ${NODE_INSTANCE_ID:-} ]]; then
    log "the etcd backup failed while $step (status $rc)"
    backup_record failed "$(jq -cn --arg step "$step" '{step: $step}')" || true
  fi
  exit "$rc"
}
trap on_exit EXIT

metadata_load
step="installing etcd's tools"
etcd_tools_install
step="asking etcd for its leader"
status=$(etcd_ctl endpoint status -w json)
step="checking etcd's version against its tools"
etcd_tools_match_server "$(jq -r '.[0].Status.version' <<<"$status")"
member=$(jq -r '.[0].Status.header.member_id' <<<"$status")
leader=$(jq -r '.[0].Status.leader' <<<"$status")
if [[ $member != "$leader" ]]; then
  log "this node's etcd member ($member) is not the leader ($leader): the leader takes the snapshot"
  exit 0
fi

work=$(umask 077 && mktemp -d "$KUBEPLANE_STATE_DIR/etcd-snapshot.XXXXXX")
step="taking the snapshot"
etcd_ctl snapshot save "$work/snapshot.db" >/dev/null
step="verifying the snapshot"
verified=$(etcd_snapshot_status "$work/snapshot.db") || die "etcd's snapshot status refuses the snapshot just taken"
revision=$(jq -r '.revision' <<<"$verified")
keys=$(jq -r '.totalKey' <<<"$verified")
sha=$(sha256_of "$work/snapshot.db")
key="${KUBEPLANE_BACKUP_SNAPSHOT_PREFIX}$(date -u +%Y%m%dT%H%M%SZ)-$NODE_INSTANCE_ID.db"
step="uploading the snapshot"
backup_store_put "$key" "$work/snapshot.db" \
  "sha256=$sha,revision=$revision,kubernetes-version=$KUBEPLANE_KUBERNETES_VERSION,instance-id=$NODE_INSTANCE_ID"
log "uploaded $key (revision $revision, $keys keys, sha256 $sha)"

# The PKI: uploaded when it differs from the stored copy (same files, same hash).
step="uploading the PKI"
(cd "$KUBEPLANE_PKI_DIR" && tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -czf "$work/pki.tar.gz" "${KUBEPLANE_PKI_FILES[@]}")
pki_sha=$(sha256_of "$work/pki.tar.gz")
stored_rc=0
stored=$(backup_store_meta "${KUBEPLANE_BACKUP_PKI_PREFIX}pki.tar.gz") || stored_rc=$?
((stored_rc == 0 || stored_rc == 3)) || die "could not read the stored PKI's metadata"
stored=${stored:-"{}"}
if [[ $(jq -r '.sha256 // empty' <<<"$stored") != "$pki_sha" ]]; then
  backup_store_put "${KUBEPLANE_BACKUP_PKI_PREFIX}pki.tar.gz" "$work/pki.tar.gz" "sha256=$pki_sha,instance-id=$NODE_INSTANCE_ID"
  log "uploaded the cluster's PKI (sha256 $pki_sha)"
fi

# Retention: snapshots whose name says they are older than backups.retentionDays (the store's
# lifecycle expires them too; this keeps the list short at once).
step="removing expired snapshots"
oldest=$(($(now) - ${KUBEPLANE_BACKUP_RETENTION_DAYS:?} * 86400))
while IFS= read -r old; do
  [[ -n $old ]] || continue
  stamp=${old#"$KUBEPLANE_BACKUP_SNAPSHOT_PREFIX"}
  [[ $stamp =~ ^([0-9]{8})T([0-9]{2})([0-9]{2})([0-9]{2})Z- ]] || continue
  # A name that only looks like a time (second 60, month 13) is no snapshot of ours: left alone.
  taken=$(date -u -d "${BASH_REMATCH[1]} ${BASH_REMATCH[2]}:${BASH_REMATCH[3]}:${BASH_REMATCH[4]}" +%s 2>/dev/null) || continue
  if ((taken < oldest)); then
    backup_store_delete "$old"
    log "removed $old (older than ${KUBEPLANE_BACKUP_RETENTION_DAYS} days)"
  fi
done < <(backup_store_list "$KUBEPLANE_BACKUP_SNAPSHOT_PREFIX")

step="recording the backup"
backup_record ok "$(jq -cn --arg snapshot "$key" --arg sha256 "$sha" --argjson revision "$revision" '{snapshot: $snapshot, sha256: $sha256, revision: $revision}')"
