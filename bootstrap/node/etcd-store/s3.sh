# shellcheck shell=bash
# The backup store in S3 (providers/aws/aws-backup-bucket.ts): one bucket per cluster, KMS
# encrypted by default, written only by the control-plane role. Objects carry their SHA-256 and
# the Kubernetes version as object metadata (x-amz-meta-*).
# A backup store etcd-store/<kind>.sh (KUBEPLANE_BACKUP_STORE=<kind>, its settings
# KUBEPLANE_BACKUP_* from the cloud's BackupStore, providers/backup-store.ts) defines, each with
# status 0 on success, 3 when KEY is missing, anything else on a failure it has logged (a gcs.sh
# follows the same interface):
#   backup_store_put KEY FILE METADATA    METADATA: k=v,k=v (stored with the object)
#   backup_store_get KEY FILE
#   backup_store_meta KEY                 the object's metadata as a JSON object of strings
#   backup_store_list PREFIX              keys under PREFIX, oldest name first, one a line
#   backup_store_delete KEY
# Uses aws_call from metadata/aws.sh.

backup_store_put() {
  aws_call - s3api put-object --bucket "$KUBEPLANE_BACKUP_BUCKET" --key "$1" --body "$2" --metadata "$3" --output text >/dev/null
}

backup_store_get() {
  aws_call NoSuchKey s3api get-object --bucket "$KUBEPLANE_BACKUP_BUCKET" --key "$1" "$2" --output text >/dev/null
}

backup_store_meta() {
  aws_call '(404)' s3api head-object --bucket "$KUBEPLANE_BACKUP_BUCKET" --key "$1" --query Metadata --output json
}

backup_store_list() {
  local keys
  keys=$(aws_call - s3api list-objects-v2 --bucket "$KUBEPLANE_BACKUP_BUCKET" --prefix "$1" --query 'Contents[].Key' --output text)
  [[ $keys == None ]] && return 0
  tr '\t' '\n' <<<"$keys" | sed '/^$/d' | sort
}

backup_store_delete() {
  aws_call - s3api delete-object --bucket "$KUBEPLANE_BACKUP_BUCKET" --key "$1" --output text >/dev/null
}
