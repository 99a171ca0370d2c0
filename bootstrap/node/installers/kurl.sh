# shellcheck shell=bash disable=SC2034 # sets variables for the scripts that source it
# Installer: kURL, from the installer spec pinned in the cluster definition. Same interface as
# kubeadm.sh. Join commands are the ones kURL prints (tasks.sh join_token regenerates them):
#   curl -fsSL https://kurl.sh/<id>/join.sh | sudo bash -s kubernetes-master-address=... kubeadm-token=...

KURL_HOURS=$((KUBEPLANE_JOIN_TOKEN_TTL_HOURS < 24 ? KUBEPLANE_JOIN_TOKEN_TTL_HOURS : 24))
# kURL's join tokens last 24 hours; uploaded certificates two.
INSTALLER_LEASE_SECONDS_worker=$((KURL_HOURS * 3600))
INSTALLER_LEASE_SECONDS_control_plane=$((KURL_HOURS < 2 ? KURL_HOURS * 3600 : 7200))

installer_joined() { [[ -e $KUBEPLANE_KUBELET_CONF ]]; }
installer_initialised() { [[ -e $KUBEPLANE_KUBECONFIG ]]; }

installer_prepare() { apt_install ca-certificates curl jq; }

# kurl_run URL ARGS...: downloads a kURL script and runs it as root.
kurl_run() {
  local script
  script=$(mktemp "$KUBEPLANE_STATE_DIR/kurl.XXXXXX")
  curl -fsSL --retry 5 "$1" -o "$script"
  shift
  local rc=0
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
  printed=$(kurl_run "$KUBEPLANE_KURL_INSTALLER_URL/tasks.sh" "${args[@]}" | sed 's/\x1b\[[0-9;]*m//g')
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

installer_join() {
  local kind=$1 word control_plane=false ca_hash=false cert_key=false
  local -a words args
  read -r -a words <<<"$2"
  if ! [[ ${words[0]:-} == curl && ${words[2]:-} =~ ^https://[A-Za-z0-9./_-]+/join\.sh$ &&
    " ${words[*]:3:4} " == *" | "*"bash -s "* ]]; then
    log "the lease does not hold a kURL join command"
    return 1
  fi
  for word in "${words[@]:3}"; do
    case $word in
      "|" | sudo | bash | -s) continue ;;
      control-plane) control_plane=true ;;
      kubeadm-token-ca-hash=sha256:*) ca_hash=true ;;
      cert-key=?*) cert_key=true ;;
    esac
    [[ $word =~ ^[a-z0-9-]+(=[A-Za-z0-9.:/_-]*)?$ ]] || {
      log "unexpected '$word' in the lease's kURL join command"
      return 1
    }
    args+=("$word")
  done
  if [[ $ca_hash != true ]]; then
    log "the kURL join command does not pin the cluster CA (kubeadm-token-ca-hash)"
    return 1
  fi
  if [[ $kind == control-plane && ($control_plane != true || $cert_key != true) ]] ||
    [[ $kind == worker && $control_plane == true ]]; then
    log "the $kind lease holds a kURL join command for the other role"
    return 1
  fi
  kurl_run "${words[2]}" "${args[@]}"
}

installer_reset() { log "kURL: leaving the failed join's state for the next attempt"; }
