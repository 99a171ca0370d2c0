/**
 * The Google API calls the GCP node scripts make, the IAM permission each needs, and what each
 * predefined role providers/gcp binds includes: the data the GCP example's "node grants" tests
 * check the synthesized bindings against (the GCP counterpart of __tests__/unit/iam/node-policies.test.ts,
 * "the node scripts' AWS calls").
 *
 * Permissions per method: each method's page of Google's REST reference names it under
 * "IAM Permissions" / "Authorization requires the following IAM permission".
 * Roles: the predefined roles' permission lists (https://cloud.google.com/iam/docs/roles-permissions),
 * only the permissions that matter here.
 */
import { readFileSync } from "fs";
import * as path from "path";

const NODE_DIR = path.join(__dirname, "../../../../bootstrap/node");

/** One REST method a node script calls, how to know it in the script's text, and its permission. */
export interface RestMethod {
  /** Google's name for the method. */
  readonly method: string;
  /** The HTTP verb and the URL as the script writes it (after the service's base variable). */
  readonly verb: string;
  readonly url: RegExp;
  readonly permission: string;
  /** The reference page naming the permission. */
  readonly reference: string;
}

const SM = "https://cloud.google.com/secret-manager/docs/reference/rest/v1";
export const REST_METHODS: readonly RestMethod[] = [
  { method: "projects.secrets.addVersion", verb: "POST", url: /^"\$GSM_SECRETS\/\$id:addVersion"$/, permission: "secretmanager.versions.add", reference: `${SM}/projects.secrets/addVersion` },
  { method: "projects.secrets.versions.destroy", verb: "POST", url: /^"\$GSM_SECRETS\/\$id\/versions\/\$\(\(version - 1\)\):destroy"$/, permission: "secretmanager.versions.destroy", reference: `${SM}/projects.secrets.versions/destroy` },
  { method: "projects.secrets.patch", verb: "PATCH", url: /^"\$GSM_SECRETS\/\$id\?updateMask=annotations"$/, permission: "secretmanager.secrets.update", reference: `${SM}/projects.secrets/patch` },
  { method: "projects.secrets.versions.access", verb: "GET", url: /^"\$GSM_SECRETS\/\$id\/versions\/latest:access"$/, permission: "secretmanager.versions.access", reference: `${SM}/projects.secrets.versions/access` },
  { method: "projects.secrets.get", verb: "GET", url: /^"\$GSM_SECRETS\/\$id"$/, permission: "secretmanager.secrets.get", reference: `${SM}/projects.secrets/get` },
  // Checked on the parent project.
  { method: "projects.secrets.create", verb: "POST", url: /^"\$GSM_SECRETS\?secretId=\$id"$/, permission: "secretmanager.secrets.create", reference: `${SM}/projects.secrets/create` },
  { method: "projects.secrets.delete", verb: "DELETE", url: /^"\$GSM_SECRETS\/\$id\$query"$/, permission: "secretmanager.secrets.delete", reference: `${SM}/projects.secrets/delete` },
  // etcd-cloud/gcp.sh builds the aggregated list's URL in $url.
  { method: "instances.aggregatedList", verb: "GET", url: /^"\$url"$/, permission: "compute.instances.list", reference: "https://cloud.google.com/compute/docs/reference/rest/v1/instances/aggregatedList" },
  // bundle/gcs.sh: objects.get with alt=media, through curl (no gcp_api in the loader).
  { method: "storage.objects.get", verb: "GET", url: /^\$storage_url\/b\/\$KUBEPLANE_BUNDLE_BUCKET\/o\/\$encoded\?alt=media$/, permission: "storage.objects.get", reference: "https://cloud.google.com/storage/docs/json_api/v1/objects/get" },
];

