# shellcheck shell=bash
# The simulated kURL scripts (install, join.sh, tasks.sh), served by the curl stub, which puts
# SIM_KURL_SCRIPT=<which> on top.
set -euo pipefail
# shellcheck source=fake-cluster.sh
. "$SIM_STUBS/fake-cluster.sh"
record "kurl-${SIM_KURL_SCRIPT:?}" "$@"

arg() { local word; for word in "${@:2}"; do [[ $word == "$1="* ]] && echo "${word#*=}" && return 0; done; return 1; }

case $SIM_KURL_SCRIPT in
  install)
    endpoint=$(arg load-balancer-address "$@" || echo "$SIM_LOCAL_IPV4:6443")
    cluster_create "$endpoint"
    echo "Installation Complete"
    ;;
  tasks)
    [[ ${1:-} == join_token ]] || exit 0
    base="kubernetes-master-address=$(cat "$SIM_CLUSTER_DIR/endpoint") kubeadm-token=$(token_new 86400) kubeadm-token-ca-hash=$(cat "$SIM_CLUSTER_DIR/ca-hash") kubernetes-version=1.36.5 docker-registry-ip=10.96.3.130"
    printf '\033[1;32mKubernetes connection credentials for worker node. Expires in 24 hours\033[0m\n'
    printf 'To add worker nodes to this installation, run the following script on your other nodes:\n'
    printf '\033[1;32m    curl -fsSL https://kurl.sh/sim1234/join.sh | sudo bash -s %s\033[0m\n\n' "$base"
    if [[ ${2:-} == ha ]]; then
      random_hex 32 >"$SIM_CLUSTER_DIR/certificate-key"
      printf 'To add MASTER nodes to this installation, run the following script on your other nodes:\n'
      printf '    curl -fsSL https://kurl.sh/sim1234/join.sh | sudo bash -s %s cert-key=%s control-plane\n' \
        "$base" "$(cat "$SIM_CLUSTER_DIR/certificate-key")"
    fi
    ;;
  join)
    role=worker key=""
    for word in "$@"; do [[ $word == control-plane ]] && role=control-plane; done
    [[ $role == control-plane ]] && key=$(arg cert-key "$@")
    cluster_admit "$(arg kubernetes-master-address "$@")" "$(arg kubeadm-token "$@")" \
      "$(arg kubeadm-token-ca-hash "$@")" "$key"
    node_joined "$SIM_LOCAL_HOSTNAME" "$role"
    ;;
esac
