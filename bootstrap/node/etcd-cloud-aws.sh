# shellcheck shell=bash
# AWS's part of etcd-members.sh: the cluster's control-plane instances that are starting or
# running (tags kubeplane:cluster and kubeplane:role=control-plane), by private DNS name and
# address. Uses aws_call from metadata/aws.sh.

etcd_cloud_live_nodes() {
  aws_call - ec2 describe-instances --output text \
    --filters "Name=tag:kubeplane:cluster,Values=$KUBEPLANE_CLUSTER" "Name=tag:kubeplane:role,Values=control-plane" \
    "Name=instance-state-name,Values=pending,running" \
    --query 'Reservations[].Instances[].[PrivateDnsName,PrivateIpAddress]' | tr '\t' '\n' | sed '/^$/d'
}
