/**
 * The removal of a cluster's run-time SSM parameters against a fake Parameter Store that pages,
 * limits and fails as SSM does (the emulator suites run the same removal against moto).
 */
import { execFileSync } from "child_process";
import { PROJECT_ROOT } from "../../../cli/terraform-environment";
import { DELETE_BATCH_SIZE, ParameterStoreCalls, removeParametersUnder, SsmRuntimeParameters } from "../../../providers/aws/ssm-runtime-parameters";

/**
 * A Parameter Store in memory. Its limits are SSM's: GetParametersByPath `MaxResults` 1..10
 * (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetParametersByPath.html),
 * DeleteParameters `Names` 1..10 items, names not found answered in `InvalidParameters`
 * (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DeleteParameters.html).
 * Its pages are moto's: the NextToken is an offset into the sorted names under the path, and the
 * path matches with a trailing `/` added (moto/ssm/models.py, SimpleSystemManagerBackend
 * get_parameters_by_path and _get_values_nexttoken), so deleting between pages skips names.
 */
class FakeParameterStore implements ParameterStoreCalls {
  readonly names: Set<string>;
  readonly calls: string[] = [];
  failDeleteWith?: Error;

  constructor(names: Iterable<string>) {
    this.names = new Set(names);
  }

  async getParametersByPath(input: { Path: string; Recursive: boolean; MaxResults: number; NextToken?: string }) {
    this.calls.push(`get ${input.Path} ${input.NextToken ?? "-"}`);
    if (input.MaxResults < 1 || input.MaxResults > 10) {
      throw Object.assign(new Error(`1 validation error detected: Value ${input.MaxResults} at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 10`), { name: "ValidationException" });
    }
    const prefix = `${input.Path.replace(/\/+$/, "")}/`;
    const under = [...this.names].filter((n) => n.startsWith(prefix) && (input.Recursive || !n.slice(prefix.length).includes("/"))).sort();
    const offset = Number(input.NextToken ?? "0");
    const page = under.slice(offset, offset + input.MaxResults);
    return { Parameters: page.map((Name) => ({ Name })), NextToken: page.length === input.MaxResults ? String(offset + input.MaxResults) : undefined };
  }

  async deleteParameters(input: { Names: string[] }) {
    this.calls.push(`delete ${input.Names.length}`);
    if (this.failDeleteWith) throw this.failDeleteWith;
    if (input.Names.length < 1 || input.Names.length > 10) {
      throw Object.assign(new Error(`1 validation error detected: Value '[${input.Names.join(", ")}]' at 'names' failed to satisfy constraint: Member must have length less than or equal to 10`), { name: "ValidationException" });
    }
    const deleted = input.Names.filter((n) => this.names.delete(n));
    return { DeletedParameters: deleted, InvalidParameters: input.Names.filter((n) => !deleted.includes(n)) };
  }
}

const lease = (cluster: string, i: number) => `/kubeplane/${cluster}/join/node-${String(i).padStart(2, "0")}`;

test("removes every parameter under the path across pages, in batches of at most 10, and nothing of another cluster", async () => {
  const dev = Array.from({ length: 23 }, (_, i) => lease("dev", i)).concat(["/kubeplane/dev/join/worker", "/kubeplane/dev/deep/a/b/c"]);
  const others = ["/kubeplane/dev-other/join/worker", "/kubeplane/devx", "/kubeplane/prod/join/worker", "/other/kubeplane/dev/x"];
  const store = new FakeParameterStore([...dev, ...others]);

  expect(await removeParametersUnder(store, "/kubeplane/dev")).toBe(dev.length);

  expect([...store.names].sort()).toEqual([...others].sort());
  const deletes = store.calls.filter((c) => c.startsWith("delete")).map((c) => Number(c.split(" ")[1]));
  expect(deletes).toEqual([10, 10, 5]);
  expect(Math.max(...deletes)).toBeLessThanOrEqual(DELETE_BATCH_SIZE);
  // Every page was read before the first delete: offset tokens would skip names otherwise.
  expect(store.calls.slice(0, 4)).toEqual(["get /kubeplane/dev -", "get /kubeplane/dev 10", "get /kubeplane/dev 20", "delete 10"]);
});

test("a path with nothing under it removes nothing and makes no delete call", async () => {
  const store = new FakeParameterStore(["/kubeplane/prod/join/worker"]);
  expect(await removeParametersUnder(store, "/kubeplane/dev/")).toBe(0);
  expect(store.calls).toEqual(["get /kubeplane/dev -"]);
});

test("exactly one full page asks once more, with the token, and stops at the empty page", async () => {
  const store = new FakeParameterStore(Array.from({ length: 10 }, (_, i) => lease("dev", i)));
  expect(await removeParametersUnder(store, "/kubeplane/dev")).toBe(10);
  expect(store.calls.slice(0, 3)).toEqual(["get /kubeplane/dev -", "get /kubeplane/dev 10", "delete 10"]);
  expect(store.names.size).toBe(0);
});

