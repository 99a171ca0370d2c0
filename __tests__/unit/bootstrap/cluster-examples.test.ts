/** The user data of every example cluster in clusters/, with Terraform's values resolved realistically. */
import { spawnSync } from "child_process";
import { mkdtempSync, rmSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { userDataFits } from "../../../bootstrap/cloud-config";
import { renderUserData } from "../../../bootstrap/user-data";
import { NodeRole } from "../../../bootstrap/user-data-context";
import { ClusterDefinition, loadDefinitions, resolveDefinitionFiles } from "../../../definition";
import { cloudFor } from "../../../providers";
import { EC2_USER_DATA_LIMIT_BYTES } from "../../../providers/aws/user-data-limit";
import { contextFor } from "./rendering-fixtures";

const REPO = path.join(__dirname, "..", "..", "..");
const examples = loadDefinitions(resolveDefinitionFiles(undefined, REPO), { cloudFor }).map((l) => l.definition);

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
  test.each(roles(def))("%s user data passes cloud-init's schema and fits in 16 KiB as delivered (gzip-compressed)", (role) => {
    const base = contextFor(role, def.kubernetes.installer, {
      endpoint: `api.${def.name}.kubeplane.internal`,
      kmsKeyArn: `arn:aws:kms:${def.region}:123456789012:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d`,
      region: def.region,
    }, def.name);
    const userData = renderUserData({
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
    });
    const file = path.join(dir, `${def.name}-${role}.yaml`);
    writeFileSync(file, userData);
    const result = spawnSync("cloud-init", ["schema", "--config-file", file], { encoding: "utf8" });
    expect(result.stdout).toContain("Valid cloud-config");
    expect(result.status).toBe(0);
    expect(userDataFits(userData, EC2_USER_DATA_LIMIT_BYTES)).toBe(true);
  });
});
