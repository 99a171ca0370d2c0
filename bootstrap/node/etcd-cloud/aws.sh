# shellcheck shell=bash
# AWS's part of etcd-members.sh. A cloud's etcd-cloud/<cloud>.sh defines (a gcp.sh follows the
# same interface, with the cloud's tools from metadata/<cloud>.sh):
#   etcd_cloud_live_nodes   the cluster's control-plane instances that are starting or running,
#                           by node name and private address, one a line; a non-zero status when
#                           the cloud cannot be asked (etcd-members.sh then removes nothing)
# Here: EC2 instances tagged kubeplane:cluster and kubeplane:role=control-plane in the states
# pending or running, by private DNS name (kubeadm's node and member name) and address. Uses
# aws_call from metadata/aws.sh.

etcd_cloud_live_nodes() {
  local listed
  listed=$(aws_call - ec2 describe-instances --output text \
    --filters "Name=tag:kubeplane:cluster,Values=$KUBEPLANE_CLUSTER" "Name=tag:kubeplane:role,Values=control-plane" \
    "Name=instance-state-name,Values=pending,running" \
    --query 'Reservations[].Instances[].[PrivateDnsName,PrivateIpAddress]') || return 1
  tr '\t' '\n' <<<"$listed" | sed '/^$/d'
}
