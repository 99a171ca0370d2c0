/**
 * Removing a Secrets Manager cluster's run-time secrets. The stand-in answers as the API does
 * (botocore's secretsmanager 2017-10-17 model: ListSecrets' `name` filter matches names that
 * start with the value, pages through NextToken, at most MaxResults a page; DeleteSecret with
 * ForceDeleteWithoutRecovery removes the secret at once).
 */
import { removeSecretsUnder, SecretsManagerCalls, SecretsManagerRuntimeSecrets } from "../../../providers/aws/secrets-manager-runtime-secrets";
import { SsmRuntimeParameters } from "../../../providers/aws/ssm-runtime-parameters";
import { runtimeDataFor } from "../../../providers/cloud-registry";
import { exampleDefinition } from "../../support/examples";

function store(names: string[], options: { reappear?: string } = {}) {
  const secrets = new Set(names);
  const deleted: string[] = [];
  const calls: SecretsManagerCalls = {
    async listSecrets({ Filters, MaxResults, NextToken }) {
      const all = [...secrets].filter((n) => Filters.every((f) => f.Values.some((v) => n.startsWith(v)))).sort();
      const start = NextToken ? Number(NextToken) : 0;
      const page = all.slice(start, start + Math.min(MaxResults, 2));
      return { SecretList: page.map((Name) => ({ Name })), NextToken: start + 2 < all.length ? String(start + 2) : undefined };
    },
    async deleteSecret({ SecretId, ForceDeleteWithoutRecovery }) {
      if (!ForceDeleteWithoutRecovery) throw new Error("would keep the name for the recovery window");
      secrets.delete(SecretId);
      deleted.push(SecretId);
      if (options.reappear === SecretId) secrets.add(SecretId);
      return {};
    },
  };
  return { calls, secrets, deleted };
}

test("removes every secret under the cluster's prefix, every page, and nothing of a cluster whose name extends it", async () => {
  const s = store(["kubeplane/dev/cluster/claim", "kubeplane/dev/status/i-1", "kubeplane/dev/status/i-2", "kubeplane/dev/refresh/request", "kubeplane/dev-2/cluster/claim", "app/x"]);
  await expect(removeSecretsUnder(s.calls, "kubeplane/dev")).resolves.toBe(4);
  expect([...s.secrets].sort()).toEqual(["app/x", "kubeplane/dev-2/cluster/claim"]);
});

test("reports secrets that keep coming back instead of chasing them", async () => {
  const s = store(["kubeplane/dev/status/i-1"], { reappear: "kubeplane/dev/status/i-1" });
  await expect(removeSecretsUnder(s.calls, "kubeplane/dev")).rejects.toThrow("1 secret(s) under kubeplane/dev/ came back after 3 removals (is a node still running?): kubeplane/dev/status/i-1");
});

test("refuses a prefix that is not a cluster's", async () => {
  await expect(removeSecretsUnder(store([]).calls, "kubeplane")).rejects.toThrow('removeSecretsUnder: "kubeplane" is no cluster prefix like kubeplane/<cluster>');
});

test("SecretsManagerRuntimeSecrets names where it removes, how to remove by hand, and closes its client", async () => {
  const s = store(["kubeplane/dev/cluster/claim"]);
  let closed = 0;
  let region = "";
  const data = new SecretsManagerRuntimeSecrets("dev", "eu-west-1", async (r) => {
    region = r;
    return Object.assign(s.calls, { close: () => closed++ });
  });
  expect(data.location).toBe("Secrets Manager secrets under kubeplane/dev/ in eu-west-1");
  expect(data.manualRemoval[0]).toContain("aws secretsmanager list-secrets --region eu-west-1 --filters Key=name,Values='kubeplane/dev/'");
  expect(data.manualRemoval[0]).toContain("--force-delete-without-recovery");
  await expect(data.remove()).resolves.toEqual({ count: 1, location: data.location });
  expect({ region, closed }).toEqual({ region: "eu-west-1", closed: 1 });
  expect(() => new SecretsManagerRuntimeSecrets("", "eu-west-1")).toThrow("SecretsManagerRuntimeSecrets: clusterName is empty");
});

test("destroy removes what the nodes wrote in the cluster's own store", () => {
  const base = exampleDefinition("dev");
  expect(runtimeDataFor({ ...base, joinTokens: { ...base.joinTokens, backend: "secretsmanager" } })).toBeInstanceOf(SecretsManagerRuntimeSecrets);
  expect(runtimeDataFor(base)).toBeInstanceOf(SsmRuntimeParameters);
});
