/**
 * `kubeplane deploy` adopts a backup store that an earlier destroy kept (cli/etcd-keep-on-destroy.ts):
 * the bucket's name is fixed per cluster, account and region, so creating it again fails
 * (S3: BucketAlreadyOwnedByYou) and its snapshots are the way back. Before cdktf deploy, for
 * each selected cluster with backups whose cloud lists a kept store that no state tracks, the
 * cluster stack's backup-store resources (the construct `backups`, IAM grants aside, as destroy
 * kept them) are imported into its state with `terraform import`, using the cloud's import ids
 * (ClusterResources.adoptionImportId). Addresses already in the state are left alone; nothing
 * kept means nothing runs. The apply that follows brings the store's settings and tags to the
 * definition (Terraform then drops the `kept` tag).
 *
 * When an import fails, deploy does not run (it would fail on the bucket's name): what failed is
 * said, with the command to run by hand; what was imported stays imported (running deploy again
 * imports the rest).
 */
import { readFileSync } from "fs";
import * as path from "path";
import type { ClusterDefinition } from "../definition";
import { keptSummary, type ClusterResources, type TaggedResource } from "../providers/cluster-resources";
import { stackNames } from "../stacks/cluster-stacks";
import { stackPatterns } from "./destroy-command";
import { isKeptAddress } from "./etcd-keep-on-destroy";
import type { SynthesizedStack } from "./synthesized-app";
import { matchesStackPattern } from "./synthesized-app";
import type { TerraformResult } from "./terraform-command";

/** What adoptKeptBackupStores uses. */
export interface AdoptionDependencies {
  /** The selected definitions (KUBEPLANE_CLUSTERS); throws on bad ones. */
  readonly definitions: () => readonly ClusterDefinition[];
  /** The cluster's tagged resources in its cloud (cloud-registry's clusterResourcesFor). */
  readonly resourcesFor: (definition: ClusterDefinition) => ClusterResources;
  /** Synthesizes the app (called once, and only when something is to be adopted). */
  readonly synthesize: () => Promise<readonly SynthesizedStack[]>;
  /** `terraform init` in a synthesized stack's directory. */
  readonly initialize: (directory: string) => Promise<void>;
  readonly terraform: (args: readonly string[], options: { cwd: string }) => Promise<TerraformResult>;
  readonly report: (line: string) => void;
}

/** One import: a synthesized address and the id of the kept resource it adopts. */
export interface AdoptionImport {
  readonly address: string;
  readonly id: string;
}

/**
 * The imports that adopt `kept` into a synthesized cluster stack (`cdk.tf.json`'s resources):
 * the backup store's addresses (isKeptAddress) the cloud has an import id for, less `inState`.
 */
export function adoptionImports(stackJson: string, kept: readonly TaggedResource[], resources: ClusterResources, inState: ReadonlySet<string> = new Set()): AdoptionImport[] {
  const parsed = JSON.parse(stackJson) as { resource?: Record<string, Record<string, Record<string, unknown>>> };
  const imports: AdoptionImport[] = [];
  for (const [type, byName] of Object.entries(parsed.resource ?? {})) {
    for (const [name, config] of Object.entries(byName)) {
      const address = `${type}.${name}`;
      if (!isKeptAddress(address) || inState.has(address)) continue;
      const id = resources.adoptionImportId(type, config, kept);
      if (id !== undefined) imports.push({ address, id });
    }
  }
  return imports;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Adopts the selected clusters' kept backup stores; resolves to 0, or 1 when deploy must not run. */
export async function adoptKeptBackupStores(args: readonly string[], deps: AdoptionDependencies): Promise<number> {
  const patterns = stackPatterns(args);
  let candidates: readonly ClusterDefinition[];
  try {
    candidates = deps
      .definitions()
      .filter((d) => d.backups.enabled && (patterns.length === 0 || patterns.some((p) => matchesStackPattern(stackNames(d.name).cluster, p))));
  } catch (e) {
    deps.report(`kubeplane deploy: the definitions cannot be read to look for kept backup stores; nothing was deployed: ${message(e)}`);
    return 1;
  }
  let synthesized: readonly SynthesizedStack[] | undefined;
  for (const definition of candidates) {
    const name = stackNames(definition.name).cluster;
    const resources = deps.resourcesFor(definition);
    let kept: TaggedResource[];
    try {
      kept = await resources.listKept();
    } catch (e) {
      deps.report(`kubeplane deploy: ${name}: cannot look for a backup store an earlier destroy kept (${resources.location}); nothing was deployed: ${message(e)}`);
      return 1;
    }
    if (kept.length === 0) continue;
    synthesized ??= await deps.synthesize();
    const stack = synthesized.find((s) => s.name === name);
    if (!stack) throw new Error(`no stack ${name} was synthesized`);
    await deps.initialize(stack.workingDirectory);
    const listed = await deps.terraform(["state", "list"], { cwd: stack.workingDirectory });
    // No state yet reads as nothing in it (a local backend without a state file exits 1).
    const inState = new Set(listed.code === 0 ? listed.stdout.split("\n").map((l) => l.trim()).filter(Boolean) : []);
    const imports = adoptionImports(readFileSync(path.join(stack.workingDirectory, "cdk.tf.json"), "utf8"), kept, resources, inState);
    if (imports.length === 0) continue;
    const summary = keptSummary(kept);
    deps.report(`kubeplane deploy: ${name}: adopting the backup store a destroy kept at ${summary.since} (${summary.resources}): importing ${imports.length} resources into its state`);
    for (const { address, id } of imports) {
      const imported = await deps.terraform(["import", "-input=false", "-no-color", address, id], { cwd: stack.workingDirectory });
      if (imported.code !== 0) {
        deps.report(`kubeplane deploy: ${name}: terraform import ${address} ${id} failed (exit ${imported.code}); nothing was deployed: ${(imported.stderr || imported.stdout).trim()}`);
        deps.report(`  Run kubeplane deploy again (what was imported stays), or import by hand: cd ${stack.workingDirectory} && terraform import '${address}' '${id}'`);
        return 1;
      }
    }
    deps.report(`kubeplane deploy: ${name}: adopted the backup store (${imports.length} resources imported); the deploy brings its settings and tags to the definition`);
  }
  return 0;
}
