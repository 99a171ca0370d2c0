# shellcheck shell=bash
# The join lease: a JSON document holding a join command, when it was made and when it stops
# working (epoch seconds). Stored as a secret by the parameter backend.
#   {"version":1,"installer":"kubeadm","command":"kubeadm join ...","createdAt":N,"expiresAt":N,"createdBy":"i-..."}

# lease_new COMMAND LIFETIME_SECONDS: prints a lease made now. The command reaches jq through
# the environment, not its arguments.
lease_new() {
  local created
  created=$(now)
  LEASE_COMMAND=$1 jq -cn --argjson createdAt "$created" --argjson expiresAt "$((created + $2))" \
    --arg installer "$KUBEPLANE_INSTALLER" --arg createdBy "${NODE_INSTANCE_ID:-unknown}" \
    '{version: 1, installer: $installer, command: $ENV.LEASE_COMMAND,
      createdAt: $createdAt, expiresAt: $expiresAt, createdBy: $createdBy}'
}

# lease_field LEASE NAME: prints a field; fails when the lease is not a version-1 lease.
lease_field() {
  jq -er --arg name "$2" \
    'select(.version == 1 and (.command | type) == "string" and (.createdAt | type) == "number"
            and (.expiresAt | type) == "number") | .[$name]' <<<"$1" 2>/dev/null
}

# lease_state LEASE [MIN_REMAINING_SECONDS]: prints valid, expired (including about to expire) or invalid.
lease_state() {
  local expires
  if ! expires=$(lease_field "$1" expiresAt); then
    echo invalid
  elif ((expires - $(now) > ${2:-0})); then
    echo valid
  else
    echo expired
  fi
}
