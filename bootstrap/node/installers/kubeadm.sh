# shellcheck shell=bash disable=SC2034 # sets variables for the scripts that source it
# Installer: kubeadm, with containerd and kubelet/kubeadm/kubectl pinned to the cluster's version
# from pkgs.k8s.io, and Calico from a pinned manifest. Installer interface (see also kurl.sh):
#   installer_joined / installer_initialised      is this node in the cluster / a working control plane
#   installer_prepare                             install the runtime and tools, then write_kubelet_defaults
#   installer_init                                create the cluster on the first control-plane node
#   installer_join_command worker|control-plane   print a fresh join command (control-plane node only)
#   installer_check_command KIND COMMAND          is COMMAND a well-formed join command for KIND
#   installer_join worker|control-plane COMMAND   join with a command taken from a lease
#   installer_reset                               undo a failed join before trying again
#   INSTALLER_LEASE_SECONDS_worker / _control_plane   how long a fresh join command works

INSTALLER_LEASE_SECONDS_worker=$((KUBEPLANE_JOIN_TOKEN_TTL_HOURS * 3600))
# kubeadm deletes uploaded certificates after two hours.
INSTALLER_LEASE_SECONDS_control_plane=$((INSTALLER_LEASE_SECONDS_worker < 7200 ? INSTALLER_LEASE_SECONDS_worker : 7200))

# shellcheck source=installers/containerd.sh
. "$KUBEPLANE_LIB/installers/containerd.sh"

# How long to wait before retrying a failed download, apply or init (doubled after each failure).
KUBEADM_RETRY_DELAY_SECONDS=${KUBEPLANE_INSTALL_RETRY_DELAY_SECONDS:-5}
KUBEADM_INIT_ATTEMPTS=3
KUBEADM_APISERVER_MANIFEST="$KUBEPLANE_ROOT/etc/kubernetes/manifests/kube-apiserver.yaml"

# kubeadm writes kubelet.conf early in init and in a control-plane join: a control-plane node is
# part of the cluster once it is initialised, a worker once the kubelet has its kubeconfig.
installer_joined() {
  [[ -e $KUBEPLANE_KUBELET_CONF ]] && { [[ $KUBEPLANE_ROLE == worker ]] || [[ -e $KUBEPLANE_INITIALISED_MARKER ]]; }
}
installer_initialised() { [[ -e $KUBEPLANE_INITIALISED_MARKER && -e $KUBEPLANE_KUBECONFIG ]]; }
# installer_restores: kubeadm init restores a cluster over a restored etcd data directory and PKI
# (installer_init with KUBEPLANE_RESTORE_SNAPSHOT).
installer_restores() { return 0; }

installer_prepare() {
  local minor=${KUBEPLANE_KUBERNETES_VERSION%.*} keyring=/etc/apt/keyrings/kubernetes-apt-keyring.gpg
  local repo="https://pkgs.k8s.io/core:/stable:/v$minor/deb/" pin="$KUBEPLANE_KUBERNETES_VERSION-*"
  local etc="$KUBEPLANE_ROOT/etc" pause
  mkdir -p "$etc/modules-load.d" "$etc/sysctl.d" "$etc/apt/keyrings" "$etc/apt/sources.list.d"
  printf 'overlay\nbr_netfilter\n' >"$etc/modules-load.d/kubeplane.conf"
  # The kubelet refuses to run with swap on (Ubuntu's cloud images have none: harmless there).
  swapoff -a
  modprobe overlay
  modprobe br_netfilter
  printf 'net.bridge.bridge-nf-call-iptables = 1\nnet.bridge.bridge-nf-call-ip6tables = 1\nnet.ipv4.ip_forward = 1\n' \
    >"$etc/sysctl.d/99-kubeplane.conf"
  sysctl --system >/dev/null
  # git: kustomize fetches the addons' pinned bases (kubeadm_apply_addons).
  apt_install ca-certificates curl gpg jq git
  containerd_install
  curl -fsSL --retry 5 "${repo}Release.key" | gpg --dearmor --batch --yes -o "$KUBEPLANE_ROOT$keyring"
  echo "deb [signed-by=$keyring] $repo /" >"$etc/apt/sources.list.d/kubernetes.list"
  apt_install "kubelet=$pin" "kubeadm=$pin" "kubectl=$pin"
  apt-mark hold kubelet kubeadm kubectl >/dev/null
  # containerd's sandbox (pause) image is the one this kubeadm pulls and expects.
  pause=$(kubeadm_listed_image pause) || die "kubeadm names no pause image for v$KUBEPLANE_KUBERNETES_VERSION"
  containerd_configure "$pause"
  local -a kubelet_flags
  kubeadm_kubelet_flags
  write_kubelet_defaults "${kubelet_flags[@]}"
  systemctl enable --now kubelet
}

