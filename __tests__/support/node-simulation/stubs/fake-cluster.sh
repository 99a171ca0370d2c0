# shellcheck shell=bash
# The simulated cluster shared by the simulated nodes of one test: its API endpoint, CA hash,
# bootstrap tokens (with expiry), uploaded certificate key and joined nodes, as files in
# SIM_CLUSTER_DIR. Also records every stubbed command a node runs, in SIM_CALLS (JSON lines).

record() {
  local name=$1
  shift
  jq -cn --arg command "$name" --argjson at "$(date +%s%3N)" \
    '{command: $command, args: $ARGS.positional, at: $at}' --args -- "$@" >>"$SIM_CALLS"
}

# flag NAME ARGS...: prints the value following NAME in ARGS.
flag() {
  local name=$1
  shift
  while (($#)); do
    if [[ $1 == "$name" ]]; then
      echo "${2:-}"
      return 0
    fi
    shift
  done
  return 1
}

random_alnum() { LC_ALL=C tr -dc 'a-z0-9' </dev/urandom | head -c "$1"; }
random_hex() { od -An -N"$1" -tx1 /dev/urandom | tr -d ' \n'; }

# cluster_create ENDPOINT: the control plane comes up (kubeadm init or the kURL installer).
cluster_create() {
  echo "$1" >"$SIM_CLUSTER_DIR/endpoint"
  echo "sha256:$(random_hex 32)" >"$SIM_CLUSTER_DIR/ca-hash"
  : >"$SIM_CLUSTER_DIR/tokens"
  mkdir -p "$KUBEPLANE_ROOT/etc/kubernetes"
  touch "$KUBEPLANE_ROOT/etc/kubernetes/admin.conf" "$KUBEPLANE_ROOT/etc/kubernetes/kubelet.conf"
}

# token_new TTL_SECONDS: prints a new bootstrap token the cluster accepts for TTL_SECONDS.
token_new() {
  local token
  token="$(random_alnum 6).$(random_alnum 16)"
  echo "$token $(($(date +%s) + $1))" >>"$SIM_CLUSTER_DIR/tokens"
  echo "$token"
}

# cluster_admit ENDPOINT TOKEN CA_HASH [CERTIFICATE_KEY]: fails the way a refused join does.
cluster_admit() {
  local expiry
  [[ -s $SIM_CLUSTER_DIR/endpoint ]] || { echo "error: cannot reach $1: connection refused" >&2; return 1; }
  [[ $1 == "$(cat "$SIM_CLUSTER_DIR/endpoint")" ]] || { echo "error: no API server at $1" >&2; return 1; }
  expiry=$(awk -v t="$2" '$1 == t { print $2 }' "$SIM_CLUSTER_DIR/tokens")
  if [[ -z $expiry || $expiry -le $(date +%s) ]]; then
    echo "error execution phase preflight: couldn't validate the identity of the API Server: token id \"${2%%.*}\" is invalid for this cluster or it has expired" >&2
    return 1
  fi
  [[ $3 == "$(cat "$SIM_CLUSTER_DIR/ca-hash")" ]] || { echo "error: cluster CA found in cluster-info does not match $3" >&2; return 1; }
  if [[ -n ${4:-} && $4 != "$(cat "$SIM_CLUSTER_DIR/certificate-key" 2>/dev/null)" ]]; then
    echo "error execution phase control-plane-prepare/download-certs: error decoding certificate key" >&2
    return 1
  fi
}

# node_joined NAME ROLE
node_joined() {
  echo "$1 $2" >>"$SIM_CLUSTER_DIR/nodes"
  mkdir -p "$KUBEPLANE_ROOT/etc/kubernetes"
  touch "$KUBEPLANE_ROOT/etc/kubernetes/kubelet.conf"
  [[ $2 == control-plane ]] && touch "$KUBEPLANE_ROOT/etc/kubernetes/admin.conf"
  return 0
}
