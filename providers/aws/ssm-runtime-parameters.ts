/**
 * The run-time data of an AWS cluster: the SSM parameters its nodes write under
 * `/kubeplane/<cluster>/` (the join leases, SecureStrings under the cluster's KMS key; the
 * rotation lock, claim and status, Strings). Terraform creates none of them (ssm-parameter-backend.ts),
 * so `destroy` removes them with the SDK once the cluster stack is gone.
 *
 * `@aws-sdk/client-ssm` is loaded only when `remove` runs: synth never pays for it. The client
 * takes region from the cluster, and everything else (AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_SSM,
 * AWS_PROFILE, credentials, retries) from the environment, as every SDK client does.
 */
import type { RuntimeData, RuntimeDataRemoval } from "../runtime-data";
import { parameterPath } from "./ssm-parameter-backend";

/** GetParametersByPath answers at most 10 per page (`MaxResults`, API reference). */
const PAGE_SIZE = 10;
/** DeleteParameters takes at most 10 names per call (`Names`, API reference). */
export const DELETE_BATCH_SIZE = 10;
/** Listings after which parameters that keep reappearing are reported instead of chased. */
const MAX_PASSES = 3;

/**
 * The two Parameter Store calls the removal makes, shaped as the SDK's inputs and outputs
 * (GetParametersByPathCommand, DeleteParametersCommand), so tests can stand in for SSM.
 */
export interface ParameterStoreCalls {
  getParametersByPath(input: { Path: string; Recursive: boolean; MaxResults: number; NextToken?: string }): Promise<{
    Parameters?: readonly { Name?: string }[];
    NextToken?: string;
  }>;
  deleteParameters(input: { Names: string[] }): Promise<{ DeletedParameters?: readonly string[]; InvalidParameters?: readonly string[] }>;
}

/** The names of every parameter under `path` (recursive), every page. */
async function parameterNames(calls: ParameterStoreCalls, path: string): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await calls.getParametersByPath({ Path: path, Recursive: true, MaxResults: PAGE_SIZE, ...(token ? { NextToken: token } : {}) });
    // Only what is really under the path: `/kubeplane/dev-other/...` is another cluster's.
    for (const p of page.Parameters ?? []) if (p.Name?.startsWith(`${path}/`)) names.push(p.Name);
    token = page.NextToken;
  } while (token);
  return names;
}

/**
 * Deletes every parameter under `path` (e.g. `/kubeplane/dev`), listing them all first (deleting
 * between pages would shift the pages) and deleting in batches of 10; then lists again, since a
 * node that was still running may have written one more. Resolves to how many were deleted;
 * names SSM reports as already gone count as nothing. Rejects with SSM's error.
 */
export async function removeParametersUnder(calls: ParameterStoreCalls, path: string): Promise<number> {
  const prefix = path.replace(/\/+$/, "");
  if (!/^\/[^/]/.test(prefix)) throw new Error(`removeParametersUnder: "${path}" is no parameter path below the root`);
  let removed = 0;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const names = await parameterNames(calls, prefix);
    if (names.length === 0) return removed;
    for (let i = 0; i < names.length; i += DELETE_BATCH_SIZE) {
      const answer = await calls.deleteParameters({ Names: names.slice(i, i + DELETE_BATCH_SIZE) });
      removed += answer.DeletedParameters?.length ?? 0;
    }
  }
  const left = await parameterNames(calls, prefix);
  if (left.length > 0) {
    throw new Error(`${left.length} parameter(s) under ${prefix}/ came back after ${MAX_PASSES} removals (is a node still running?): ${left.join(", ")}`);
  }
  return removed;
}

/** The SSM parameters of one cluster, in its region. */
export class SsmRuntimeParameters implements RuntimeData {
  readonly location: string;
  readonly manualRemoval: readonly string[];
  private readonly path: string;

  /**
   * @param clusterName the cluster's name (its parameters live under `/kubeplane/<clusterName>/`)
   * @param region the cluster's region
   * @param connect makes the Parameter Store calls (default: an SDK client for `region`)
   */
  constructor(
    clusterName: string,
    private readonly region: string,
    private readonly connect: (region: string) => Promise<ParameterStoreCalls & { close(): void }> = sdkCalls,
  ) {
    if (!clusterName) throw new Error("SsmRuntimeParameters: clusterName is empty");
    if (!region) throw new Error(`SsmRuntimeParameters: region is empty (cluster "${clusterName}")`);
    this.path = parameterPath(clusterName);
    this.location = `SSM parameters under ${this.path}/ in ${region}`;
    this.manualRemoval = [
      `aws ssm get-parameters-by-path --region ${region} --path '${this.path}' --recursive --query 'Parameters[].Name' --output text` +
        ` | xargs -r -n ${DELETE_BATCH_SIZE} aws ssm delete-parameters --region ${region} --names`,
    ];
  }

  async remove(): Promise<RuntimeDataRemoval> {
    const calls = await this.connect(this.region);
    try {
      return { count: await removeParametersUnder(calls, this.path), location: this.location };
    } finally {
      calls.close();
    }
  }
}

/** Parameter Store calls through `@aws-sdk/client-ssm`, loaded now (not when this module is). */
async function sdkCalls(region: string): Promise<ParameterStoreCalls & { close(): void }> {
  const { SSMClient, GetParametersByPathCommand, DeleteParametersCommand } = await import("@aws-sdk/client-ssm");
  const client = new SSMClient({ region });
  return {
    getParametersByPath: (input) => client.send(new GetParametersByPathCommand(input)),
    deleteParameters: (input) => client.send(new DeleteParametersCommand(input)),
    close: () => client.destroy(),
  };
}
