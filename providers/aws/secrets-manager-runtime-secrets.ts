/**
 * The run-time data of an AWS cluster whose join lease lives in Secrets Manager: the secrets its
 * nodes create under `kubeplane/<cluster>/` (claim, locks, status, refresh requests; Terraform
 * made only the lease secrets, which it removes with the cluster stack), removed by `destroy`
 * once the cluster stack is gone, without a recovery window (ForceDeleteWithoutRecovery), so
 * that a cluster made again under the same name can use the names at once.
 *
 * `@aws-sdk/client-secrets-manager` is loaded only when `remove` runs. The client takes region
 * from the cluster and everything else from the environment, as every SDK client does.
 */
import type { RuntimeData, RuntimeDataRemoval } from "../runtime-data";
import { secretPath } from "./secrets-manager-parameter-backend";

/** ListSecrets answers at most 100 per page (`MaxResults`, Secrets Manager API reference). */
const PAGE_SIZE = 100;
/** Listings after which secrets that keep reappearing are reported instead of chased. */
const MAX_PASSES = 3;

/** The two Secrets Manager calls the removal makes, shaped as the SDK's (ListSecretsCommand, DeleteSecretCommand). */
export interface SecretsManagerCalls {
  listSecrets(input: { Filters: { Key: "name"; Values: string[] }[]; MaxResults: number; NextToken?: string }): Promise<{
    SecretList?: readonly { Name?: string }[];
    NextToken?: string;
  }>;
  deleteSecret(input: { SecretId: string; ForceDeleteWithoutRecovery: boolean }): Promise<unknown>;
}

/** The names of every secret whose name starts with `prefix/` (the `name` filter matches prefixes). */
async function secretNames(calls: SecretsManagerCalls, prefix: string): Promise<string[]> {
  const names: string[] = [];
  let token: string | undefined;
  do {
    const page = await calls.listSecrets({ Filters: [{ Key: "name", Values: [`${prefix}/`] }], MaxResults: PAGE_SIZE, ...(token ? { NextToken: token } : {}) });
    // Only what is really under the prefix: `kubeplane/dev-other/...` is another cluster's.
    for (const s of page.SecretList ?? []) if (s.Name?.startsWith(`${prefix}/`)) names.push(s.Name);
    token = page.NextToken;
  } while (token);
  return names;
}

/**
 * Deletes every secret under `prefix` (e.g. `kubeplane/dev`) without recovery, listing them all
 * first; then lists again, since a node still running may have written one more. Resolves to how
 * many were deleted. Rejects with Secrets Manager's error.
 */
export async function removeSecretsUnder(calls: SecretsManagerCalls, prefix: string): Promise<number> {
  const clean = prefix.replace(/^\/+|\/+$/g, "");
  if (!/^[^/]+\/[^/]/.test(clean)) throw new Error(`removeSecretsUnder: "${prefix}" is no cluster prefix like kubeplane/<cluster>`);
  let removed = 0;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const names = await secretNames(calls, clean);
    if (names.length === 0) return removed;
    for (const name of names) {
      await calls.deleteSecret({ SecretId: name, ForceDeleteWithoutRecovery: true });
      removed += 1;
    }
  }
  const left = await secretNames(calls, clean);
  if (left.length > 0) throw new Error(`${left.length} secret(s) under ${clean}/ came back after ${MAX_PASSES} removals (is a node still running?): ${left.join(", ")}`);
  return removed;
}

/** The Secrets Manager secrets one cluster's nodes made, in its region. */
export class SecretsManagerRuntimeSecrets implements RuntimeData {
  readonly location: string;
  readonly manualRemoval: readonly string[];
  private readonly prefix: string;

  /**
   * @param clusterName the cluster's name (its secrets are `kubeplane/<clusterName>/...`)
   * @param region the cluster's region
   * @param connect makes the Secrets Manager calls (default: an SDK client for `region`)
   */
  constructor(
    clusterName: string,
    private readonly region: string,
    private readonly connect: (region: string) => Promise<SecretsManagerCalls & { close(): void }> = sdkCalls,
  ) {
    if (!clusterName) throw new Error("SecretsManagerRuntimeSecrets: clusterName is empty");
    if (!region) throw new Error(`SecretsManagerRuntimeSecrets: region is empty (cluster "${clusterName}")`);
    this.prefix = secretPath(clusterName);
    this.location = `Secrets Manager secrets under ${this.prefix}/ in ${region}`;
    this.manualRemoval = [
      `aws secretsmanager list-secrets --region ${region} --filters Key=name,Values='${this.prefix}/' --query 'SecretList[].Name' --output text` +
        ` | xargs -r -n 1 aws secretsmanager delete-secret --region ${region} --force-delete-without-recovery --secret-id`,
    ];
  }

  async remove(): Promise<RuntimeDataRemoval> {
    const calls = await this.connect(this.region);
    try {
      return { count: await removeSecretsUnder(calls, this.prefix), location: this.location };
    } finally {
      calls.close();
    }
  }
}

/** Secrets Manager calls through `@aws-sdk/client-secrets-manager`, loaded now (not when this module is). */
async function sdkCalls(region: string): Promise<SecretsManagerCalls & { close(): void }> {
  const { SecretsManagerClient, ListSecretsCommand, DeleteSecretCommand } = await import("@aws-sdk/client-secrets-manager");
  const client = new SecretsManagerClient({ region });
  return {
    listSecrets: (input) => client.send(new ListSecretsCommand(input)),
    deleteSecret: (input) => client.send(new DeleteSecretCommand(input)),
    close: () => client.destroy(),
  };
}
