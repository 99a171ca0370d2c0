/** KP-VPC-2: every VPC's default security group is managed, and has no rules. */
import { egressOf } from "./egress";
import { ingressOf } from "./ingress";
import { Rule } from "../../../rules/rule";
import { parseReference } from "../../../rules/stack-view";
import { pointingAt } from "./vpc-flow-logs";

const RULE_TYPES = ["aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"];

export const defaultSecurityGroupClosed: Rule = {
  id: "KP-VPC-2",
  name: "default-security-group-closed",
  level: "error",
  explanation:
    "AWS gives every VPC a default security group that admits its own members and lets everything out; anything launched " +
    "without a group gets it. Manage it (aws_default_security_group for the VPC) with no ingress and no egress, and add no " +
    "rule resources to it.",
  resourceTypes: ["aws_vpc", "aws_default_security_group", ...RULE_TYPES],
  check(resource, { stack }) {
    if (resource.type === "aws_vpc") {
      return pointingAt(resource, "aws_default_security_group", "vpc_id", stack).length > 0
        ? []
        : ["its default security group is not managed: AWS's default admits its members and lets everything out (add an aws_default_security_group with no rules)"];
    }
    if (resource.type === "aws_default_security_group") {
      const count = ingressOf(resource).length + egressOf(resource).length;
      return count === 0 ? [] : [`the default security group has ${ingressOf(resource).length} ingress and ${egressOf(resource).length} egress rules; it must have none`];
    }
    if (RULE_TYPES.includes(resource.type)) {
      const ref = parseReference(resource.config.security_group_id);
      if (ref?.kind === "resource" && ref.type === "aws_default_security_group") return [`adds a rule to the default security group ${ref.type}.${ref.name}, which must have none`];
    }
    return [];
  },
};
