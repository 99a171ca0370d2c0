# shellcheck shell=bash
# Parameter backend: AWS Secrets Manager. The node-side backend interface of backends/ssm.sh (read
# its header), with names as secret names (KUBEPLANE_PARAMETER_PATH is `kubeplane/<cluster>`):
#   - the join leases are the secrets join/worker and join/control-plane, which Terraform made
#     empty under the cluster's KMS key (providers/aws/secrets-manager-parameter-backend.ts);
#     backend_put adds a version (PutSecretValue), so the key stays the one Terraform chose;
#   - everything else nodes write (claim, locks, status, requests: no secret) is a secret they
#     create under Secrets Manager's own key aws/secretsmanager, tagged with the cluster's tag;
#   - a joiner asks for a fresh lease with the request record KUBEPLANE_REFRESH_REQUEST, which the
#     control plane's request timer answers (refresh-join-lease.sh --if-requested): no Run Command.
# Error codes from Secrets Manager's API model (botocore data/secretsmanager/2017-10-17/service-2.json):
# GetSecretValue fails with ResourceNotFoundException for a missing secret AND for one without a
# value yet ("can't find the specified secret value for staging label: AWSCURRENT"); CreateSecret
# with ResourceExistsException when the name is taken. DeleteSecret with
# ForceDeleteWithoutRecovery removes the secret at once (no 7-30 day recovery window that would
# block its name), and succeeds for a secret that does not exist. Its removal finishes in the
# background ("a short delay"): a create of the same name right after may fail; the locks and the
# request record, the names deleted and made again, are retried by their callers.

secretsmanager_cluster_tag() { printf 'Key=%s,Value=%s' "${KUBEPLANE_CLUSTER_TAG_KEY:-kubeplane:cluster}" "$KUBEPLANE_CLUSTER"; }

backend_put() {
  # The value travels in a private file, not on the command line.
  local value_file rc=0
  value_file=$(umask 077 && mktemp "$KUBEPLANE_STATE_DIR/secret.XXXXXX")
  printf '%s' "$2" >"$value_file"
  aws_call - secretsmanager put-secret-value --secret-id "$1" --secret-string "file://$value_file" \
    --output text >/dev/null || rc=$?
  rm -f "$value_file"
  return "$rc"
}

backend_record() {
  local rc=0
  backend_create "$1" "$2" || rc=$?
  ((rc == 3)) || return "$rc"
  aws_call - secretsmanager put-secret-value --secret-id "$1" --secret-string "$2" --output text >/dev/null
}

backend_get() {
  aws_call ResourceNotFoundException secretsmanager get-secret-value --secret-id "$1" \
    --query SecretString --output text
}

backend_create() {
  aws_call ResourceExistsException secretsmanager create-secret --name "$1" --secret-string "$2" \
    --tags "$(secretsmanager_cluster_tag)" --output text >/dev/null
}

backend_delete() {
  aws_call - secretsmanager delete-secret --secret-id "$1" --force-delete-without-recovery --output text >/dev/null
}

backend_request_refresh() {
  local rc=0
  backend_create "$KUBEPLANE_REFRESH_REQUEST" "${NODE_INSTANCE_ID:-unknown} $(now)" || rc=$?
  case $rc in
    0) log "asked the control plane for a fresh join lease (request $KUBEPLANE_REFRESH_REQUEST)" ;;
    3) log "a request for a fresh join lease is pending ($KUBEPLANE_REFRESH_REQUEST)" ;;
    *) return 1 ;;
  esac
}

backend_requests_by_record() { true; }

backend_removal_hint() {
  printf 'aws secretsmanager delete-secret --region %s --secret-id %s --force-delete-without-recovery' "$KUBEPLANE_AWS_REGION" "$1"
}
