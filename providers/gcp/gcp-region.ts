/** The region a stack builds in (the provider's), as one data source per stack. */
import { DataGoogleClientConfig } from "@cdktf/provider-google/lib/data-google-client-config";
import { TerraformStack } from "cdktf";
import { Construct } from "constructs";

const ID = "gcp-client-config";

/** The stack's region (the google provider's `region`). */
export function gcpRegionOf(scope: Construct): string {
  const stack = TerraformStack.of(scope);
  const config = (stack.node.tryFindChild(ID) as DataGoogleClientConfig | undefined) ?? new DataGoogleClientConfig(stack, ID, {});
  return config.region;
}
