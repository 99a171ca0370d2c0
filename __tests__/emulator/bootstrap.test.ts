/**
 * `kubeplane bootstrap <region>` against the AWS emulator, from an empty account: the state
 * bucket's settings read back through the S3 API, the four policies in IAM, the bootstrap
 * stack's state moved from the local file into the bucket, and a second run that works on the
 * state in the bucket and changes nothing.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { runKubeplane } from "../../cli/kubeplane";
import { Emulator, startEmulator } from "../support/emulator";
import { EmulatorInventory } from "../support/deploy/emulator-inventory";

jest.setTimeout(10 * 60_000);

const REGION = "eu-west-1";
/** moto's default account. */
const ACCOUNT = "123456789012";
const BUCKET = `kubeplane-state-${ACCOUNT}-${REGION}`;

let emulator: Emulator;
let inventory: EmulatorInventory;
let directory: string;
let env: NodeJS.ProcessEnv;
const timings: Record<string, number> = {};

async function kubeplane(args: string[]): Promise<{ code: number; stdout: string; stderr: string; seconds: number }> {
  let stdout = "";
  let stderr = "";
  const started = Date.now();
  const code = await runKubeplane(args, { env, stdout: { write: (c) => (stdout += String(c)) }, stderr: { write: (c) => (stderr += String(c)) } });
  return { code, stdout, stderr, seconds: (Date.now() - started) / 1000 };
}

beforeAll(async () => {
  emulator = await startEmulator();
  inventory = new EmulatorInventory(emulator.env, REGION);
  directory = mkdtempSync(path.join(tmpdir(), "kubeplane-bootstrap-"));
  env = { ...process.env, ...emulator.env, CDKTF_OUTDIR: path.join(directory, "cdktf.out"), FORCE_COLOR: "0", CI: "1" };
});

afterAll(async () => {
  rmSync(directory, { recursive: true, force: true });
  await emulator?.stop();
  process.stdout.write(`bootstrap timings, seconds: ${JSON.stringify(timings)}\n`);
});

const stateDir = () => path.join(directory, "bootstrap-state");

test("bootstrap creates the bucket and the policies, and moves its own state into the bucket", async () => {
  expect((await inventory.aws("s3api", "list-buckets")).Buckets ?? []).toEqual([]);
  const run = await kubeplane(["bootstrap", REGION, "--state-dir", stateDir(), "--auto-approve"]);
  timings.first = run.seconds;
  expect({ code: run.code, stderr: run.code === 0 ? "" : run.stderr }).toEqual({ code: 0, stderr: "" });
  expect(run.stdout).toContain(`state bucket: ${BUCKET}\n`);
  expect(run.stdout).toContain(`bootstrap state: s3://${BUCKET}/kubeplane-bootstrap/${REGION}.tfstate\n`);
  expect(run.stderr).toMatch(/applying with local state .*kubeplane-bootstrap-eu-west-1\.tfstate/);
  expect(run.stderr).toMatch(/kubeplane-bootstrap-eu-west-1: Apply complete! Resources: \d+ added, 0 changed, 0 destroyed\./);
  expect(run.stderr).toContain(`moving its state into s3://${BUCKET}/kubeplane-bootstrap/${REGION}.tfstate`);

  // The state is in the bucket, complete; the local file is kept aside, renamed.
  const objects = ((await inventory.aws("s3api", "list-objects-v2", "--bucket", BUCKET)).Contents ?? []).map((o: { Key: string }) => o.Key);
  expect(objects).toEqual([`kubeplane-bootstrap/${REGION}.tfstate`]);
  const downloaded = path.join(directory, "bootstrap.downloaded.tfstate");
  await inventory.aws("s3api", "get-object", "--bucket", BUCKET, "--key", `kubeplane-bootstrap/${REGION}.tfstate`, downloaded);
  const state = JSON.parse(readFileSync(downloaded, "utf8"));
  expect(state.resources.map((r: { type: string }) => r.type)).toEqual(expect.arrayContaining(["aws_s3_bucket", "aws_s3_bucket_policy", "aws_iam_policy"]));
  const local = path.join(stateDir(), `kubeplane-bootstrap-${REGION}.tfstate`);
  expect(existsSync(local)).toBe(false);
  const addresses = (s: { resources: { mode: string; type: string; name: string }[] }) => s.resources.map((r) => `${r.mode}.${r.type}.${r.name}`).sort();
  expect(addresses(JSON.parse(readFileSync(`${local}.migrated`, "utf8")))).toEqual(addresses(state));
  expect(JSON.parse(readFileSync(path.join(stateDir(), `kubeplane-bootstrap-${REGION}.json`), "utf8"))).toEqual({ bucket: BUCKET, key: `kubeplane-bootstrap/${REGION}.tfstate` });
});

