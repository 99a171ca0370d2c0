/**
 * Terraform addresses are a contract: a resource whose address changes is destroyed and created
 * again on the next deploy (a new VPC, a new control plane). This test keeps every example's
 * addresses, stack by stack, in terraform-addresses.json and fails on any difference, naming what
 * moved.
 *
 * When the difference is intended:
 * - only additions: run `KUBEPLANE_UPDATE_ADDRESSES=1 npx jest __tests__/unit/stacks/terraform-addresses.test.ts --selectProjects unit`
 *   and commit the file;
 * - a removal or rename of a live resource: restore the construct id, or add a `moved` block
 *   (`stack.moveTo`/`moveFromId` in cdktf) so that Terraform moves the state instead of replacing,
 *   and say so in the change.
 */
import { existsSync, readFileSync, writeFileSync } from "fs";
import * as path from "path";
import { definitionFromYaml, exampleDefinition, EXAMPLES, PROJECT_ROOT, synthesizeCluster, TerraformJson } from "../../support/examples";
import { ClusterDefinition } from "../../../definition";

const SNAPSHOT = path.join(__dirname, "terraform-addresses.json");

/** The examples, and the variants of them that add resources of their own. */
function cases(): Record<string, ClusterDefinition> {
  const devYaml = readFileSync(path.join(PROJECT_ROOT, "clusters", "dev.yaml"), "utf8");
  return {
    ...Object.fromEntries(EXAMPLES.map((name) => [name, exampleDefinition(name)])),
    // A single control-plane node with a public API: the only shape with an internet-facing balancer alone.
    "dev+publicApi": definitionFromYaml(devYaml.replace(/^controlPlane:\n/m, "controlPlane:\n  publicApi:\n    allowedCidrs: [203.0.113.0/24]\n")),
  };
}

function addressesOf(json: TerraformJson): string[] {
  const resources = Object.entries(json.resource ?? {}).flatMap(([type, byName]) => Object.keys(byName).map((name) => `${type}.${name}`));
  const data = Object.entries(json.data ?? {}).flatMap(([type, byName]) => Object.keys(byName).map((name) => `data.${type}.${name}`));
  return [...resources, ...data].sort();
}

type Addresses = Record<string, Record<string, string[]>>;

function currentAddresses(): Addresses {
  return Object.fromEntries(
    Object.entries(cases()).map(([name, definition]) => {
      const s = synthesizeCluster(definition);
      return [name, { network: addressesOf(s.networkJson), cluster: addressesOf(s.clusterJson) }];
    }),
  );
}

const current = currentAddresses();

if (process.env.KUBEPLANE_UPDATE_ADDRESSES === "1") writeFileSync(SNAPSHOT, `${JSON.stringify(current, null, 2)}\n`);

const recorded: Addresses = existsSync(SNAPSHOT) ? JSON.parse(readFileSync(SNAPSHOT, "utf8")) : {};

describe.each(Object.keys(current))("%s: Terraform addresses", (name) => {
  test.each(["network", "cluster"])("%s stack keeps every address it had", (stack) => {
    const before = recorded[name]?.[stack];
    if (!before) throw new Error(`${SNAPSHOT} has no addresses for ${name}/${stack}: run with KUBEPLANE_UPDATE_ADDRESSES=1 and commit it`);
    const now = current[name][stack];
    const removed = before.filter((a) => !now.includes(a));
    const added = now.filter((a) => !before.includes(a));
    const moves = [
      ...removed.map((a) => `  - ${a} (gone: a live resource here would be destroyed; restore its construct id or add a moved block)`),
      ...added.map((a) => `  + ${a} (new: if intended, update the snapshot with KUBEPLANE_UPDATE_ADDRESSES=1)`),
    ];
    if (moves.length > 0) throw new Error(`${name}/${stack}: Terraform addresses changed:\n${moves.join("\n")}`);
  });
});
