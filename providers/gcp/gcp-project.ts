/** The project a stack builds in (the provider's), as one data source per stack: its id and number. */
import { DataGoogleProject } from "@cdktf/provider-google/lib/data-google-project";
import { TerraformStack } from "cdktf";
import { Construct } from "constructs";

const ID = "gcp-project";

/** The stack's project (made once per stack, at its root). */
export function gcpProjectOf(scope: Construct): DataGoogleProject {
  const stack = TerraformStack.of(scope);
  return (stack.node.tryFindChild(ID) as DataGoogleProject | undefined) ?? new DataGoogleProject(stack, ID, {});
}
