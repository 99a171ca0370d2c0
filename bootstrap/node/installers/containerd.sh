# shellcheck shell=bash
# The container runtime of the kubeadm installer: containerd from the node's distribution, pinned
# to KUBEPLANE_CONTAINERD_VERSION (an apt version glob, e.g. `2.*`) and held, so that an unattended
# upgrade cannot move it (Ubuntu's container-stack update policy backports new upstream series to
# LTS releases, e.g. 1.7 to 2.x). Its configuration is written whole, for the major version
# installed, instead of sed-editing `containerd config default`: containerd 2.1.0-2.1.4 leave
# SystemdCgroup out of that output (containerd/containerd#12101, fixed by #12244), and 1.x and 2.x
# name the CRI plugins differently. Keys not written keep containerd's defaults.
#
# The keys (containerd docs/cri/config.md of each series):
#   1.x, config version 2 (release/1.7): [plugins."io.containerd.grpc.v1.cri"] sandbox_image,
#     [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options] SystemdCgroup
#   2.x, config version 3 (release/2.0 to 2.3; version/version.go ConfigVersion = 3 up to 2.2, 4
#     from 2.3, which migrates version 3 files): [plugins.'io.containerd.cri.v1.images'.pinned_images]
#     sandbox, [plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options] SystemdCgroup

CONTAINERD_CONFIG="$KUBEPLANE_ROOT/etc/containerd/config.toml"

containerd_install() {
  [[ -n ${KUBEPLANE_CONTAINERD_VERSION:-} ]] || die "$KUBEPLANE_CLUSTER_ENV does not set KUBEPLANE_CONTAINERD_VERSION"
  apt_install "containerd=$KUBEPLANE_CONTAINERD_VERSION"
  apt-mark hold containerd >/dev/null
}

# containerd_major: prints the installed containerd's major version. `containerd --version` prints
# the app name, the Go package, the version and the revision (cmd/containerd/command/main.go,
# version/version.go): `containerd github.com/containerd/containerd v1.7.28 <revision>`,
# `containerd github.com/containerd/containerd/v2 v2.1.4 <revision>`; distribution builds print
# the package version without the v and often no revision (Debian 12:
# `containerd github.com/containerd/containerd 1.6.20~ds1`).
containerd_major() {
  local printed version
  local -a words
  printed=$(containerd --version) || return 1
  read -r -a words <<<"$printed"
  version=${words[2]:-}
  version=${version#v}
  if [[ ${words[0]:-} != containerd || ! $version =~ ^([0-9]+)\.[0-9]+ ]]; then
    log "cannot tell the containerd version from 'containerd --version': $printed"
    return 1
  fi
  echo "${BASH_REMATCH[1]}"
}

# containerd_config SANDBOX_IMAGE MAJOR: prints the configuration for containerd MAJOR.
containerd_config() {
  case $2 in
    1)
      cat <<TOML
version = 2

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$1"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
  SystemdCgroup = true
TOML
      ;;
    2)
      cat <<TOML
version = 3

[plugins.'io.containerd.cri.v1.images'.pinned_images]
  sandbox = '$1'

[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc]
  runtime_type = 'io.containerd.runc.v2'

[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
  SystemdCgroup = true
TOML
      ;;
    *)
      log "containerd $2.x is not a version kubeplane knows how to configure"
      return 1
      ;;
  esac
}

# containerd_configure SANDBOX_IMAGE: writes the configuration for the installed containerd with
# the systemd cgroup driver (the kubelet's) and kubeadm's pause image, then restarts containerd.
containerd_configure() {
  local major config
  [[ $1 =~ ^[A-Za-z0-9./:_@-]+$ ]] || die "invalid sandbox image '$1'"
  major=$(containerd_major) || die "cannot configure containerd"
  config=$(containerd_config "$1" "$major") || die "cannot configure containerd"
  mkdir -p "$(dirname "$CONTAINERD_CONFIG")"
  printf '%s\n' "$config" >"$CONTAINERD_CONFIG"
  log "configured containerd $major.x (config version $((major + 1))): systemd cgroups, sandbox image $1"
  systemctl restart containerd
}
