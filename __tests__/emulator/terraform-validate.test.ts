/**
 * `terraform validate` (cdktf's `toBeValidTerraform`: `terraform init` then `terraform validate
 * -json` in every stack of an app, offline through the provider mirror) of what the unit suites
 * synthesize: the dev example's stacks (stacks/examples.test.ts), the bootstrap stack
 * (stacks/bootstrap-stack.test.ts) and a machine image looked up by id (providers/aws-nodes.test.ts).
 * The tests keep the names they had there.
 *
 * In the emulator project, with the other suites that run Terraform itself: it needs no emulator,
 * but each stack costs about 5 s of CPU (init hashes the 675 MB provider, validate starts it and
 * loads its whole schema): these four stacks were 20 s of `test:unit`'s 70 s on two cores.
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, TerraformStack, Testing } from "cdktf";
import { mkdtempSync, rmSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { AwsCloud } from "../../providers/aws/aws-cloud";
import { AwsWorkerPool } from "../../providers/aws/aws-worker-pool";
import { UbuntuMachineImage } from "../../providers/aws/ubuntu-machine-image";
import { BootstrapStack } from "../../stacks/bootstrap-stack";
import { TEST_IMAGE, testIdentities } from "../support/aws-fixtures";
import { exampleDefinition, synthesizeCluster } from "../support/examples";

jest.setTimeout(120_000);

const outdirs: string[] = [];
afterAll(() => outdirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function freshOutdir(prefix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  outdirs.push(dir);
  return dir;
}

describe("dev example: cluster stack", () => {
  test("is valid Terraform (terraform validate, offline through the provider mirror)", () => {
    const dev = synthesizeCluster(exampleDefinition("dev"));
    outdirs.push(dev.outdir);
    expect(dev.outdir).toBeValidTerraform();
  });
});

describe("the bootstrap stack on AWS", () => {
  test("is valid Terraform", () => {
    // As stacks/bootstrap-stack.test.ts synthesizes it: local state first, at a path in the outdir.
    const outdir = freshOutdir("kubeplane-bootstrap-");
    const app = new App({ outdir });
    new BootstrapStack(app, "kubeplane-bootstrap-eu-west-1", {
      cloud: new AwsCloud(),
      region: "eu-west-1",
      backend: { kind: "local", path: path.join(outdir, "bootstrap.tfstate") },
    });
    app.synth();
    expect(outdir).toBeValidTerraform();
  });
});

describe("UbuntuMachineImage", () => {
  /** The worker pool props of providers/aws-nodes.test.ts (cluster `test`), without the identity. */
  const workerProps = {
    clusterName: "test", min: 1, desired: 2, max: 3, instanceTypes: ["t3.large"], volumeSizeGiB: 40, image: TEST_IMAGE,
    placements: [{ zone: "eu-west-1a", subnetId: "subnet-p1" }, { zone: "eu-west-1b", subnetId: "subnet-p2" }], firewallGroupIds: ["sg-w"],
    userData: '#cloud-config\nruncmd: ["echo \\"$${HOME}\\""]\n', tags: { team: "platform" },
  };

  test("the lookup by id and the mapping that uses it are valid Terraform (terraform validate, offline through the provider mirror)", () => {
    const outdir = freshOutdir("kubeplane-image-");
    const app = Testing.app({ outdir });
    const stack = new TerraformStack(app, "explicit-ami");
    new AwsProvider(stack, "aws", { region: "eu-west-1" });
    const image = new UbuntuMachineImage(stack, "image", { imageId: "ami-0abc1234" });
    new AwsWorkerPool(stack, "workers", { ...workerProps, image, identity: testIdentities(stack).workers });
    app.synth();
    expect(outdir).toBeValidTerraform();
  });
});
