# shellcheck shell=bash
# Google Cloud's part of etcd-members.sh: the interface of etcd-cloud/aws.sh (read its header).
# Here: the project's instances labelled kubeplane-cluster=<cluster> and
# kubeplane-role=control-plane (providers/gcp/gcp-labels.ts) in the states PROVISIONING, STAGING
# or RUNNING, by name (the node name, hence kubeadm's member name) and private address
# (networkInterfaces[0].networkIP), from instances.aggregatedList, every zone, every page
# (https://cloud.google.com/compute/docs/reference/rest/v1/instances/aggregatedList). Uses gcp_api
# from metadata/gcp.sh.

etcd_cloud_live_nodes() {
  local filter url answer token="" nodes=""
  filter=$(jq -rn --arg cluster "$KUBEPLANE_CLUSTER" '"labels.kubeplane-cluster = \"\($cluster)\" AND labels.kubeplane-role = \"control-plane\"" | @uri')
  while :; do
    url="$KUBEPLANE_GCP_COMPUTE_URL/projects/$NODE_PROJECT/aggregated/instances?filter=$filter&returnPartialSuccess=false"
    [[ -z $token ]] || url+="&pageToken=$(jq -rn --arg t "$token" '$t | @uri')"
    answer=$(gcp_api - GET "$url") || return 1
    # The states filtered here too: a zone without instances answers a warning, not a list.
    nodes+=$(jq -r --arg cluster "$KUBEPLANE_CLUSTER" '.items // {} | .[] | .instances // [] | .[]
      | select(.labels["kubeplane-cluster"] == $cluster and .labels["kubeplane-role"] == "control-plane")
      | select(.status == "PROVISIONING" or .status == "STAGING" or .status == "RUNNING")
      | .name, (.networkInterfaces[0].networkIP // empty)' <<<"$answer")$'\n'
    token=$(jq -r '.nextPageToken // empty' <<<"$answer")
    [[ -n $token ]] || break
  done
  sed '/^$/d' <<<"$nodes"
}
