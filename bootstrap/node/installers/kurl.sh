# shellcheck shell=bash disable=SC2034 # sets variables for the scripts that source it
# Installer: kURL, from the installer spec pinned in the cluster definition. Same interface as
# kubeadm.sh. Join commands are the ones kURL prints (tasks.sh join_token regenerates them):
#   curl -fsSL https://kurl.sh/<id>/join.sh | sudo bash -s kubernetes-master-address=... kubeadm-token=...

KURL_HOURS=$((KUBEPLANE_JOIN_TOKEN_TTL_HOURS < 24 ? KUBEPLANE_JOIN_TOKEN_TTL_HOURS : 24))
# kURL's join tokens last 24 hours; uploaded certificates two.
INSTALLER_LEASE_SECONDS_worker=$((KURL_HOURS * 3600))
INSTALLER_LEASE_SECONDS_control_plane=$((KURL_HOURS < 2 ? KURL_HOURS * 3600 : 7200))

installer_joined() { [[ -e $KUBEPLANE_KUBELET_CONF ]]; }
installer_initialised() { [[ -e $KUBEPLANE_INITIALISED_MARKER && -e $KUBEPLANE_KUBECONFIG ]]; }
# installer_restores: no. kURL's installer makes its own cluster (its kubeadm init, PKI and add-ons)
# and takes no etcd data directory to start from; a replaced first node refuses instead.
installer_restores() { return 1; }

# kURL installs the kubelet itself, later: its defaults are in place before it starts.
installer_prepare() {
  apt_install ca-certificates curl jq
  write_kubelet_defaults
}

# kurl_run URL ARGS...: downloads a kURL script and runs it as root.
# Callers use it in `if` or `||`, where errexit is off: every step is checked explicitly.
kurl_run() {
  local script url=$1 rc=0
  shift
  script=$(mktemp "$KUBEPLANE_STATE_DIR/kurl.XXXXXX") || return 1
  if ! curl -fsSL --retry 5 "$url" -o "$script"; then
    log "could not download $url"
    rm -f "$script"
    return 1
  fi
  if [[ ! -s $script ]]; then
    log "downloaded an empty script from $url"
    rm -f "$script"
    return 1
  fi
  bash "$script" "$@" || rc=$?
  rm -f "$script"
  return "$rc"
}

# Every kURL cluster gets the stable endpoint as kURL's load balancer address, a single primary too
# (so a replaced first node keeps the endpoint): kURL then treats the cluster as HA whatever its
# size (kurl_util/cmd/yamltobash/main.go sets HA_CLUSTER=1 for any kubernetes.loadBalancerAddress;
# the flag fills it, kurl_util/cmd/bashmerge/main.go) and writes controlPlaneEndpoint and the API
# certificate's name from it (scripts/install.sh init, kustomize patch-load-balancer-address.yaml).
installer_init() {
  local -a args=()
  if cluster_is_ha; then args+=(ha); fi
  args+=("load-balancer-address=$KUBEPLANE_CONTROL_PLANE_ENDPOINT:$KUBEPLANE_API_SERVER_PORT")
  run_private "$KUBEPLANE_STATE_DIR/kurl-install.log" "the kURL installer" kurl_run "$KUBEPLANE_KURL_INSTALLER_URL" "${args[@]}" ||
    die "the kURL installer failed"
}

installer_join_command() {
  local -a args=(join_token)
  [[ $1 == control-plane ]] && args+=(ha)
  local printed line
  printed=$(kurl_run "$KUBEPLANE_KURL_INSTALLER_URL/tasks.sh" "${args[@]}" | sed 's/\x1b\[[0-9;]*m//g') || {
    log "kURL's tasks.sh join_token failed"
    return 1
  }
  while read -r line; do
    [[ $line == curl*join.sh*"bash -s"* ]] || continue
    if [[ $1 == control-plane ]]; then
      [[ $line == *" control-plane"* ]] && echo "$line" && return 0
    else
      [[ $line != *" control-plane"* ]] && echo "$line" && return 0
    fi
  done <<<"$printed"
  log "kURL's tasks.sh join_token printed no $1 join command"
  return 1
}

# kurl_join_args KIND COMMAND: checks a kURL join command for KIND and sets join_url and join_args
# (the join script's arguments); logs why and fails when it is not usable. The command is what
# tasks.sh join_token prints (scripts/tasks.sh join_token, flags from scripts/common/common.sh):
#   curl -fsSL <kurl url>/<installer id>/join.sh | sudo bash -s kubernetes-master-address=<host:port>
#     kubeadm-token=<token> kubeadm-token-ca-hash=sha256:<hash> kubernetes-version=<x.y.z>
#     [cert-key=<key> control-plane] [docker-registry-ip=<ip>]
#     [additional-no-proxy-addresses=<a>,<b>,...] [kurl-install-directory=<dir>]
#     [primary-host=<ip>]... [secondary-host=<ip>]... [ipv6] ekco-address=<ip:port> ekco-auth-token=<token>
# Only the pipe to bash is shell syntax; every argument is a word of letters, digits and . : / _ , -
# (nothing a shell would expand or run), except EKCO's auth token, which tasks.sh reads from the
# ekco-config ConfigMap with its YAML quotes: `ekco-auth-token="<letters and digits>"`. The join
# script gets it unquoted, as bash would pass it.
kurl_join_args() {
  local kind=$1 word control_plane=false ca_hash=false cert_key=false token=false address=false
  local -a words
  read -r -a words <<<"$2"
  if ! [[ ${words[0]:-} == curl && ${words[1]:-} == -fsSL && ${words[2]:-} =~ ^https://[A-Za-z0-9./_-]+/join\.sh$ &&
    ${words[3]:-} == "|" && ${words[4]:-} == sudo && ${words[5]:-} == bash && ${words[6]:-} == -s ]]; then
    log "the $kind join command is not a kURL join command"
    return 1
  fi
  join_url=${words[2]}
  join_args=()
  for word in "${words[@]:7}"; do
    if [[ $word =~ ^ekco-auth-token=\"([A-Za-z0-9]*)\"$ ]]; then
      word="ekco-auth-token=${BASH_REMATCH[1]}"
    fi
    [[ $word =~ ^[a-z0-9-]+(=[A-Za-z0-9.:/_,-]*)?$ ]] || {
      log "unexpected '$word' in the $kind kURL join command"
      return 1
    }
    case $word in
      control-plane) control_plane=true ;;
      kubernetes-master-address=?*) address=true ;;
      kubeadm-token=?*) token=true ;;
      kubeadm-token-ca-hash=sha256:*) ca_hash=true ;;
      cert-key=?*) cert_key=true ;;
    esac
    join_args+=("$word")
  done
  if [[ $ca_hash != true || $address != true || $token != true ]]; then
    log "the $kind kURL join command lacks the API address, the token or the cluster CA (kubeadm-token-ca-hash)"
    return 1
  fi
  if [[ $kind == control-plane && ($control_plane != true || $cert_key != true) ]] ||
    [[ $kind == worker && $control_plane == true ]]; then
    log "the $kind kURL join command is one for the other role"
    return 1
  fi
}

installer_check_command() {
  local join_url
  local -a join_args
  kurl_join_args "$1" "$2"
}

installer_join() {
  local join_url
  local -a join_args
  kurl_join_args "$1" "$2" || return 1
  kurl_run "$join_url" "${join_args[@]}"
}

installer_reset() { log "kURL: leaving the failed join's state for the next attempt"; }
