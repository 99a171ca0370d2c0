# shellcheck shell=bash disable=SC2034 # sets variables for the scripts that source it
# The node's cloud, AWS: metadata from the instance metadata service with IMDSv2 (a session token
# is required on every read), and what a node says about itself to the cloud. Cloud interface:
#   metadata_load              sets NODE_INSTANCE_ID, NODE_REGION, NODE_ZONE, NODE_NAME, NODE_IP, NODE_PROVIDER_ID
#   cloud_tag_node KEY VALUE   tags this node's instance (its bootstrap state, for operators)
#   cloud_replace_node         has this node replaced: marks it unhealthy in its auto-scaling group
#   cloud_prepare_node         sets the node up for its cloud before Kubernetes (here: the clock)
#   cloud_prepare_tools        installs the command-line tools this module and the cloud's
#                              parameter backends call (here: the aws CLI); cheap when they are there
# For AWS's parameter backends (backends/ssm.sh, backends/secretsmanager.sh):
#   aws_call ERROR_CODE AWS_ARGS...   runs aws in the cluster's region (KUBEPLANE_AWS_REGION); status 3
#                              when it fails with ERROR_CODE ("-": none expected), otherwise logs the failure

KUBEPLANE_IMDS_ENDPOINT="${KUBEPLANE_IMDS_ENDPOINT:-http://169.254.169.254}"

# The aws CLI retries throttling and transient errors (its legacy default mode retries less).
export AWS_RETRY_MODE="${AWS_RETRY_MODE:-standard}" AWS_MAX_ATTEMPTS="${AWS_MAX_ATTEMPTS:-5}"

# The aws CLI: Ubuntu images do not ship it; the snap lands in /snap/bin.
cloud_prepare_tools() {
  case ":$PATH:" in *:/snap/bin:*) ;; *) PATH="$PATH:/snap/bin" ;; esac
  command -v aws >/dev/null || snap install aws-cli --classic
}

aws_call() {
  local missing=$1 err rc=0
  shift
  err=$(mktemp "$KUBEPLANE_STATE_DIR/aws-error.XXXXXX")
  aws --region "$KUBEPLANE_AWS_REGION" "$@" 2>"$err" || rc=$?
  if ((rc != 0)); then
    if [[ $missing != - ]] && grep -q -- "$missing" "$err"; then rc=3; else log "aws $1 $2 failed: $(tr '\n' ' ' <"$err")"; fi
  fi
  rm -f "$err"
  return "$rc"
}

imds_get() {
  curl -fsS --retry 5 --retry-connrefused --max-time 5 \
    -H "X-aws-ec2-metadata-token: $imds_token" "$KUBEPLANE_IMDS_ENDPOINT/latest/meta-data/$1"
}

metadata_load() {
  imds_token=$(curl -fsS --retry 5 --retry-connrefused --max-time 5 -X PUT \
    -H "X-aws-ec2-metadata-token-ttl-seconds: 300" "$KUBEPLANE_IMDS_ENDPOINT/latest/api/token")
  NODE_INSTANCE_ID=$(imds_get instance-id)
  NODE_REGION=$(imds_get placement/region)
  NODE_ZONE=$(imds_get placement/availability-zone)
  local hostnames
  hostnames=$(imds_get local-hostname)
  NODE_NAME=${hostnames%% *}
  NODE_IP=$(imds_get local-ipv4)
  NODE_PROVIDER_ID="aws:///$NODE_ZONE/$NODE_INSTANCE_ID"
}

cloud_aws() { aws --region "$NODE_REGION" "$@" --output text >/dev/null; }

cloud_tag_node() { cloud_aws ec2 create-tags --resources "$NODE_INSTANCE_ID" --tags "Key=$1,Value=$2"; }

# The group replaces an instance marked unhealthy. Marked now, not after the health check grace
# period (which SetInstanceHealth respects by default): a bootstrap fails within it.
cloud_replace_node() {
  cloud_aws autoscaling set-instance-health --instance-id "$NODE_INSTANCE_ID" --health-status Unhealthy \
    --no-should-respect-grace-period || return 1
  log "marked this node unhealthy: its auto-scaling group replaces it"
}

# The clock from the Amazon Time Sync Service at the link-local 169.254.169.123 ("Set the time
# for your Linux instance", EC2 User Guide): nodes may reach the internet on 80/443 only (the
# firewall), so an NTP pool out there is out of reach, and link-local traffic is not filtered by
# security groups. Ubuntu 24.04 keeps time with systemd-timesyncd (a drop-in under
# timesyncd.conf.d, timesyncd.conf(5)); chrony, where installed instead, takes a sources file.
cloud_prepare_node() {
  local etc="$KUBEPLANE_ROOT/etc"
  mkdir -p "$etc/systemd/timesyncd.conf.d"
  printf '[Time]\nNTP=169.254.169.123\n' >"$etc/systemd/timesyncd.conf.d/kubeplane-aws.conf"
  if [[ -d $etc/chrony ]]; then
    mkdir -p "$etc/chrony/sources.d"
    echo 'server 169.254.169.123 prefer iburst minpoll 4 maxpoll 4' >"$etc/chrony/sources.d/kubeplane-aws.sources"
    chronyc reload sources >/dev/null || log "chrony did not reload its sources; it reads them at its next start"
  fi
  systemctl try-restart systemd-timesyncd.service || log "systemd-timesyncd did not restart; it reads the drop-in at its next start"
}
