/**
 * The rule pack's facts come from the constructs that made the cluster: the role names and the
 * parameter path the rules look for are the ones in the synthesized Terraform. (They used to be
 * re-derived from the definition, so a rename in providers/ would have made KP-IAM-2 match nothing.)
 */
import { Testing } from "cdktf";
import { AWS_EXAMPLES, exampleDefinition, resourcesOf, synthesizeCluster } from "../../support/examples";
import { addClusterStacks } from "../../../stacks/cluster-stacks";

// AWS's facts are IAM roles and policies; GCP's (service accounts, secret bindings) are checked in
// __tests__/unit/providers/gcp/gcp-example.test.ts.
describe.each(AWS_EXAMPLES)("%s: rule facts", (name) => {
  const definition = exampleDefinition(name);
  const { cluster } = addClusterStacks(Testing.app(), definition);
  const json = synthesizeCluster(definition).clusterJson;
  const roleNames = resourcesOf(json, "aws_iam_role").map((r) => r.name);

  test("name the IAM roles the stack creates", () => {
    expect(cluster.ruleFacts.controlPlaneRoles.length).toBeGreaterThan(0);
    expect(cluster.ruleFacts.workerRoles.length).toBeGreaterThan(0);
    for (const role of [...cluster.ruleFacts.controlPlaneRoles, ...cluster.ruleFacts.workerRoles]) expect(roleNames).toContain(role);
  });

  test("name the parameter path and the worker's join parameter that the node policies grant", () => {
    const policies = resourcesOf(json, "aws_iam_role_policy").map((p) => String(p.policy)).join("\n");
    expect(cluster.ruleFacts.workerJoinParameter.startsWith(`${cluster.ruleFacts.parameterPath}/`)).toBe(true);
    expect(policies).toContain(`parameter${cluster.ruleFacts.workerJoinParameter}`);
  });
});
