#!/usr/bin/env bash
# Mints a short-lived kubeconfig for an operator (`kubeplane kubeconfig`); runs on a control-plane
# node only, as root, from the cluster's mint document (SSM Run Command on AWS):
#   kubeplane-mint-kubeconfig --client-name NAME --org GROUP --validity-seconds N
#                             --handback ID --recipient BASE64_SPKI_PEM
# `kubeadm kubeconfig user` signs a client certificate with the cluster CA (CN=NAME, O=GROUP,
# valid N seconds) and prints a kubeconfig for the API's stable name; kubeadm takes the cluster's
# ClusterConfiguration from the kubeadm-config ConfigMap (--config is required: kubernetes/kubernetes
# cmd/kubeadm/app/cmd/kubeconfig.go, newCmdUserKubeConfig).
# The kubeconfig never leaves the node in the clear, nor in the command's output (which the cloud
# keeps): it is encrypted to the caller's one-time RSA key and handed back under
# <parameter path>/access/ID, as parts ID/1..ID/N of at most KUBEPLANE_HANDBACK_PART_CHARS
# characters (Parameter Store's standard tier takes 4 KB) and ID/parts = N, written last. The
# envelope (cli/access/handback.ts opens it):
#   kubeplane-handback-v1.<RSA-OAEP-SHA256(aes key ‖ mac key)>.<iv>.<AES-256-CBC(kubeconfig)>.<HMAC-SHA256(iv ‖ ciphertext)>
# each part base64. Only the caller, holding the private key, can open it; the caller deletes it.
# A run that fails once it knows its hand-back name leaves ID/error (what went wrong, no secret), so
# the caller, which watches the hand-back only (no access to the command's status or output), learns why.
set -euo pipefail
KUBEPLANE_SCRIPT=mint-kubeconfig
# shellcheck source=common.sh
. "${KUBEPLANE_ROOT:-}/usr/local/lib/kubeplane/common.sh"
load_cluster

usage="usage: $0 --client-name NAME --org GROUP --validity-seconds N --handback ID --recipient BASE64_PEM"
client="" group="" validity="" handback="" recipient=""
while (($# > 0)); do
  (($# >= 2)) || die "$usage"
  case $1 in
    --client-name) client=$2 ;;
    --org) group=$2 ;;
    --validity-seconds) validity=$2 ;;
    --handback) handback=$2 ;;
    --recipient) recipient=$2 ;;
    *) die "$usage" ;;
  esac
  shift 2
done
# The document's patterns again: these values reach kubeadm's flags and a parameter name.
[[ $handback =~ ^[a-f0-9]{32}$ ]] || die "--handback '$handback' is not 32 hexadecimal digits"
name="$KUBEPLANE_PARAMETER_PATH/access/$handback"
mint_error=""
# refuse MESSAGE: fails, telling the caller why through ID/error.
refuse() {
  mint_error=$1
  die "$1"
}
on_exit() {
  local rc=$?
  rm -rf "${work:-}"
  if ((rc != 0)); then
    backend_create "$name/error" "${mint_error:-mint-kubeconfig failed (status $rc); see the log of the node}" ||
      log "could not leave the error in $name/error"
  fi
}
trap on_exit EXIT
[[ $client =~ ^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$ ]] || refuse "--client-name '$client' is not a user name (letters, digits, . _ @ -)"
[[ $group =~ ^[A-Za-z0-9][A-Za-z0-9:._-]{0,63}$ ]] || refuse "--org '$group' is not a group name (letters, digits, : . _ -)"
if ! [[ $validity =~ ^[1-9][0-9]{0,5}$ ]] || ((validity > 86400)); then
  refuse "--validity-seconds '$validity' is not 1 to 86400"
fi
[[ $recipient =~ ^[A-Za-z0-9+/]+={0,2}$ ]] || refuse "--recipient is not base64"

[[ ${KUBEPLANE_ROLE:?} == control-plane-* ]] || refuse "this is a $KUBEPLANE_ROLE node; kubeconfigs are minted on control-plane nodes"
installer_initialised || refuse "this control-plane node is not initialised ($KUBEPLANE_INITIALISED_MARKER is missing); ask another"
cloud_prepare_tools

work=$(umask 077 && mktemp -d "$KUBEPLANE_STATE_DIR/mint.XXXXXX")
printf '%s' "$recipient" | base64 -d >"$work/recipient.pem" 2>/dev/null || refuse "--recipient is not base64"
openssl pkey -pubin -in "$work/recipient.pem" -noout 2>/dev/null || refuse "--recipient is not a PEM public key"

kubectl --kubeconfig "$KUBEPLANE_KUBECONFIG" -n kube-system get configmap kubeadm-config \
  -o 'jsonpath={.data.ClusterConfiguration}' >"$work/cluster-configuration.yaml" ||
  refuse "could not read the ClusterConfiguration of the cluster (kube-system/kubeadm-config)"
kubeadm kubeconfig user --config "$work/cluster-configuration.yaml" --client-name "$client" --org "$group" \
  --validity-period "${validity}s" >"$work/kubeconfig" 2>"$work/kubeadm.log" || {
  log "kubeadm kubeconfig user failed; its last lines:"
  tail -n 20 "$work/kubeadm.log" >&2
  refuse "kubeadm kubeconfig user failed: $(tail -n 1 "$work/kubeadm.log")"
}
grep -q 'client-key-data:' "$work/kubeconfig" || refuse "kubeadm kubeconfig user printed no client key"

# Encrypt-then-MAC with one-time keys; the keys go to the recipient under RSA-OAEP (SHA-256).
openssl rand 64 >"$work/keys"
openssl rand 16 >"$work/iv"
aes_key=$(head -c 32 "$work/keys" | od -An -tx1 -v | tr -d ' \n')
mac_key=$(tail -c 32 "$work/keys" | od -An -tx1 -v | tr -d ' \n')
iv=$(od -An -tx1 -v "$work/iv" | tr -d ' \n')
openssl enc -aes-256-cbc -K "$aes_key" -iv "$iv" -in "$work/kubeconfig" -out "$work/ciphertext"
cat "$work/iv" "$work/ciphertext" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$mac_key" -binary >"$work/mac"
openssl pkeyutl -encrypt -pubin -inkey "$work/recipient.pem" -in "$work/keys" -out "$work/wrapped" \
  -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256
envelope="kubeplane-handback-v1"
for part in wrapped iv ciphertext mac; do envelope+=".$(base64 -w0 "$work/$part")"; done

size=${KUBEPLANE_HANDBACK_PART_CHARS:-4000}
parts=$(((${#envelope} + size - 1) / size))
for ((i = 0; i < parts; i++)); do
  backend_create "$name/$((i + 1))" "${envelope:i*size:size}" || refuse "could not hand back part $((i + 1)) of $parts in $name"
done
backend_create "$name/parts" "$parts" || refuse "could not hand back $name/parts"
log "minted a kubeconfig for $client (group $group, valid ${validity}s), handed back encrypted to the caller in $name ($parts parts)"