# kubeadm_kubelet_flags: sets kubelet_flags to this node's kubelet flags from its first start: the
# external cloud provider (the cloud's controller, AWS's or GCP's from cloud-addons, initialises the Node and removes the
# node.cloudprovider.kubernetes.io/uninitialized taint), and the pool's labels and taints, which
# the kubelet applies when it registers the Node (--node-labels, --register-with-taints).
kubeadm_kubelet_flags() {
  kubelet_flags=(--cloud-provider=external)
  if [[ -n ${KUBEPLANE_NODE_LABELS:-} ]]; then
    [[ $KUBEPLANE_NODE_LABELS =~ ^[A-Za-z0-9][A-Za-z0-9./_=,-]*$ ]] || die "invalid node labels '$KUBEPLANE_NODE_LABELS' (KUBEPLANE_NODE_LABELS)"
    kubelet_flags+=("--node-labels=$KUBEPLANE_NODE_LABELS")
  fi
  if [[ -n ${KUBEPLANE_NODE_TAINTS:-} ]]; then
    [[ $KUBEPLANE_NODE_TAINTS =~ ^[A-Za-z0-9][A-Za-z0-9./_=:,-]*$ ]] || die "invalid node taints '$KUBEPLANE_NODE_TAINTS' (KUBEPLANE_NODE_TAINTS)"
    kubelet_flags+=("--register-with-taints=$KUBEPLANE_NODE_TAINTS")
  fi
}

# kubeadm_init_config FILE: writes kubeadm init's configuration.
kubeadm_init_config() {
  local api=${KUBEPLANE_KUBEADM_API_VERSION:-} san
  local -a sans=("$KUBEPLANE_CONTROL_PLANE_ENDPOINT")
  [[ $api =~ ^v1beta[34]$ ]] || die "KUBEPLANE_KUBEADM_API_VERSION must be v1beta3 or v1beta4, not '$api'"
  if [[ -n ${KUBEPLANE_API_SERVER_CERT_SANS:-} ]]; then
    IFS=, read -r -a san <<<"$KUBEPLANE_API_SERVER_CERT_SANS"
    sans+=("${san[@]}")
  fi
  for san in "${sans[@]}"; do
    [[ $san =~ ^[A-Za-z0-9*][A-Za-z0-9.:*-]*$ ]] || die "invalid API server certificate name '$san' (KUBEPLANE_API_SERVER_CERT_SANS)"
  done
  {
    cat <<YAML
apiVersion: kubeadm.k8s.io/$api
kind: InitConfiguration
localAPIEndpoint:
  advertiseAddress: "$NODE_IP"
  bindPort: $KUBEPLANE_API_SERVER_PORT
nodeRegistration:
  name: "$NODE_NAME"
---
apiVersion: kubeadm.k8s.io/$api
kind: ClusterConfiguration
clusterName: "$KUBEPLANE_CLUSTER"
kubernetesVersion: "v$KUBEPLANE_KUBERNETES_VERSION"
networking:
  podSubnet: "$KUBEPLANE_POD_CIDR"
  serviceSubnet: "$KUBEPLANE_SERVICE_CIDR"
controlPlaneEndpoint: "$KUBEPLANE_CONTROL_PLANE_ENDPOINT:$KUBEPLANE_API_SERVER_PORT"
apiServer:
  certSANs:
YAML
    printf '    - "%s"\n' "${sans[@]}"
  } >"$1"
}

