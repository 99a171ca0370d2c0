# shellcheck shell=bash disable=SC2059 # tasks' output: values in printf's format, as tasks.sh has them
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
    # What kURL's tasks.sh join_token prints, line for line, colours included (replicatedhq/kURL
    # scripts/tasks.sh join_token at 4cb6502, 2026-08-07; GREEN and NC from scripts/common/common.sh).
    # Its flags: get_docker_registry_ip_flag, get_additional_no_proxy_addresses_flag (always, with
    # the service and pod CIDRs of the kurl-config ConfigMap), get_remotes_flags (primary-host= per
    # control-plane node, secondary-host= per worker: here this node only), then ekco-address= (get_ekco_addr) and
    # ekco-auth-token= (get_ekco_storage_migration_auth_token: awk's $2 of the ConfigMap line
    # `storage_migration_auth_token: "<token>"`, quotes included). The prefix is
    # build_installer_prefix's: `curl -fsSL <kurl_url>/version/<KURL_VERSION>/<installer id>/`.
    [[ ${1:-} == join_token ]] || exit 0
    GREEN='\033[0;32m'
    NC='\033[0m'
    prefix="curl -fsSL https://kurl.sh/version/v2026.08.07-0/sim1234/"
    api_service_address=$(cat "$SIM_CLUSTER_DIR/endpoint")
    bootstrap_token=$(token_new 86400)
    kubeadm_ca_hash=$(cat "$SIM_CLUSTER_DIR/ca-hash")
    kubernetes_version=${KUBEPLANE_KUBERNETES_VERSION:-1.36.5}
    common_flags=" docker-registry-ip=10.96.3.130 additional-no-proxy-addresses=10.96.0.0/22,10.32.0.0/20 primary-host=$SIM_LOCAL_IPV4"
    ekcoAddress="10.96.1.207:8080"
    # (tr ends on SIGPIPE once head has its 64 characters.)
    [[ -s $SIM_CLUSTER_DIR/ekco-auth-token ]] || { random_alnum 64 || true; } >"$SIM_CLUSTER_DIR/ekco-auth-token"
    ekcoAuthToken="\"$(cat "$SIM_CLUSTER_DIR/ekco-auth-token")\""
    if [[ ${2:-} == ha ]]; then
      random_hex 32 >"$SIM_CLUSTER_DIR/certificate-key"
      cert_key=$(cat "$SIM_CLUSTER_DIR/certificate-key")
      printf "Master node join commands expire after two hours, and worker node join commands expire after 24 hours.\n"
      printf "\n"
      printf "To generate new node join commands, run ${GREEN}${prefix}tasks.sh | sudo bash -s join_token ha${NC} on an existing master node.\n"
    else
      printf "Node join commands expire after 24 hours.\n"
      printf "\n"
      printf "To generate new node join commands, run ${GREEN}${prefix}tasks.sh | sudo bash -s join_token${NC} on this node.\n"
    fi
    printf "\n"
    printf "To add worker nodes to this installation, run the following script on your other nodes:"
    printf "\n"
    printf "${GREEN}    ${prefix}join.sh | sudo bash -s kubernetes-master-address=${api_service_address} kubeadm-token=${bootstrap_token} kubeadm-token-ca-hash=${kubeadm_ca_hash} kubernetes-version=${kubernetes_version}${common_flags} ekco-address=${ekcoAddress} ekco-auth-token=${ekcoAuthToken}\n"
    printf "${NC}"
    printf "\n"
    printf "\n"
    if [[ ${2:-} == ha ]]; then
      printf "\n"
      printf "To add ${GREEN}MASTER${NC} nodes to this installation, run the following script on your other nodes:"
      printf "\n"
      printf "${GREEN}    ${prefix}join.sh | sudo bash -s kubernetes-master-address=${api_service_address} kubeadm-token=${bootstrap_token} kubeadm-token-ca-hash=$kubeadm_ca_hash kubernetes-version=${kubernetes_version} cert-key=${cert_key} control-plane${common_flags} ekco-address=${ekcoAddress} ekco-auth-token=${ekcoAuthToken}\n"
      printf "${NC}"
      printf "\n"
      printf "\n"
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
