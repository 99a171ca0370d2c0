/** KP-VPC-1: every VPC's flows are logged, to a log group that keeps them for a set period. */
import { Rule } from "../../../rules/rule";
import { parseReference, ResourceView, StackView } from "../../../rules/stack-view";

/** Resources of `type` whose `attribute` names `target` (by reference to it, or by its literal id). */
export function pointingAt(target: ResourceView, type: string, attribute: string, view: StackView): ResourceView[] {
  return view.ofType(type).filter((r) => {
    const ref = parseReference(r.config[attribute]);
    return ref?.kind === "resource" && ref.type === target.type && ref.name === target.name;
  });
}

export const vpcFlowLogs: Rule = {
  id: "KP-VPC-1",
  name: "vpc-flow-logs",
  level: "error",
  explanation:
    "Every VPC needs a flow log (aws_flow_log), so that connections to and from the nodes can be investigated; to CloudWatch " +
    "Logs, its log group needs a retention period (retention_in_days). kubeplane makes one (network.flowLogs.retentionDays); " +
    "network.flowLogs.enabled: false is an explicit opt-out, accepted only with a suppression of this rule on the VPC " +
    "(resource: network/vpc) that says why.",
  resourceTypes: ["aws_vpc"],
  check(vpc, { stack }) {
    const flowLogs = pointingAt(vpc, "aws_flow_log", "vpc_id", stack);
    if (flowLogs.length === 0) return ["has no flow log: nothing records the connections of its nodes"];
    return flowLogs.flatMap((log) => {
      const group = stack.referenced(log.config.log_destination);
      if (group?.type !== "aws_cloudwatch_log_group") return [];
      const days = group.config.retention_in_days;
      return typeof days === "number" && days > 0 ? [] : [`its flow log ${log.address} writes to ${group.address}, which keeps records forever (no retention_in_days)`];
    });
  },
};
