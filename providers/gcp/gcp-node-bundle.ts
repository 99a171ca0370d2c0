/**
 * GCP's node bundle store: one Cloud Storage bucket per cluster holding each role's bundle
 * (`bundles/<role>-<sha256>.tar.gz`, written by Terraform from the synthesized archive; a new
 * content is a new object), fetched on first boot by bootstrap/node/bundle/gcs.sh, which checks
 * its SHA-256.
 * - uniform bucket-level access (IAM only, no object ACLs), public access prevention enforced,
 *   versioning on (https://cloud.google.com/storage/docs/uniform-bucket-level-access,
 *   https://cloud.google.com/storage/docs/public-access-prevention); encrypted at rest by Cloud
 *   Storage, always; nothing in a bundle is secret (bootstrap/bundle.ts leaves out every file that
 *   holds a Terraform reference);
 * - each node role may read only its own role's bundles: `roles/storage.objectViewer` on the bucket
 *   with an IAM condition on the object names
 *   (https://cloud.google.com/storage/docs/access-control/iam#conditions); nothing may write but
 *   Terraform.
 */
import { StorageBucket } from "@cdktf/provider-google/lib/storage-bucket";
import { StorageBucketIamMember } from "@cdktf/provider-google/lib/storage-bucket-iam-member";
import { StorageBucketObject } from "@cdktf/provider-google/lib/storage-bucket-object";
import { AssetType, TerraformAsset } from "cdktf";
import { Construct } from "constructs";
import { mkdirSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { type NodeBundle, type NodeBundleLocation, type NodeBundleProps, validateNodeBundleProps } from "../node-bundle";
import { asGcpIdentity } from "./gcp-identity";
import { gcpResourcePrefix } from "./gcp-labels";
import { gcpProjectOf } from "./gcp-project";
import { gcpRegionOf } from "./gcp-region";

/** The prefix of the bundles in the bucket. */
export const BUNDLE_PREFIX = "bundles/";

/** `<project>-kp-<cluster>-nodes`: Cloud Storage names are global; at most 30 + 4 + 19 + 6 = 59 characters (63 allowed). */
export function gcpBundleBucketName(project: string, clusterName: string): string {
  return `${project}-${gcpResourcePrefix(clusterName)}-nodes`;
}

/** Where an archive's bytes are written for Terraform to upload (the synth copies them into the stack's assets). */
function archiveFile(base64: string, sha256: string): string {
  const dir = path.join(tmpdir(), "kubeplane-gcp-bundles");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${sha256}.tar.gz`);
  writeFileSync(file, Buffer.from(base64, "base64"));
  return file;
}

/** See the file's comment. */
export class GcpNodeBundle extends Construct implements NodeBundle {
  readonly locations: Readonly<Record<string, NodeBundleLocation>>;
  readonly bucket: StorageBucket;

  constructor(scope: Construct, id: string, props: NodeBundleProps) {
    super(scope, id);
    const where = `GcpNodeBundle ${this.node.path}`;
    validateNodeBundleProps(where, props);
    this.bucket = new StorageBucket(this, "bucket", {
      name: gcpBundleBucketName(gcpProjectOf(this).projectId, props.clusterName),
      location: gcpRegionOf(this),
      uniformBucketLevelAccess: true,
      publicAccessPrevention: "enforced",
      versioning: { enabled: true },
      // Terraform made everything in it: a destroy removes it with its versions.
      forceDestroy: true,
    });
    const locations: Record<string, NodeBundleLocation> = {};
    for (const archive of props.archives) {
      const key = `${BUNDLE_PREFIX}${archive.role}-${archive.sha256}.tar.gz`;
      const asset = new TerraformAsset(this, `${archive.role}-file`, { path: archiveFile(archive.base64, archive.sha256), type: AssetType.FILE });
      const object = new StorageBucketObject(this, `${archive.role}-archive`, {
        bucket: this.bucket.name,
        name: key,
        source: asset.path,
        contentType: "application/gzip",
      });
      locations[archive.role] = {
        kind: "gcs",
        settings: { KUBEPLANE_BUNDLE_BUCKET: this.bucket.name, KUBEPLANE_BUNDLE_OBJECT: key, KUBEPLANE_BUNDLE_GENERATION: `${object.generation}` },
      };
    }
    this.locations = locations;
    // One grant per reading identity: its own roles' bundles only.
    const byReader = new Map<string, { member: string; roles: string[] }>();
    for (const archive of props.archives) {
      const reader = asGcpIdentity(archive.reader, `${where}: archives (${archive.role}): reader`);
      const entry = byReader.get(reader.kind) ?? { member: reader.member, roles: [] };
      entry.roles.push(archive.role);
      byReader.set(reader.kind, entry);
    }
    for (const [kind, { member, roles: readable }] of byReader) {
      new StorageBucketIamMember(this, `${kind}-reads-bundles`, {
        bucket: this.bucket.name,
        role: "roles/storage.objectViewer",
        member,
        condition: {
          title: `${kind}-reads-its-bundles`,
          description: `the ${kind} nodes read their own role's bundles only`,
          expression: readable.map((role) => `resource.name.startsWith("projects/_/buckets/${this.bucket.name}/objects/${BUNDLE_PREFIX}${role}-")`).join(" || "),
        },
      });
    }
  }
}