# kubeadm_reset_if_started: a previous init (this run's or an earlier bootstrap's) left state
# behind: kubeadm init's preflight refuses to run over it.
kubeadm_reset_if_started() {
  if [[ -e $KUBEADM_APISERVER_MANIFEST || -e $KUBEPLANE_KUBELET_CONF ]]; then
    log "a previous kubeadm init left state behind; running kubeadm reset --force first"
    kubeadm reset --force >/dev/null 2>&1 || log "kubeadm reset failed; trying kubeadm init anyway"
  fi
}

installer_init() {
  local config="$KUBEPLANE_ROOT/etc/kubeplane/kubeadm-init.yaml" attempt delay=$KUBEADM_RETRY_DELAY_SECONDS
  local manifest="$KUBEPLANE_STATE_DIR/cni-manifest.yaml"
  local -a args=(init --config "$config")
  kubeadm_init_config "$config"
  if cluster_is_ha; then args+=(--upload-certs); fi
  # Restoring a claimed cluster (bootstrap.sh sets KUBEPLANE_RESTORE_SNAPSHOT): etcd's data and the
  # cluster's PKI come from the backup store before each attempt (kubeadm reset removes both), and
  # kubeadm init runs over the restored etcd, keeping the cluster's CA.
  if [[ -n ${KUBEPLANE_RESTORE_SNAPSHOT:-} ]]; then args+=(--ignore-preflight-errors=DirAvailable--var-lib-etcd); fi
  for ((attempt = 1; ; attempt++)); do
    kubeadm_reset_if_started
    if [[ -n ${KUBEPLANE_RESTORE_SNAPSHOT:-} ]]; then
      "$KUBEPLANE_ROOT/usr/local/sbin/kubeplane-etcd-restore" --snapshot "$KUBEPLANE_RESTORE_SNAPSHOT" --pki \
        --name "$NODE_NAME" --peer-url "https://$NODE_IP:2380" >/dev/null ||
        die "could not restore the cluster from $KUBEPLANE_RESTORE_SNAPSHOT (why: above); nothing was restored and no cluster was created. Next: choose another snapshot ('kubeplane etcd list $KUBEPLANE_CLUSTER', then 'kubeplane etcd restore $KUBEPLANE_CLUSTER --snapshot <key>') and replace this instance"
    fi
    run_private "$KUBEPLANE_STATE_DIR/kubeadm-init.log" "'kubeadm init'" kubeadm "${args[@]}" && break
    ((attempt < KUBEADM_INIT_ATTEMPTS)) || die "kubeadm init failed $attempt times"
    log "kubeadm init failed (attempt $attempt of $KUBEADM_INIT_ATTEMPTS); resetting and trying again in ${delay}s"
    sleep "$delay"
    delay=$((delay * 2))
  done
  curl -fsSL --retry 5 "$KUBEPLANE_CNI_MANIFEST_URL" -o "$manifest" ||
    die "could not download the CNI manifest $KUBEPLANE_CNI_MANIFEST_URL"
  # The API server may still be starting.
  retry 5 "$KUBEADM_RETRY_DELAY_SECONDS" kubectl --kubeconfig "$KUBEPLANE_KUBECONFIG" apply -f "$manifest" >/dev/null ||
    die "could not apply the CNI manifest $KUBEPLANE_CNI_MANIFEST_URL"
  kubeadm_apply_addons
}

