#!/usr/bin/env bash
# Terraform as kubeplane's cdktf runs it (cdktf's TERRAFORM_BINARY_NAME): the real binary
# ($KUBEPLANE_TERRAFORM_BINARY, else `terraform` from PATH) with the same arguments, stdin and
# stdout, and its stderr (where Terraform writes its errors and warnings) also appended to
# $KUBEPLANE_TERRAFORM_RECORD/<stack>.stderr, between a start line naming the arguments and an
# exit line with the exit code. cli/terraform-errors.ts reads that record when cdktf fails,
# because cdktf itself can lose the end of Terraform's output (see the comment there).
#
# Stdout stays what cdktf gave (a pseudo-terminal for apply and destroy), so Terraform's prompts
# and cdktf's approval flow are unchanged. tee ignores SIGINT, SIGTERM and SIGHUP: Terraform
# handles an interrupt by finishing what it is doing and writing its state, and a tee that died
# first would break its stderr under it.
#
# SIGHUP is ignored by this script, Terraform and its providers (an ignored signal stays ignored
# across exec, and Terraform does not handle SIGHUP): after Ctrl-C, cdktf writes ^C into the
# pseudo-terminal and then exits without waiting for Terraform, which closes the terminal and
# would hang Terraform up in the middle of its graceful stop, leaving the state lock held and
# what it had created untracked. kubeplane waits for Terraform instead (cli/cdktf-command.ts),
# using the pid on the start line.
set -euo pipefail
trap '' HUP

terraform_binary="${KUBEPLANE_TERRAFORM_BINARY:-terraform}"
record="${KUBEPLANE_TERRAFORM_RECORD:-}"
if [[ -z "$record" ]]; then
  exec "$terraform_binary" "$@"
fi

# cdktf runs Terraform in the stack's directory, cdktf.out/stacks/<stack>.
file="$record/${PWD##*/}.stderr"
# After a Ctrl-C kubeplane lets the runs going on finish and starts no further one (no next
# stack): it creates $record/interrupted (cli/cdktf-command.ts), and the runs cdktf still asks
# for are refused here, before Terraform starts, and listed in <stack>.not-started.
if [[ -e "$record/interrupted" ]]; then
  printf '%s\n' "$*" >>"$record/${PWD##*/}.not-started"
  printf 'kubeplane: interrupted: terraform %s not started in %s\n' "${1:-}" "${PWD##*/}" >&2
  exit 1
fi
printf '##kubeplane:start## %d %s\n' "$$" "$*" >>"$file"
exec 3> >(trap '' INT TERM HUP; exec tee -a "$file" >&2)
tee_pid=$!
code=0
"$terraform_binary" "$@" 2>&3 3>&- || code=$?
exec 3>&-
# The record is complete once tee has written everything: wait for it before the exit line, but
# not for ever. A process that inherited Terraform's stderr and outlives it keeps tee's input
# open, and tee (its output is cdktf's terminal) would keep cdktf waiting: after
# KUBEPLANE_RECORDER_DRAIN_SECONDS (10) tee is killed (it ignores TERM) and the record says so.
# (`wait` does not wait for a process substitution here, so tee is polled.)
drain="${KUBEPLANE_RECORDER_DRAIN_SECONDS:-10}"
for ((tick = 0; tick < drain * 10; tick++)); do
  kill -0 "$tee_pid" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$tee_pid" 2>/dev/null; then
  kill -KILL "$tee_pid" 2>/dev/null || true
  printf '\n##kubeplane:record-cut## stderr still open %s s after Terraform exited\n' "$drain" >>"$file"
fi
printf '\n##kubeplane:exit## %d\n' "$code" >>"$file"
exit "$code"