test("names already gone when deleted count as nothing removed", async () => {
  const store = new FakeParameterStore(["/kubeplane/dev/a", "/kubeplane/dev/b"]);
  const deleteParameters = store.deleteParameters.bind(store);
  store.deleteParameters = async (input) => {
    store.names.delete("/kubeplane/dev/a"); // a node's own delete got there first
    return deleteParameters(input);
  };
  expect(await removeParametersUnder(store, "/kubeplane/dev")).toBe(1);
  expect(store.names.size).toBe(0);
});

test("a parameter that keeps coming back is reported, not chased forever", async () => {
  const store = new FakeParameterStore(["/kubeplane/dev/join/rotation-lock"]);
  const deleteParameters = store.deleteParameters.bind(store);
  store.deleteParameters = async (input) => {
    const answer = await deleteParameters(input);
    store.names.add("/kubeplane/dev/join/rotation-lock"); // a node still running writes it again
    return answer;
  };
  await expect(removeParametersUnder(store, "/kubeplane/dev")).rejects.toThrow(/1 parameter\(s\) under \/kubeplane\/dev\/ came back .*\/kubeplane\/dev\/join\/rotation-lock/);
});

test("SSM's error reaches the caller, and a root path is refused", async () => {
  const store = new FakeParameterStore(["/kubeplane/dev/join/worker"]);
  // The message format IAM gives for a denied action
  // (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html).
  store.failDeleteWith = Object.assign(
    new Error("User: arn:aws:iam::123456789012:user/ops is not authorized to perform: ssm:DeleteParameters on resource: arn:aws:ssm:eu-west-1:123456789012:parameter/kubeplane/dev/join/worker because no identity-based policy allows the ssm:DeleteParameters action"),
    { name: "AccessDeniedException" },
  );
  await expect(removeParametersUnder(store, "/kubeplane/dev")).rejects.toMatchObject({ name: "AccessDeniedException" });
  expect(store.names.size).toBe(1);
  await expect(removeParametersUnder(store, "/")).rejects.toThrow(/no parameter path below the root/);
});

describe("SsmRuntimeParameters", () => {
  test("removes the cluster's path in its region, closes the client, and says where", async () => {
    const store = new FakeParameterStore(["/kubeplane/dev/join/worker", "/kubeplane/prod/join/worker"]);
    const connected: string[] = [];
    let closed = 0;
    const data = new SsmRuntimeParameters("dev", "eu-west-1", async (region) => {
      connected.push(region);
      return Object.assign(store, { close: () => closed++ });
    });
    expect(data.location).toBe("SSM parameters under /kubeplane/dev/ in eu-west-1");
    expect(await data.remove()).toEqual({ count: 1, location: data.location });
    expect({ connected, closed, left: [...store.names] }).toEqual({ connected: ["eu-west-1"], closed: 1, left: ["/kubeplane/prod/join/worker"] });
  });

  test("closes the client when the removal fails, and offers the aws CLI commands for the same path and region", async () => {
    const store = new FakeParameterStore(["/kubeplane/dev/join/worker"]);
    store.failDeleteWith = new Error("connect ECONNREFUSED 127.0.0.1:1");
    let closed = 0;
    const data = new SsmRuntimeParameters("dev", "eu-west-1", async () => Object.assign(store, { close: () => closed++ }));
    await expect(data.remove()).rejects.toThrow("ECONNREFUSED");
    expect(closed).toBe(1);
    expect(data.manualRemoval).toEqual([
      "aws ssm get-parameters-by-path --region eu-west-1 --path '/kubeplane/dev' --recursive --query 'Parameters[].Name' --output text | xargs -r -n 10 aws ssm delete-parameters --region eu-west-1 --names",
    ]);
  });

  test("loading the cloud registry does not load the SDK (synth never pays for it); remove() does", () => {
    // In a plain node process as the CLI runs: Jest's module registry is not Node's require.cache.
    const probe = [
      'const loaded = () => Object.keys(require.cache).some((m) => m.includes("/@aws-sdk/client-ssm/"));',
      'const registry = require("./providers/cloud-registry");',
      'const before = loaded();',
      'const data = registry.runtimeDataFor({ cloud: "aws", name: "dev", region: "eu-west-1", joinTokens: { backend: "ssm" } });',
      'data.remove().catch(() => {}).finally(() => console.log(JSON.stringify({ before, after: loaded() })));',
    ].join("\n");
    const env = { ...process.env, AWS_ENDPOINT_URL: "http://127.0.0.1:1", AWS_ACCESS_KEY_ID: "x", AWS_SECRET_ACCESS_KEY: "x", AWS_MAX_ATTEMPTS: "1" };
    const stdout = execFileSync("node", ["-r", "@swc-node/register", "-e", probe], { cwd: PROJECT_ROOT, env, encoding: "utf8" });
    expect(JSON.parse(stdout.trim().split("\n").pop()!)).toEqual({ before: false, after: true });
  });
});
