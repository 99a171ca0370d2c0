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

installer_init() {
  local -a args=()
  if cluster_is_ha; then
    args+=(ha "load-balancer-address=$KUBEPLANE_CONTROL_PLANE_ENDPOINT:$KUBEPLANE_API_SERVER_PORT")
  fi
  (umask 077 && kurl_run "$KUBEPLANE_KURL_INSTALLER_URL" "${args[@]}" >"$KUBEPLANE_STATE_DIR/kurl-install.log" 2>&1) ||
    die "the kURL installer failed; see $KUBEPLANE_STATE_DIR/kurl-install.log"
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
# (the join script's arguments); logs why and fails when it is not usable.
kurl_join_args() {
  local kind=$1 word control_plane=false ca_hash=false cert_key=false token=false address=false
  local -a words
  read -r -a words <<<"$2"
  if ! [[ ${words[0]:-} == curl && ${words[2]:-} =~ ^https://[A-Za-z0-9./_-]+/join\.sh$ &&
    " ${words[*]:3:4} " == *" | "*"bash -s "* ]]; then
    log "the $kind join command is not a kURL join command"
    return 1
  fi
  join_url=${words[2]}
  join_args=()
  for word in "${words[@]:3}"; do
    case $word in
      "|" | sudo | bash | -s) continue ;;
      control-plane) control_plane=true ;;
      kubernetes-master-address=?*) address=true ;;
      kubeadm-token=?*) token=true ;;
      kubeadm-token-ca-hash=sha256:*) ca_hash=true ;;
      cert-key=?*) cert_key=true ;;
    esac
    [[ $word =~ ^[a-z0-9-]+(=[A-Za-z0-9.:/_-]*)?$ ]] || {
      log "unexpected '$word' in the $kind kURL join command"
      return 1
    }
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