test("the bucket is versioned, encrypted, blocks public access and refuses requests without TLS", async () => {
  expect(await inventory.aws("s3api", "get-bucket-versioning", "--bucket", BUCKET)).toMatchObject({ Status: "Enabled" });
  const encryption = await inventory.aws("s3api", "get-bucket-encryption", "--bucket", BUCKET);
  expect(encryption.ServerSideEncryptionConfiguration.Rules.map((r: { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: string } }) => r.ApplyServerSideEncryptionByDefault.SSEAlgorithm)).toEqual(["AES256"]);
  expect((await inventory.aws("s3api", "get-public-access-block", "--bucket", BUCKET)).PublicAccessBlockConfiguration).toEqual({
    BlockPublicAcls: true,
    IgnorePublicAcls: true,
    BlockPublicPolicy: true,
    RestrictPublicBuckets: true,
  });
  const policy = JSON.parse((await inventory.aws("s3api", "get-bucket-policy", "--bucket", BUCKET)).Policy);
  expect(policy.Statement).toEqual([
    {
      Sid: "DenyWithoutTls",
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    },
  ]);
});

test("the deploy and plan policies exist in IAM, as synthesized", async () => {
  const listed = (await inventory.aws("iam", "list-policies", "--scope", "Local")).Policies.map((p: { PolicyName: string }) => p.PolicyName).sort();
  expect(listed).toEqual(["deploy", "deploy-keys", "deploy-listing", "plan", "plan-keys", "plan-listing"].map((p) => `kubeplane-bootstrap-${REGION}-${p}`));
  const arn = `arn:aws:iam::${ACCOUNT}:policy/kubeplane-bootstrap-${REGION}-plan`;
  const version = (await inventory.aws("iam", "get-policy", "--policy-arn", arn)).Policy.DefaultVersionId;
  const document = (await inventory.aws("iam", "get-policy-version", "--policy-arn", arn, "--version-id", version)).PolicyVersion.Document;
  const statements = (typeof document === "string" ? JSON.parse(decodeURIComponent(document)) : document).Statement;
  expect(statements.find((s: { Sid: string }) => s.Sid === "TakeAndReleaseStateLocks")).toEqual({
    Sid: "TakeAndReleaseStateLocks",
    Effect: "Allow",
    Action: ["s3:PutObject", "s3:DeleteObject"],
    Resource: [`arn:aws:s3:::${BUCKET}/*.tflock`],
  });
});

test("a second run works on the state in the bucket and changes nothing", async () => {
  const run = await kubeplane(["bootstrap", REGION, "--state-dir", stateDir(), "--auto-approve"]);
  timings.second = run.seconds;
  expect({ code: run.code, stderr: run.code === 0 ? "" : run.stderr }).toEqual({ code: 0, stderr: "" });
  expect(run.stderr).toContain(`applying with its state in s3://${BUCKET}/kubeplane-bootstrap/${REGION}.tfstate`);
  expect(run.stderr).not.toContain("local state");
  expect(run.stderr).toContain("kubeplane-bootstrap-eu-west-1: Apply complete! Resources: 0 added, 0 changed, 0 destroyed.");
  // The lock was taken and released: no lock file is left, the state is still the one object.
  const objects = ((await inventory.aws("s3api", "list-objects-v2", "--bucket", BUCKET)).Contents ?? []).map((o: { Key: string }) => o.Key);
  expect(objects).toEqual([`kubeplane-bootstrap/${REGION}.tfstate`]);
});

test("a bad bucket name is refused before anything is applied, naming the construct and the prop", async () => {
  const run = await kubeplane(["bootstrap", REGION, "--bucket", "Not_A_Bucket", "--state-dir", path.join(directory, "other"), "--auto-approve"]);
  expect(run.code).toBe(1);
  expect(run.stderr).toContain('kubeplane: AwsStateBucket kubeplane-bootstrap-eu-west-1/state-store: name "Not_A_Bucket" is not a valid S3 bucket name');
});
