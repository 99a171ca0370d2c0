# shellcheck shell=bash disable=SC2034 # sets variables for the scripts that source it
# The node's cloud, AWS: the termination lifecycle of its auto-scaling group. Interface:
#   termination_pending     true when the group is terminating this instance (scale-in, instance
#                           refresh, a rebalance): its target lifecycle state is Terminated
#   termination_complete    lets the termination go on: completes the drain hook's lifecycle action
# The group holds a terminating instance in Terminating:Wait on the worker pool's hook
# (providers/aws/aws-worker-pool.ts: DRAIN_HOOK_NAME) until then, or until the hook's timeout.

TERMINATION_HOOK_NAME=kubeplane-drain

# The target lifecycle state through instance metadata ("Retrieve the target lifecycle state
# through instance metadata", EC2 Auto Scaling User Guide:
# https://docs.aws.amazon.com/autoscaling/ec2/userguide/retrieving-target-lifecycle-state-through-imds.html):
# InService, Terminated, Detached, Warmed:*. A fresh IMDSv2 token on every poll: the watch runs for
# the node's whole life.
termination_pending() {
  local token state
  token=$(curl -fsS --max-time 5 -X PUT -H "X-aws-ec2-metadata-token-ttl-seconds: 60" \
    "$KUBEPLANE_IMDS_ENDPOINT/latest/api/token") || return 1
  state=$(curl -fsS --max-time 5 -H "X-aws-ec2-metadata-token: $token" \
    "$KUBEPLANE_IMDS_ENDPOINT/latest/meta-data/autoscaling/target-lifecycle-state") || return 1
  [[ $state == Terminated ]]
}

termination_group() {
  aws --region "$NODE_REGION" autoscaling describe-auto-scaling-instances --instance-ids "$NODE_INSTANCE_ID" \
    --query 'AutoScalingInstances[0].AutoScalingGroupName' --output text
}

termination_complete() {
  local group
  group=$(termination_group) || return 1
  if [[ -z $group || $group == None ]]; then
    log "instance $NODE_INSTANCE_ID is in no auto-scaling group"
    return 1
  fi
  aws --region "$NODE_REGION" autoscaling complete-lifecycle-action --lifecycle-hook-name "$TERMINATION_HOOK_NAME" \
    --auto-scaling-group-name "$group" --instance-id "$NODE_INSTANCE_ID" --lifecycle-action-result CONTINUE >/dev/null
}
