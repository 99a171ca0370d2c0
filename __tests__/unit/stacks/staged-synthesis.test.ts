import { TerraformOutput, TerraformStack } from "cdktf";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "fs";
import { tmpdir } from "os";
import * as path from "path";
import { synthesizeStaged } from "../../../stacks/staged-synthesis";

const freshOutdir = () => path.join(mkdtempSync(path.join(tmpdir(), "kubeplane-staged-")), "cdktf.out");

describe("synthesizeStaged", () => {
  test("publishes the synthesized stacks, keeping Terraform's files and (as cdktf does) old stack folders", () => {
    const outdir = freshOutdir();
    synthesizeStaged(outdir, (app) => {
      new TerraformOutput(new TerraformStack(app, "old"), "x", { value: 1 });
    });
    mkdirSync(path.join(outdir, "stacks", "new", ".terraform"), { recursive: true });
    writeFileSync(path.join(outdir, "stacks", "new", ".terraform", "keep"), "init state");
    synthesizeStaged(outdir, (app) => {
      new TerraformOutput(new TerraformStack(app, "new"), "y", { value: 2 });
    });
    expect(readdirSync(path.join(outdir, "stacks")).sort()).toEqual(["new", "old"]);
    expect(Object.keys(JSON.parse(readFileSync(path.join(outdir, "manifest.json"), "utf8")).stacks)).toEqual(["new"]);
    expect(JSON.parse(readFileSync(path.join(outdir, "stacks", "new", "cdk.tf.json"), "utf8")).output.y.value).toBe(2);
    expect(readFileSync(path.join(outdir, "stacks", "new", ".terraform", "keep"), "utf8")).toBe("init state");
    expect(readdirSync(path.dirname(outdir)).filter((f) => f.includes("staging"))).toEqual([]);
  });

  test("a validation failure leaves the output exactly as it was", () => {
    const outdir = freshOutdir();
    synthesizeStaged(outdir, (app) => {
      new TerraformOutput(new TerraformStack(app, "good"), "x", { value: 1 });
    });
    const before = readFileSync(path.join(outdir, "stacks", "good", "cdk.tf.json"), "utf8");
    expect(() =>
      synthesizeStaged(outdir, (app) => {
        const stack = new TerraformStack(app, "good");
        new TerraformOutput(stack, "x", { value: 2 });
        stack.node.addValidation({ validate: () => ["this stack is not allowed"] });
      }),
    ).toThrow(/this stack is not allowed/);
    expect(readFileSync(path.join(outdir, "stacks", "good", "cdk.tf.json"), "utf8")).toBe(before);
    expect(readdirSync(path.dirname(outdir)).filter((f) => f.includes("staging"))).toEqual([]);
  });

  test("a failed first synth writes nothing at all", () => {
    const outdir = freshOutdir();
    expect(() => synthesizeStaged(outdir, () => { throw new Error("bad definition"); })).toThrow("bad definition");
    expect(existsSync(outdir)).toBe(false);
  });
});