/** What recreateInstances would take (the node no longer calls it: metadata/gcp.sh cloud_replace_node). */
export const RECREATE_INSTANCES: RestMethod = {
  method: "regionInstanceGroupManagers.recreateInstances",
  verb: "POST",
  url: /recreateInstances/,
  permission: "compute.instanceGroupManagers.update",
  reference: "https://cloud.google.com/compute/docs/reference/rest/v1/regionInstanceGroupManagers/recreateInstances",
};

/** One call found in a script: its file, the function it is in, its verb and URL text. */
export interface ScriptCall {
  readonly file: string;
  readonly fn: string;
  readonly verb: string;
  readonly url: string;
}

/** The GCP node scripts that call Google's APIs (the metadata server aside). */
export const GCP_NODE_SCRIPTS = ["metadata/gcp.sh", "backends/gcp-secret-manager.sh", "etcd-cloud/gcp.sh", "bundle/gcs.sh", "termination/gcp.sh"];

/** Every `gcp_api <errors> <VERB> <url>` call, and bundle/gcs.sh's storage URL, with the function around it. */
export function scriptCalls(): ScriptCall[] {
  const calls: ScriptCall[] = [];
  for (const file of GCP_NODE_SCRIPTS) {
    let fn = "(top level)";
    readFileSync(path.join(NODE_DIR, file), "utf8").split("\n").forEach((line) => {
      // A function's body runs to the `}` at the start of a line; a one-line function has none.
      const def = /^([a-z_]+)\(\) \{\s*$/.exec(line);
      if (def) fn = def[1];
      if (line === "}") fn = "(top level)";
      if (/^\s*#/.test(line)) return;
      const call = /gcp_api (?:-|"[A-Z_|]+"|[A-Z_|]+) (GET|POST|PATCH|PUT|DELETE) ("[^"]*")/.exec(line);
      if (call) calls.push({ file, fn, verb: call[1], url: call[2] });
      const storage = /^url="(\$storage_url\/[^"]*)"$/.exec(line.trim());
      if (storage) calls.push({ file, fn, verb: "GET", url: storage[1] });
    });
  }
  return calls;
}

/** The REST method a script call is, or undefined. */
export function methodOf(call: ScriptCall): RestMethod | undefined {
  return REST_METHODS.find((m) => m.verb === call.verb && m.url.test(call.url));
}

/**
 * The permissions of the predefined roles providers/gcp binds, as far as they matter here (each
 * role's section of https://cloud.google.com/iam/docs/roles-permissions/<service>):
 * - roles/secretmanager.admin "Full access to administer Secret Manager resources": every
 *   secretmanager.secrets.* and secretmanager.versions.* permission (and resourcemanager.projects.get/list);
 * - roles/secretmanager.secretAccessor: secretmanager.versions.access only;
 * - roles/storage.objectViewer: storage.objects.get and storage.objects.list (and the folders' get/list);
 * - roles/compute.viewer: the compute get and list permissions, compute.instances.get/list
 *   among them, and no update, create, delete or setIamPolicy;
 * - roles/logging.logWriter: logging.logEntries.create.
 */
export const ROLE_PERMISSIONS: Readonly<Record<string, readonly string[]>> = {
  "roles/secretmanager.admin": [
    "secretmanager.secrets.create", "secretmanager.secrets.delete", "secretmanager.secrets.get", "secretmanager.secrets.list", "secretmanager.secrets.update",
    "secretmanager.secrets.getIamPolicy", "secretmanager.secrets.setIamPolicy",
    "secretmanager.versions.access", "secretmanager.versions.add", "secretmanager.versions.destroy", "secretmanager.versions.disable", "secretmanager.versions.enable",
    "secretmanager.versions.get", "secretmanager.versions.list",
  ],
  "roles/secretmanager.secretAccessor": ["secretmanager.versions.access"],
  "roles/storage.objectViewer": ["storage.objects.get", "storage.objects.list"],
  "roles/compute.viewer": ["compute.instances.get", "compute.instances.list", "compute.instanceGroupManagers.get", "compute.instanceGroupManagers.list", "compute.zones.list"],
  "roles/logging.logWriter": ["logging.logEntries.create"],
};
