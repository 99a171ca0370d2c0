# shellcheck shell=bash
# etcd's own tools on a control-plane node: etcdctl and etcdutl of the etcd minor kubeadm runs,
# from etcd's release (bootstrap/etcd-tools.ts pins it: KUBEPLANE_ETCD_TOOLS_VERSION, _URL,
# _SHA256), verified before use. Sourced by etcd-common.sh. Every path under KUBEPLANE_ROOT:
#   etcd_tools_install             downloads, verifies and unpacks the release once, then puts it
#                                  first on PATH; refuses a download whose SHA-256 differs
#   etcd_tools_match_server VERSION   fails unless VERSION (an etcd server's, e.g. 3.6.6 or
#                                  3.6.6-0) is of the tools' minor
#   etcd_tools_kubeadm_version     the etcd version kubeadm runs for this cluster's Kubernetes

KUBEPLANE_ETCD_TOOLS_DIR="$KUBEPLANE_ROOT/opt/kubeplane/etcd-v${KUBEPLANE_ETCD_TOOLS_VERSION:-}"

etcd_tools_install() {
  local version=${KUBEPLANE_ETCD_TOOLS_VERSION:-} url=${KUBEPLANE_ETCD_TOOLS_URL:-} expected=${KUBEPLANE_ETCD_TOOLS_SHA256:-}
  local dir=$KUBEPLANE_ETCD_TOOLS_DIR staging actual tool
  [[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "$KUBEPLANE_CLUSTER_ENV sets no etcd tools version like 3.6.14 (KUBEPLANE_ETCD_TOOLS_VERSION='$version')"
  [[ $expected =~ ^[0-9a-f]{64}$ ]] || die "$KUBEPLANE_CLUSTER_ENV sets no SHA-256 for etcd $version's tools (KUBEPLANE_ETCD_TOOLS_SHA256)"
  [[ $url =~ ^https?://[^[:space:]]+$ ]] || die "$KUBEPLANE_CLUSTER_ENV sets no download for etcd $version's tools (KUBEPLANE_ETCD_TOOLS_URL)"
  if [[ ! -x $dir/etcdctl ]]; then
    mkdir -p "$(dirname "$dir")"
    staging=$(mktemp -d "$dir.installing.XXXXXX")
    if ! curl -fsSL --retry 5 "$url" -o "$staging/etcd.tar.gz"; then
      rm -rf "$staging"
      die "could not download etcd $version's tools from $url"
    fi
    actual=$(sha256sum "$staging/etcd.tar.gz" | cut -d' ' -f1)
    if [[ $actual != "$expected" ]]; then
      rm -rf "$staging"
      die "etcd $version's tools from $url have the SHA-256 $actual, not the pinned $expected: refused, nothing installed"
    fi
    # etcd's release layout (etcd-io/etcd scripts/build-binary.sh, package): one directory,
    # etcd-v<version>-linux-amd64/, holding etcd, etcdctl and, from 3.5 on, etcdutl.
    mkdir "$staging/release" "$staging/bin"
    tar -xzf "$staging/etcd.tar.gz" -C "$staging/release" --strip-components=1 ||
      { rm -rf "$staging" && die "etcd $version's release from $url is no tar.gz: nothing installed"; }
    for tool in etcdctl etcdutl; do
      if [[ -x $staging/release/$tool ]]; then
        mv "$staging/release/$tool" "$staging/bin/$tool"
      elif [[ $tool == etcdctl || $version != 3.[0-4].* ]]; then
        rm -rf "$staging"
        die "etcd $version's release from $url holds no $tool: nothing installed"
      fi
    done
    rm -rf "$dir"
    mv "$staging/bin" "$dir"
    rm -rf "$staging"
    log "installed etcd $version's etcdctl$([[ -e $dir/etcdutl ]] && echo ' and etcdutl') (sha256 $actual)"
  fi
  PATH="$dir:$PATH"
}

# etcd_tools_match_server VERSION: etcd reads the data of its own minor and of the one before
# (it upgrades one minor at a time), so tools of another minor than the server's are refused.
etcd_tools_match_server() {
  local server=$1 tools=${KUBEPLANE_ETCD_TOOLS_VERSION:-}
  [[ $server =~ ^([0-9]+\.[0-9]+)\. ]] || die "cannot tell etcd's version from '$server'"
  if [[ ${BASH_REMATCH[1]} != "${tools%.*}" ]]; then
    die "etcd runs $server but kubeplane's etcd tools are $tools (another minor): kubeplane pins the tools per Kubernetes minor (bootstrap/etcd-tools.ts); a kubeplane release that pins etcd ${BASH_REMATCH[1]} is needed"
  fi
}

# etcd_tools_kubeadm_version: the tag of kubeadm's etcd image (common.sh kubeadm_listed_image),
# e.g. 3.6.6-0 of registry.k8s.io/etcd:3.6.6-0.
etcd_tools_kubeadm_version() {
  local image
  image=$(kubeadm_listed_image etcd) || return 1
  echo "${image##*:}"
}
