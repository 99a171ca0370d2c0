/**
 * Node bundles (issue 14): the archive is a plain tar.gz that GNU tar unpacks to the node files
 * with their modes, byte-for-byte the same for the same files (no plan churn); the first-boot
 * loader (bundle/s3.sh) fetches it, refuses one whose SHA-256 differs from the user data's, and
 * unpacks it under KUBEPLANE_ROOT.
 */
import { spawnSync } from "child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { nodeBundleArchive, renderBundledUserData, tarGz } from "../../../bootstrap/bundle";
import { NODE_SOURCE_DIR } from "../../../bootstrap/node-files";
import { CLUSTER_ENV_FILE } from "../../../bootstrap/user-data";
import { contextFor, readCloudConfig } from "./rendering-fixtures";
import { exampleDefinition, resourcesOf, synthesizeCluster } from "../../support/examples";

const scratch = () => mkdtempSync(path.join(os.tmpdir(), "kubeplane-bundle-"));

describe("the archive", () => {
  const context = contextFor("worker", "kubeadm");

  test("GNU tar unpacks it to the role's files, with their modes", () => {
    const { archive, files } = nodeBundleArchive(context);
    const dir = scratch();
    writeFileSync(path.join(dir, "b.tar.gz"), archive);
    mkdirSync(path.join(dir, "root"));
    const untar = spawnSync("tar", ["-xzf", path.join(dir, "b.tar.gz"), "-C", path.join(dir, "root")], { encoding: "utf8" });
    expect(untar.stderr).toBe("");
    expect(untar.status).toBe(0);
    expect(files).toContain("/usr/local/sbin/kubeplane-bootstrap");
    expect(files).toContain("/usr/local/sbin/kubeplane-drain");
    expect(files).not.toContain(CLUSTER_ENV_FILE);
    const bootstrap = path.join(dir, "root/usr/local/sbin/kubeplane-bootstrap");
    expect(statSync(bootstrap).mode & 0o777).toBe(0o755);
    expect(readFileSync(bootstrap, "utf8")).toMatch(/^#!\/usr\/bin\/env bash\n/);
    expect(statSync(path.join(dir, "root/usr/local/lib/kubeplane/common.sh")).mode & 0o777).toBe(0o644);
  });

  test("the same files make the same bytes (Terraform plans no change)", () => {
    expect(nodeBundleArchive(context).sha256).toBe(nodeBundleArchive(context).sha256);
    expect(tarGz([{ path: "/a", permissions: "0644", content: "x", isStatic: true }]).equals(tarGz([{ path: "/a", permissions: "0644", content: "x", isStatic: true }]))).toBe(true);
  });

  test("the user data keeps the settings, the bundle's place and SHA-256, and runs the loader before the bootstrap", () => {
    const { sha256 } = nodeBundleArchive(context);
    const userData = renderBundledUserData(context, { kind: "s3", settings: { KUBEPLANE_BUNDLE_BUCKET: "b", KUBEPLANE_BUNDLE_KEY: "k", KUBEPLANE_BUNDLE_REGION: "eu-west-1" } }, sha256);
    const { files, runcmd } = readCloudConfig(userData);
    expect(files.map((f) => f.path)).toEqual([CLUSTER_ENV_FILE, "/usr/local/sbin/kubeplane-fetch-bundle"]);
    expect(files[0].text).toContain(`KUBEPLANE_BUNDLE_SHA256='${sha256}'`);
    expect(runcmd).toEqual([["/usr/local/sbin/kubeplane-fetch-bundle"], ["/usr/local/sbin/kubeplane-bootstrap"]]);
  });
});

describe("the loader (bundle/s3.sh)", () => {
  /**
   * A stub of the aws CLI's `s3api get-object --bucket B --key K OUTFILE`: writes the object to
   * OUTFILE and prints the response JSON; for a key it does not hold, fails as the CLI does (exit
   * 254, "An error occurred (NoSuchKey) when calling the GetObject operation: The specified key
   * does not exist.", the S3 API reference's NoSuchKey message).
   */
  const STUB = `#!/usr/bin/env bash
args=("$@"); key=""; out="\${args[-1]}"
for ((i = 0; i < \${#args[@]}; i++)); do [[ \${args[i]} == --key ]] && key=\${args[i+1]}; done
if [[ $key != "$STUB_KEY" ]]; then
  printf '\\nAn error occurred (NoSuchKey) when calling the GetObject operation: The specified key does not exist.\\n' >&2
  exit 254
fi
cp "$STUB_OBJECT" "$out"
echo '{"AcceptRanges": "bytes", "ContentType": "application/gzip"}'
`;

  function run(sha256: string, key = "bundles/worker.tar.gz") {
    const root = scratch();
    const bin = path.join(root, "bin");
    mkdirSync(bin);
    writeFileSync(path.join(bin, "aws"), STUB);
    chmodSync(path.join(bin, "aws"), 0o755);
    const archive = tarGz([{ path: "/usr/local/sbin/kubeplane-bootstrap", permissions: "0755", content: "#!/usr/bin/env bash\necho hi\n", isStatic: true }]);
    writeFileSync(path.join(root, "object"), archive);
    mkdirSync(path.join(root, "etc/kubeplane"), { recursive: true });
    writeFileSync(
      path.join(root, "etc/kubeplane/cluster.env"),
      `KUBEPLANE_BUNDLE_BUCKET='kp-dev-123456789012-eu-west-1-n'\nKUBEPLANE_BUNDLE_KEY='${key}'\nKUBEPLANE_BUNDLE_REGION='eu-west-1'\nKUBEPLANE_BUNDLE_SHA256='${sha256}'\n`,
    );
    const result = spawnSync("bash", [path.join(NODE_SOURCE_DIR, "bundle/s3.sh")], {
      env: { PATH: `${bin}:${process.env.PATH}`, KUBEPLANE_ROOT: root, KUBEPLANE_BUNDLE_RETRY_SECONDS: "0", STUB_KEY: "bundles/worker.tar.gz", STUB_OBJECT: path.join(root, "object") },
      encoding: "utf8",
    });
    const sha = spawnSync("sha256sum", [path.join(root, "object")], { encoding: "utf8" }).stdout.split(" ")[0];
    return { result, root, sha };
  }

  test("fetches, checks and unpacks the bundle under KUBEPLANE_ROOT", () => {
    const probe = run("0".repeat(64));
    const { result, root } = run(probe.sha);
    expect(result.status).toBe(0);
    expect(readFileSync(path.join(root, "usr/local/sbin/kubeplane-bootstrap"), "utf8")).toBe("#!/usr/bin/env bash\necho hi\n");
    expect(result.stderr).toContain("unpacked the bundle bundles/worker.tar.gz");
  });

  test("refuses a bundle whose SHA-256 is not the user data's, and unpacks nothing", () => {
    const { result, root } = run("f".repeat(64));
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("does not have the SHA-256 the user data names");
    expect(existsSync(path.join(root, "usr/local/sbin/kubeplane-bootstrap"))).toBe(false);
  });

  test("a missing object fails, naming it, after its retries", () => {
    const { result } = run("0".repeat(64), "bundles/gone.tar.gz");
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("could not fetch s3://kp-dev-123456789012-eu-west-1-n/bundles/gone.tar.gz");
  });
});

describe("the bundle bucket's objects", () => {
  test("are written after the bucket's versioning and default encryption (never as an unversioned, unencrypted object)", () => {
    const json = synthesizeCluster(exampleDefinition("dev")).clusterJson;
    const objects = resourcesOf(json, "aws_s3_object");
    expect(objects.length).toBeGreaterThan(0);
    for (const object of objects) {
      const dependsOn = (object.depends_on as string[]) ?? [];
      expect(dependsOn.some((d) => d.startsWith("aws_s3_bucket_versioning."))).toBe(true);
      expect(dependsOn.some((d) => d.startsWith("aws_s3_bucket_server_side_encryption_configuration."))).toBe(true);
    }
  });
});