# kubeadm_apply_addons: the cloud's controllers and storage (bootstrap/installers/cloud-addons.ts:
# kustomizations over pinned releases under etc/kubeplane/addons), in name order, each with
# retries: kustomize fetches the bases from GitHub, and the API server may still be settling.
kubeadm_apply_addons() {
  local dir
  for dir in "$KUBEPLANE_ROOT/etc/kubeplane/addons"/*/; do
    [[ -e ${dir}kustomization.yaml ]] || continue
    retry 5 "$KUBEADM_RETRY_DELAY_SECONDS" kubectl --kubeconfig "$KUBEPLANE_KUBECONFIG" apply -k "$dir" >/dev/null ||
      die "could not apply the addon ${dir%/} (kubectl apply -k)"
  done
}

# Every step is checked explicitly: this runs inside $(...), where a caller's `||` or `if` turns
# errexit off.
installer_join_command() {
  local -a create=(token create --kubeconfig "$KUBEPLANE_KUBECONFIG" --print-join-command)
  if [[ $1 == control-plane ]]; then
    local key
    key=$(kubeadm certs certificate-key) || return 1
    kubeadm init phase upload-certs --upload-certs --certificate-key "$key" \
      --kubeconfig "$KUBEPLANE_KUBECONFIG" >/dev/null || return 1
    create+=(--ttl "${INSTALLER_LEASE_SECONDS_control_plane}s" --certificate-key "$key")
  else
    create+=(--ttl "${INSTALLER_LEASE_SECONDS_worker}s")
  fi
  local command
  command=$(kubeadm "${create[@]}") || return 1
  echo "${command%"${command##*[![:space:]]}"}"
}

# kubeadm_join_args KIND COMMAND: checks a kubeadm join command for KIND and sets join_args to
# kubeadm's arguments for it (without the node's own); logs why and fails when it is not usable.
kubeadm_join_args() {
  local kind=$1 token="" hash="" key="" control_plane=false i
  local -a words
  read -r -a words <<<"$2"
  if [[ ${words[0]:-} != kubeadm || ${words[1]:-} != join ]]; then
    log "the $kind join command is not a kubeadm join command"
    return 1
  fi
  for ((i = 3; i < ${#words[@]}; i++)); do
    case ${words[i]} in
      --token) token=${words[++i]:-} ;;
      --discovery-token-ca-cert-hash) hash=${words[++i]:-} ;;
      --certificate-key) key=${words[++i]:-} ;;
      --control-plane) control_plane=true ;;
      *) log "unexpected '${words[i]}' in the $kind join command" && return 1 ;;
    esac
  done
  if ! [[ ${words[2]:-} =~ ^[A-Za-z0-9.-]+:[0-9]+$ && $token =~ ^[a-z0-9]{6}\.[a-z0-9]{16}$ &&
    $hash =~ ^sha256:[0-9a-f]{64}$ ]]; then
    log "the $kind join command lacks a valid endpoint, token or CA certificate hash"
    return 1
  fi
  join_args=(join "${words[2]}" --token "$token" --discovery-token-ca-cert-hash "$hash")
  if [[ $kind == control-plane ]]; then
    if [[ $control_plane != true || ! $key =~ ^[0-9a-f]{64}$ ]]; then
      log "the control-plane join command lacks --control-plane or a valid certificate key"
      return 1
    fi
    join_args+=(--control-plane --certificate-key "$key")
  elif [[ $control_plane == true ]]; then
    log "the worker join command is a control-plane join command"
    return 1
  fi
}

installer_check_command() {
  local -a join_args
  kubeadm_join_args "$1" "$2"
}

installer_join() {
  local -a join_args
  kubeadm_join_args "$1" "$2" || return 1
  if [[ $1 == control-plane ]]; then
    join_args+=(--apiserver-advertise-address "$NODE_IP" --apiserver-bind-port "$KUBEPLANE_API_SERVER_PORT")
  fi
  kubeadm "${join_args[@]}" --node-name "$NODE_NAME"
}

installer_reset() { kubeadm reset --force >/dev/null 2>&1 || true; }
