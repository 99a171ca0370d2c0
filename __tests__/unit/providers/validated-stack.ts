/**
 * Construct tests synthesize into a real TerraformStack with an AWS provider and run the stack's
 * validations (`Testing.synth(stack, true)`): cdktf's provider-presence check and every
 * validation a construct registers with `node.addValidation` (checks that can only be made once
 * the construct tree is complete), exactly as `cdktf synth` runs them.
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";

/** Builds constructs into a fresh stack with an AWS provider; returns the stack's JSON, validations run. */
export function synthValidated(build: (stack: TerraformStack) => void): string {
  const stack = new TerraformStack(Testing.app(), "test");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  build(stack);
  return Testing.synth(stack, true);
}
