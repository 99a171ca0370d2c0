/**
 * `kubeplane destroy` keeps a cluster's backup store (backups.keepOnDestroy, the default): before
 * cdktf destroy, the store's resources (the bucket, its settings, its key and alias; not the
 * control plane's grant, which goes with its role) leave the cluster stack's Terraform state
 * (`terraform state rm`), so Terraform destroys everything else and leaves the snapshots.
 * What was kept is no orphan: its state ids go to the orphan search of the same destroy, which
 * counts them as tracked (so destroy neither reports them nor offers `--orphans` to delete them).
 * Re-creating the cluster under the same name then needs the bucket imported
 * (`kubeplane state <cluster>-cluster` cannot import; `terraform import` in the stack's directory
 * can), or removed by hand.
 */
import type { ClusterDefinition } from "../definition";
import { stackNames } from "../stacks/cluster-stacks";
import { synthesizeApp } from "./synthesized-app";
import { initializeWorkingDirectory, runTerraform } from "./terraform-command";

/**
 * The store's addresses among a stack's state addresses: resources (no data sources) of the
 * construct `backups` (cluster-stack.ts), except IAM grants, which are destroyed with their role.
 */
export function keptAddresses(stateAddresses: readonly string[]): string[] {
  return stateAddresses.filter((a) => /^[a-z0-9_]+\.backups_/.test(a) && !a.startsWith("data.") && !/^aws_iam_/.test(a));
}

/** What destroy kept: said in its message, and the resources' ids (their Terraform state ids). */
export interface KeptBackupStore {
  readonly description: string;
  readonly ids: readonly string[];
}

/** The state ids (`values.id` in `terraform show -json`) of `addresses`, in their order. */
export function keptIds(showJson: string, addresses: readonly string[]): string[] {
  const parsed = JSON.parse(showJson) as { values?: { root_module?: { resources?: { address: string; values?: { id?: unknown } }[] } } };
  const byAddress = new Map((parsed.values?.root_module?.resources ?? []).map((r) => [r.address, r.values?.id]));
  return addresses.map((a) => byAddress.get(a)).filter((id): id is string => typeof id === "string" && id !== "");
}

/** Takes the definition's backup store out of its cluster stack's state; resolves to what was kept. */
export async function keepBackupStore(definition: ClusterDefinition, env: NodeJS.ProcessEnv = process.env): Promise<KeptBackupStore> {
  const name = stackNames(definition.name).cluster;
  const stack = (await synthesizeApp(env)).find((s) => s.name === name);
  if (!stack) throw new Error(`no stack ${name} was synthesized`);
  await initializeWorkingDirectory(stack.workingDirectory, env);
  const list = await runTerraform(["state", "list"], { cwd: stack.workingDirectory, env });
  // No state yet (never deployed): nothing to keep.
  if (list.code !== 0) return { description: "no backup store (the stack has no state)", ids: [] };
  const addresses = keptAddresses(list.stdout.split("\n").map((l) => l.trim()).filter(Boolean));
  if (addresses.length === 0) return { description: "no backup store (none in the stack's state)", ids: [] };
  const shown = await runTerraform(["show", "-json", "-no-color"], { cwd: stack.workingDirectory, env });
  if (shown.code !== 0) throw new Error(`terraform show -json failed: ${shown.stderr || shown.stdout}`);
  const ids = keptIds(shown.stdout, addresses);
  const rm = await runTerraform(["state", "rm", ...addresses], { cwd: stack.workingDirectory, env });
  if (rm.code !== 0) throw new Error(`terraform state rm failed: ${rm.stderr || rm.stdout}`);
  return { description: `the backup store and its snapshots (${addresses.join(", ")} no longer in Terraform's state)`, ids };
}
