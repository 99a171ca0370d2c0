import { ETCD_TOOLS_RELEASES } from "../../../bootstrap/etcd-tools";
import { nodeBundleArchive, renderBundledUserData } from "../../../bootstrap/bundle";
import { execFileSync, spawnSync } from "child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { deliveredUserDataBytes, userDataFits } from "../../../bootstrap/cloud-config";
import { CALICO_MANIFEST_URL } from "../../../bootstrap/installers/kubeadm";
import { BOOTSTRAP_COMMAND, NODE_SOURCE_DIR, withoutComments } from "../../../bootstrap/node-files";
import { CLUSTER_ENV_FILE, LEASE_REFRESH_COMMAND, renderUserData } from "../../../bootstrap/user-data";
import { EC2_USER_DATA_LIMIT_BYTES } from "../../../providers/aws/user-data-limit";
import { escapeTemplateSequences } from "../../../stacks/terraform-string";
import { BACKENDS, contextFor, INSTALLERS, readCloudConfig, REALISTIC, ROLES, TOKENS } from "./rendering-fixtures";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "kubeplane-user-data-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The cluster settings file of rendered user data, as bash sees it after sourcing. */
function sourcedSettings(userData: string): Record<string, string> {
  const env = readCloudConfig(userData).files.find((f) => f.path === CLUSTER_ENV_FILE);
  if (!env) throw new Error("no cluster settings file");
  const file = path.join(dir, `cluster-${Math.random()}.env`);
  writeFileSync(file, env.text);
  // stdin not a socket: bash would otherwise source ~/.bashrc as if started by sshd.
  const out = execFileSync("bash", ["-c", 'set -a; . "$1"; set +a; env -0', "bash", file], {
    env: {},
    stdio: ["ignore", "pipe", "pipe"],
  }).toString();
  return Object.fromEntries(
    out
      .split("\0")
      .filter((line) => line.startsWith("KUBEPLANE_"))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
  );
}

