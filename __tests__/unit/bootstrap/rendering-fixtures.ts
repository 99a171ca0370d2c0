/** Contexts for rendering tests: realistic values, and Terraform tokens as cdktf hands them over. */
import { gunzipSync } from "zlib";
import { parse } from "yaml";
import { InstallerName, NodeRole, UserDataContext } from "../../../bootstrap/user-data-context";
import { backupNodeSettings } from "../../../providers/aws/aws-backup-bucket";

export const ROLES: readonly NodeRole[] = ["control-plane-init", "control-plane-join", "worker"];
export const INSTALLERS: readonly InstallerName[] = ["kubeadm", "kurl"];

/** Values as they look once Terraform has resolved them (long names, to test the size limit). */
export const REALISTIC = {
  endpoint: "kubeplane-production-eu-api-0123456789abcdef.elb.eu-west-1.amazonaws.com",
  kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d",
  region: "eu-west-1",
};

/** Unresolved tokens, as renderUserData receives them during synth. */
export const TOKENS = {
  endpoint: "${TfToken[TOKEN.412]}",
  kmsKeyArn: "${TfToken[TOKEN.87]}",
  region: "${TfToken[TOKEN.13]}",
};

/** The join-lease stores kubeplane renders for (`joinTokens.backend`). */
export const BACKENDS = ["ssm", "secretsmanager"] as const;
export type BackendKind = (typeof BACKENDS)[number];

/** The settings each store's construct hands the nodes (providers/aws/*-parameter-backend.ts). */
function backendConfig(kind: BackendKind, clusterName: string, values: { kmsKeyArn: string; region: string }): UserDataContext["parameterBackend"] {
  if (kind === "secretsmanager") {
    const path = `kubeplane/${clusterName}`;
    return {
      kind,
      settings: {
        KUBEPLANE_AWS_REGION: values.region,
        KUBEPLANE_PARAMETER_PATH: path,
        KUBEPLANE_WORKER_JOIN_PARAMETER: `${path}/join/worker`,
        KUBEPLANE_CONTROL_PLANE_JOIN_PARAMETER: `${path}/join/control-plane`,
      },
    };
  }
  const path = `/kubeplane/${clusterName}`;
  return {
    kind,
    settings: {
      KUBEPLANE_AWS_REGION: values.region,
      KUBEPLANE_PARAMETER_PATH: path,
      KUBEPLANE_WORKER_JOIN_PARAMETER: `${path}/join/worker`,
      KUBEPLANE_CONTROL_PLANE_JOIN_PARAMETER: `${path}/join/control-plane`,
      KUBEPLANE_KMS_KEY_ID: values.kmsKeyArn,
      KUBEPLANE_REFRESH_DOCUMENT: `kubeplane-${clusterName}-refresh-join-lease`,
      KUBEPLANE_CONTROL_PLANE_TAG_KEY: "kubeplane:role",
      KUBEPLANE_CONTROL_PLANE_TAG_VALUE: "control-plane",
    },
  };
}

export function contextFor(
  role: NodeRole,
  installer: InstallerName,
  values: { endpoint: string; kmsKeyArn: string; region: string } = REALISTIC,
  clusterName = "production-eu",
  backend: BackendKind = "ssm",
): UserDataContext {
  return {
    clusterName,
    cloud: "aws",
    role,
    kubernetes: {
      version: "1.36.5",
      installer,
      podCidr: "192.168.0.0/16",
      serviceCidr: "10.96.0.0/12",
      kurlInstallerUrl: installer === "kurl" ? "https://k8s.kurl.sh/5b3a0f1" : undefined,
    },
    controlPlaneEndpoint: values.endpoint,
    controlPlaneCount: role === "control-plane-join" ? 3 : 1,
    apiServerPort: 6443,
    joinLease: { ttlHours: 12 },
    parameterBackend: backendConfig(backend, clusterName, values),
    // etcd snapshots (backups.enabled, the default): the settings AwsBackupBucket hands the control plane.
    ...(role === "worker"
      ? {}
      : { backups: { store: backupNodeSettings(`kp-${clusterName}-123456789012-${values.region}`, values.region), interval: "1h", retentionDays: 14 } }),
  };
}

export interface RenderedFile {
  path: string;
  permissions: string;
  encoding?: string;
  /** Decoded content. */
  text: string;
}

/** The files a rendered cloud-config writes, decoded, and its runcmd. */
export function readCloudConfig(userData: string): { files: RenderedFile[]; runcmd: string[][]; keys: string[] } {
  const config = parse(userData) as Record<string, unknown> & {
    write_files: { path: string; permissions: string; encoding?: string; content: string }[];
    runcmd: string[][];
  };
  const files = config.write_files.map((f) => ({
    path: f.path,
    permissions: f.permissions,
    encoding: f.encoding,
    text: f.encoding === "gz+b64" ? gunzipSync(Buffer.from(f.content, "base64")).toString("utf8") : f.content,
  }));
  return { files, runcmd: config.runcmd, keys: Object.keys(config) };
}
