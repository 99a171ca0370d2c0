/**
 * The benchmark's baseline: the app of the `cdktf init --template=typescript` project (run by
 * ts-node, as its cdktf.json says) with one AWS provider and one VPC, imported by deep path.
 */
import { Construct } from "constructs";
import { App, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";

class MyStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);

    new AwsProvider(this, "aws", { region: "eu-west-1" });
    new Vpc(this, "vpc", { cidrBlock: "10.0.0.0/16" });
  }
}

const app = new App();
new MyStack(app, "baseline");
app.synth();