describe.each(INSTALLERS)("installer %s", (installer) => {
  describe.each(ROLES)("role %s", (role) => {
    const userData = () => renderUserData(contextFor(role, installer));

    test("passes cloud-init's schema", () => {
      const file = path.join(dir, `${installer}-${role}.yaml`);
      writeFileSync(file, userData());
      const result = spawnSync("cloud-init", ["schema", "--config-file", file], { encoding: "utf8" });
      expect(result.stderr).toBe("");
      expect(result.stdout).toContain(`Valid cloud-config: ${file}`);
      expect(result.status).toBe(0);
    });

    test.each(BACKENDS)("stays under EC2's 16 KiB user data limit with realistic values and the %s backend, as delivered (gzip-compressed, the scripts in the bundle)", (backend) => {
      const context = contextFor(role, installer, REALISTIC, "production-eu", backend);
      const { sha256 } = nodeBundleArchive(context);
      const location = { kind: "s3", settings: { KUBEPLANE_BUNDLE_BUCKET: "kp-production-eu-123456789012-eu-west-1-n", KUBEPLANE_BUNDLE_KEY: `bundles/${role}-${sha256}.tar.gz`, KUBEPLANE_BUNDLE_REGION: "eu-west-1" } };
      const rendered = renderBundledUserData(context, location, sha256);
      expect(rendered.startsWith("#cloud-config\n")).toBe(true);
      expect(userDataFits(rendered, EC2_USER_DATA_LIMIT_BYTES)).toBe(true);
    });

    test("writes the cluster settings and the node scripts, then runs the bootstrap script", () => {
      const { files, runcmd, keys } = readCloudConfig(userData());
      expect(keys.sort()).toEqual(["runcmd", "write_files"]);
      expect(runcmd).toEqual([[BOOTSTRAP_COMMAND]]);
      const byPath = new Map(files.map((f) => [f.path, f]));
      expect(byPath.get(BOOTSTRAP_COMMAND)?.permissions).toBe("0755");
      expect(byPath.get(BOOTSTRAP_COMMAND)?.text).toBe(withoutComments(readFileSync(path.join(NODE_SOURCE_DIR, "bootstrap.sh"), "utf8")));
      expect(byPath.get(`/usr/local/lib/kubeplane/installers/${installer}.sh`)?.text).toBe(
        withoutComments(readFileSync(path.join(NODE_SOURCE_DIR, "installers", `${installer}.sh`), "utf8")),
      );
      expect(byPath.has("/usr/local/lib/kubeplane/backends/ssm.sh")).toBe(true);
      expect(byPath.has("/usr/local/lib/kubeplane/metadata/aws.sh")).toBe(true);
      const other = installer === "kubeadm" ? "kurl" : "kubeadm";
      expect(byPath.has(`/usr/local/lib/kubeplane/installers/${other}.sh`)).toBe(false);
      // Every file is plain text: the cloud compresses the whole document.
      expect(files.filter((f) => f.encoding !== undefined)).toEqual([]);
      const isControlPlane = role !== "worker";
      expect(byPath.get(LEASE_REFRESH_COMMAND)?.permissions).toBe(isControlPlane ? "0755" : undefined);
      expect(byPath.get("/etc/systemd/system/kubeplane-join-lease.timer")?.text ?? "").toMatch(
        isControlPlane ? /OnUnitActiveSec=10min/ : /^$/,
      );
      expect(byPath.get("/etc/systemd/system/kubeplane-join-lease.service")?.text ?? "").toContain(
        isControlPlane ? `ExecStart=${LEASE_REFRESH_COMMAND} --when-due` : "",
      );
      // The request timer answers request records within seconds (enabled by backends that use them).
      expect(byPath.get("/etc/systemd/system/kubeplane-join-lease-requests.timer")?.text ?? "").toMatch(
        isControlPlane ? /OnUnitActiveSec=10s\nAccuracySec=1s/ : /^$/,
      );
      expect(byPath.get("/etc/systemd/system/kubeplane-join-lease-requests.service")?.text ?? "").toContain(
        isControlPlane ? `ExecStart=${LEASE_REFRESH_COMMAND} --if-requested` : "",
      );
    });

    test("carries the cluster settings the node scripts read, quoted so the shell expands nothing", () => {
      const settings = sourcedSettings(userData());
      const context = contextFor(role, installer);
      expect(settings).toMatchObject({
        ...context.parameterBackend.settings,
        KUBEPLANE_CLUSTER: "production-eu",
        KUBEPLANE_CLOUD: "aws",
        KUBEPLANE_ROLE: role,
        KUBEPLANE_INSTALLER: installer,
        KUBEPLANE_KUBERNETES_VERSION: "1.36.5",
        KUBEPLANE_API_SERVER_PORT: "6443",
        KUBEPLANE_CONTROL_PLANE_ENDPOINT: REALISTIC.endpoint,
        KUBEPLANE_JOIN_TOKEN_TTL_HOURS: "12",
        KUBEPLANE_PARAMETER_BACKEND: "ssm",
      });
      if (installer === "kubeadm") {
        expect(settings).toMatchObject({
          KUBEPLANE_POD_CIDR: "192.168.0.0/16",
          KUBEPLANE_SERVICE_CIDR: "10.96.0.0/12",
          KUBEPLANE_CNI_MANIFEST_URL: CALICO_MANIFEST_URL,
        });
        expect(settings.KUBEPLANE_KURL_INSTALLER_URL).toBeUndefined();
      } else {
        expect(settings.KUBEPLANE_KURL_INSTALLER_URL).toBe("https://k8s.kurl.sh/5b3a0f1");
        expect(settings.KUBEPLANE_CNI_MANIFEST_URL).toBeUndefined();
      }
    });

    test("places Terraform tokens verbatim in the settings; as the stacks escape it, no other template sequence is left", () => {
      const rendered = renderUserData(contextFor(role, installer, TOKENS));
      const env = readCloudConfig(rendered).files.find((f) => f.path === CLUSTER_ENV_FILE)!.text;
      for (const token of Object.values(TOKENS)) expect(env).toContain(`'${token}'`);
      // The scripts are plain shell, full of ${...}: the stacks escape them for Terraform.
      expect(rendered).toMatch(/[^$]\$\{[A-Za-z_]/);
      let rest = escapeTemplateSequences(rendered);
      for (const token of Object.values(TOKENS)) rest = rest.split(token).join("");
      expect(rest.replace(/\$\$\{|%%\{/g, "")).not.toMatch(/\$\{|%\{/);
    });

    test("holds no secret: no join token, certificate key or private key", () => {
      const rendered = userData();
      // The pinned etcd release's SHA-256 (bootstrap/etcd-tools.ts) is a public digest, not a key.
      const publicDigests = Object.values(ETCD_TOOLS_RELEASES).map((r) => r.sha256);
      const texts = [rendered, ...readCloudConfig(rendered).files.map((f) => f.text)].map((t) => publicDigests.reduce((text, digest) => text.split(digest).join("<etcd release digest>"), t));
      for (const text of texts) {
        expect(text).not.toMatch(/\b[a-z0-9]{6}\.[a-z0-9]{16}\b/);
        expect(text).not.toMatch(/\b[0-9a-f]{64}\b/);
        expect(text).not.toMatch(/sha256:[0-9a-f]{8}/);
        expect(text).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY/);
      }
      expect(Object.keys(sourcedSettings(rendered)).filter((name) => /TOKEN|SECRET|PASSWORD|CERTIFICATE/.test(name))).toEqual([
        "KUBEPLANE_JOIN_TOKEN_TTL_HOURS",
      ]);
    });
  });
});

describe("renderUserData", () => {
  test("a Secrets Manager cluster's nodes get its backend module and its settings, and no SSM module", () => {
    const rendered = renderUserData(contextFor("worker", "kubeadm", REALISTIC, "production-eu", "secretsmanager"));
    const paths = readCloudConfig(rendered).files.map((f) => f.path);
    expect(paths).toContain("/usr/local/lib/kubeplane/backends/secretsmanager.sh");
    expect(paths).not.toContain("/usr/local/lib/kubeplane/backends/ssm.sh");
    expect(sourcedSettings(rendered)).toMatchObject({ KUBEPLANE_PARAMETER_BACKEND: "secretsmanager", KUBEPLANE_PARAMETER_PATH: "kubeplane/production-eu" });
  });

  test("the size check takes the cloud's limit: what fits EC2's may not fit a smaller one", () => {
    const rendered = renderUserData(contextFor("control-plane-init", "kubeadm"));
    const size = deliveredUserDataBytes(rendered);
    expect(userDataFits(rendered, size)).toBe(true);
    expect(userDataFits(rendered, size - 1)).toBe(false);
    expect(() => userDataFits(rendered, 0)).toThrow("userDataFits: limitBytes must be a positive whole number of bytes, got 0");
  });

  test("renders the same bytes every time (Terraform must see no change)", () => {
    const context = contextFor("worker", "kubeadm");
    expect(renderUserData(context)).toBe(renderUserData(context));
  });

  test("a single control-plane cluster's nodes still get the stable endpoint, and a count of 1", () => {
    const settings = sourcedSettings(renderUserData(contextFor("control-plane-init", "kubeadm")));
    expect(settings).toMatchObject({ KUBEPLANE_CONTROL_PLANE_ENDPOINT: REALISTIC.endpoint, KUBEPLANE_CONTROL_PLANE_COUNT: "1" });
    expect(settings.KUBEPLANE_API_SERVER_CERT_SANS).toBeUndefined();
  });

  test("further API server certificate names travel comma-separated", () => {
    const context = { ...contextFor("control-plane-init", "kubeadm"), apiServerCertSans: ["a.example.com", "b.example.com"] };
    expect(sourcedSettings(renderUserData(context)).KUBEPLANE_API_SERVER_CERT_SANS).toBe("a.example.com,b.example.com");
  });

  test.each([
    ["kURL without an installer URL", { kubernetes: { ...contextFor("worker", "kurl").kubernetes, kurlInstallerUrl: undefined } }, /needs kubernetes.kurlInstallerUrl/],
    ["kURL with a plain http URL", { kubernetes: { ...contextFor("worker", "kurl").kubernetes, kurlInstallerUrl: "http://k8s.kurl.sh/x" } }, /must be an https URL/],
    ["a node without endpoint", { controlPlaneEndpoint: "" }, /controlPlaneEndpoint .* is required/],
    ["a further control-plane node of a single control plane", { role: "control-plane-join" as const, controlPlaneCount: 1 }, /need controlPlaneCount > 1/],
    ["an even control-plane count", { controlPlaneCount: 2 }, /controlPlaneCount must be 1 or an odd number/],
    ["a certificate name with a space", { apiServerCertSans: ["a b"] }, /apiServerCertSans entry "a b"/],
    ["a version that is not x.y.z", { kubernetes: { ...contextFor("worker", "kubeadm").kubernetes, version: "1.33" } }, /must look like 1.31.4/],
    ["a token TTL of zero hours", { joinLease: { ttlHours: 0 } }, /whole number of hours/],
    ["a backend without node-side implementation", { parameterBackend: { kind: "vault", settings: {} } }, /no node-side file backends\/vault.sh/],
    ["a cloud without metadata lookups", { cloud: "azure" }, /no node-side file metadata\/azure.sh/],
    ["a backend setting not named KUBEPLANE_*", { parameterBackend: { kind: "ssm", settings: { REGION: "x" } } }, /must start with KUBEPLANE_/],
    ["a multi-line setting", { parameterBackend: { kind: "ssm", settings: { KUBEPLANE_X: "a\nb" } } }, /must be a single line/],
  ])("rejects %s", (_, change, message) => {
    expect(() => renderUserData({ ...contextFor("worker", "kubeadm"), ...change })).toThrow(message);
  });
});
