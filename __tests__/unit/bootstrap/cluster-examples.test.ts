/** The user data of every example cluster in clusters/, with Terraform's values resolved realistically. */
import { spawnSync } from "child_process";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { nodeBundleArchive, renderBundledUserData } from "../../../bootstrap/bundle";
import { deliveredUserDataBytes, userDataFits } from "../../../bootstrap/cloud-config";
import { NodeRole, UserDataContext } from "../../../bootstrap/user-data-context";
import { ClusterDefinition, loadDefinitions, resolveDefinitionFiles } from "../../../definition";
import { cloudFor } from "../../../providers";
import { EC2_USER_DATA_LIMIT_BYTES } from "../../../providers/aws/user-data-limit";
import { contextFor } from "./rendering-fixtures";

const REPO = path.join(__dirname, "..", "..", "..");
/** Issue 14: at most 12 KiB per role as delivered, a margin under EC2's 16 KiB. */
const USER_DATA_BUDGET_BYTES = 12 * 1024;
// The AWS examples: their user data as EC2 takes it (an S3 bundle, EC2's limit). The GCP example's
// synthesized user data is checked in __tests__/unit/providers/gcp/gcp-example.test.ts.
const examples = loadDefinitions(resolveDefinitionFiles(undefined, REPO), { cloudFor })
  .map((l) => l.definition)
  .filter((d) => d.cloud === "aws");

function roles(def: ClusterDefinition): NodeRole[] {
  return def.controlPlane.count > 1 ? ["control-plane-init", "control-plane-join", "worker"] : ["control-plane-init", "worker"];
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "kubeplane-examples-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("there are examples", () => {
  expect(examples.map((d) => d.name).sort()).toEqual(expect.arrayContaining(["dev", "kurl", "prod"]));
});

describe.each(examples.map((d) => [d.name, d] as const))("example %s", (_, def) => {
  test.each(roles(def))("%s user data passes cloud-init's schema and fits in 12 KiB as delivered (gzip-compressed, the scripts in the bundle)", (role) => {
    const base = contextFor(role, def.kubernetes.installer, {
      endpoint: `api.${def.name}.kubeplane.internal`,
      kmsKeyArn: `arn:aws:kms:${def.region}:123456789012:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d`,
      region: def.region,
    }, def.name);
    const context: UserDataContext = {
      ...base,
      kubernetes: {
        version: def.kubernetes.version,
        installer: def.kubernetes.installer,
        podCidr: def.kubernetes.podCidr,
        serviceCidr: def.kubernetes.serviceCidr,
        kurlInstallerUrl: def.kubernetes.kurl?.installerUrl,
      },
      controlPlaneCount: def.controlPlane.count,
      joinLease: { ttlHours: def.joinTokens.ttlHours },
      clusterAutoscaler: role === "control-plane-init" && def.workerPools.some((p) => p.autoscale),
    };
    // As the cluster stack delivers it: the settings and the loader, the scripts in the bundle
    // (the longest bucket name AWS's limits allow, a real SHA-256).
    const { sha256 } = nodeBundleArchive(context);
    const location = {
      kind: "s3",
      settings: {
        KUBEPLANE_BUNDLE_BUCKET: `kp-${"c".repeat(28)}-123456789012-ap-southeast-3-n`,
        KUBEPLANE_BUNDLE_KEY: `bundles/${role}-${sha256}.tar.gz`,
        KUBEPLANE_BUNDLE_REGION: def.region,
      },
    };
    const userData = renderBundledUserData(context, location, sha256);
    const file = path.join(dir, `${def.name}-${role}.yaml`);
    writeFileSync(file, userData);
    const result = spawnSync("cloud-init", ["schema", "--config-file", file], { encoding: "utf8" });
    expect(result.stdout).toContain("Valid cloud-config");
    expect(result.status).toBe(0);
    expect(userDataFits(userData, EC2_USER_DATA_LIMIT_BYTES)).toBe(true);
    expect(deliveredUserDataBytes(userData)).toBeLessThanOrEqual(USER_DATA_BUDGET_BYTES);
  });
});
