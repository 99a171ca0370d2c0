/**
 * `kubeplane destroy` keeps a cluster's backup store (backups.keepOnDestroy, the default): before
 * cdktf destroy, the store's resources (the bucket, its settings, its key and alias; not the
 * control plane's grant, which goes with its role) leave the cluster stack's Terraform state
 * (`terraform state rm`), so Terraform destroys everything else and leaves the snapshots.
 * Before that, the cloud marks them kept (on AWS the tag `kubeplane:kept=<time>` on the bucket and
 * the key): what was kept is no orphan, for this destroy (its state ids count as tracked) and for
 * every later `audit` and `destroy --orphans`, which list it as a kept backup store and never
 * delete it. Deploying the cluster again adopts it (cli/backup-store-adoption.ts).
 */
import type { ClusterDefinition } from "../definition";
import type { TaggedResource } from "../providers/cluster-resources";
import { stackNames } from "../stacks/cluster-stacks";
import { synthesizeApp } from "./synthesized-app";
import { initializeWorkingDirectory, runTerraform } from "./terraform-command";

/**
 * The store's addresses among a stack's state addresses: resources (no data sources) of the
 * construct `backups` (cluster-stack.ts), except IAM grants, which are destroyed with their role.
 */
export function keptAddresses(stateAddresses: readonly string[]): string[] {
  return stateAddresses.filter(isKeptAddress);
}

/** Whether `address` is one of the store's (see keptAddresses). */
export function isKeptAddress(address: string): boolean {
  return /^[a-z0-9_]+\.backups_/.test(address) && !address.startsWith("data.") && !/^aws_iam_/.test(address);
}

/** What destroy kept: said in its message, and the resources' ids (their Terraform state ids). */
export interface KeptBackupStore {
  readonly description: string;
  readonly ids: readonly string[];
}

/** The resources (Terraform type and state id, `values.id` in `terraform show -json`) at `addresses`, in their order. */
export function keptResources(showJson: string, addresses: readonly string[]): TaggedResource[] {
  const parsed = JSON.parse(showJson) as { values?: { root_module?: { resources?: { address: string; type?: string; values?: { id?: unknown } }[] } } };
  const byAddress = new Map((parsed.values?.root_module?.resources ?? []).map((r) => [r.address, r]));
  return addresses
    .map((a) => byAddress.get(a))
    .filter((r): r is { address: string; type: string; values: { id: string } } => typeof r?.values?.id === "string" && r.values.id !== "" && typeof r.type === "string")
    .map((r) => ({ type: r.type, id: r.values.id }));
}

/**
 * Takes the definition's backup store out of its cluster stack's state, after `markKept` (the
 * cloud's ClusterResources.markKept) marked it kept; resolves to what was kept. When marking
 * fails, the state is left as it was and this rejects (then nothing is destroyed).
 */
export async function keepBackupStore(
  definition: ClusterDefinition,
  env: NodeJS.ProcessEnv = process.env,
  markKept: (resources: readonly TaggedResource[], at: Date) => Promise<void> = async (resources, at) =>
    (await import("../providers/cloud-registry")).clusterResourcesFor(definition).markKept(resources, at),
): Promise<KeptBackupStore> {
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
  const resources = keptResources(shown.stdout, addresses);
  await markKept(resources, new Date());
  const ids = resources.map((r) => r.id);
  const rm = await runTerraform(["state", "rm", ...addresses], { cwd: stack.workingDirectory, env });
  if (rm.code !== 0) throw new Error(`terraform state rm failed: ${rm.stderr || rm.stdout}`);
  return { description: `the backup store and its snapshots (${addresses.join(", ")} no longer in Terraform's state)`, ids };
}
