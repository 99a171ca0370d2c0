# shellcheck shell=bash disable=SC2034 # sets variables for the scripts that source it
# Node metadata on AWS, from the instance metadata service with IMDSv2 (a session token is
# required on every read). Sets NODE_INSTANCE_ID, NODE_ZONE, NODE_NAME, NODE_IP, NODE_PROVIDER_ID.

KUBEPLANE_IMDS_ENDPOINT="${KUBEPLANE_IMDS_ENDPOINT:-http://169.254.169.254}"

imds_get() {
  curl -fsS --retry 5 --retry-connrefused --max-time 5 \
    -H "X-aws-ec2-metadata-token: $imds_token" "$KUBEPLANE_IMDS_ENDPOINT/latest/meta-data/$1"
}

metadata_load() {
  imds_token=$(curl -fsS --retry 5 --retry-connrefused --max-time 5 -X PUT \
    -H "X-aws-ec2-metadata-token-ttl-seconds: 300" "$KUBEPLANE_IMDS_ENDPOINT/latest/api/token")
  NODE_INSTANCE_ID=$(imds_get instance-id)
  NODE_ZONE=$(imds_get placement/availability-zone)
  local hostnames
  hostnames=$(imds_get local-hostname)
  NODE_NAME=${hostnames%% *}
  NODE_IP=$(imds_get local-ipv4)
  NODE_PROVIDER_ID="aws:///$NODE_ZONE/$NODE_INSTANCE_ID"
}
