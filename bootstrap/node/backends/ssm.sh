# shellcheck shell=bash
# Parameter backend: AWS SSM Parameter Store (SecureString, encrypted with the cluster's KMS key)
# and SSM Run Command for refresh requests. The node-side backend interface:
#   backend_put NAME VALUE        store a secret value, replacing any previous one
#   backend_record NAME VALUE     store a non-secret value, replacing any previous one (the node's
#                                 bootstrap status: workers may write it, but cannot encrypt)
#   backend_get NAME              print the value; status 3 when it does not exist
#   backend_create NAME VALUE     store a non-secret value only if NAME is free, atomically (two
#                                 nodes creating the same NAME: exactly one succeeds); status 3 when taken
#   backend_delete NAME
#   backend_request_refresh       ask a running control-plane node to run the lease refresh command;
#                                 status 2 when there is no control-plane node to ask
#   backend_requests_by_record    true when joiners ask with the request record KUBEPLANE_REFRESH_REQUEST
#                                 (answered by the control plane's request timer) instead
#   backend_removal_hint NAME     print the operator's command that removes NAME
# Everything a node writes carries the cluster's tag (KUBEPLANE_CLUSTER_TAG_KEY=<cluster>), so that
# destroying the cluster finds the parameters made at run time. The aws CLI and aws_call come
# from the AWS cloud module (metadata/aws.sh).

ssm_cluster_tag() { printf 'Key=%s,Value=%s' "${KUBEPLANE_CLUSTER_TAG_KEY:-kubeplane:cluster}" "$KUBEPLANE_CLUSTER"; }

# ssm_tag NAME: tags a parameter just overwritten (PutParameter refuses tags with --overwrite:
# "tags and overwrite can't be used together"; AddTagsToResource sets them on the parameter).
ssm_tag() {
  aws_call - ssm add-tags-to-resource --resource-type Parameter --resource-id "$1" \
    --tags "$(ssm_cluster_tag)" --output text >/dev/null
}

backend_put() {
  # The value travels in a private file, not on the command line.
  local value_file rc=0
  value_file=$(umask 077 && mktemp "$KUBEPLANE_STATE_DIR/parameter.XXXXXX")
  printf '%s' "$2" >"$value_file"
  aws_call - ssm put-parameter --name "$1" --type SecureString --key-id "$KUBEPLANE_KMS_KEY_ID" \
    --overwrite --value "file://$value_file" --output text >/dev/null || rc=$?
  rm -f "$value_file"
  ((rc == 0)) || return "$rc"
  ssm_tag "$1"
}

backend_record() {
  aws_call - ssm put-parameter --name "$1" --type String --overwrite --value "$2" --output text >/dev/null || return
  ssm_tag "$1"
}

backend_get() {
  aws_call ParameterNotFound ssm get-parameter --name "$1" --with-decryption \
    --query Parameter.Value --output text
}

backend_create() {
  # Without --overwrite PutParameter creates the parameter or fails with ParameterAlreadyExists.
  aws_call ParameterAlreadyExists ssm put-parameter --name "$1" --type String --value "$2" \
    --tags "$(ssm_cluster_tag)" --output text >/dev/null
}

backend_delete() {
  aws_call ParameterNotFound ssm delete-parameter --name "$1"
}

backend_request_refresh() {
  local found id command_id
  local -a candidates=()
  found=$(aws_call - ec2 describe-instances --output text \
    --filters "Name=tag:${KUBEPLANE_CLUSTER_TAG_KEY:-kubeplane:cluster},Values=$KUBEPLANE_CLUSTER" \
    "Name=tag:$KUBEPLANE_CONTROL_PLANE_TAG_KEY,Values=$KUBEPLANE_CONTROL_PLANE_TAG_VALUE" \
    "Name=instance-state-name,Values=running" \
    --query 'Reservations[].Instances[].InstanceId') || return 1
  for id in $found; do
    [[ $id == i-* && $id != "${NODE_INSTANCE_ID:-}" ]] && candidates+=("$id")
  done
  if ((${#candidates[@]} == 0)); then
    log "no running control-plane node to ask for a fresh join lease yet"
    return 2
  fi
  id=${candidates[RANDOM % ${#candidates[@]}]}
  command_id=$(aws_call - ssm send-command --document-name "$KUBEPLANE_REFRESH_DOCUMENT" \
    --instance-ids "$id" --comment "join lease refresh for ${NODE_INSTANCE_ID:-a node}" \
    --query Command.CommandId --output text) || return 1
  log "asked control-plane node $id (of ${#candidates[@]} running) for a fresh join lease (command $command_id)"
}

# Run Command is the fast path: a joiner asks one running control-plane node directly.
backend_requests_by_record() { false; }

backend_removal_hint() {
  printf 'aws ssm delete-parameter --region %s --name %s' "$KUBEPLANE_AWS_REGION" "$1"
}
