/** KP-EC2-1: every instance and launch template requires IMDSv2 session tokens. */
import { blocks, Rule } from "../../../rules/rule";

export const imdsv2Required: Rule = {
  id: "KP-EC2-1",
  name: "imdsv2-required",
  level: "error",
  explanation:
    "Instance metadata must require IMDSv2 tokens (metadata_options.http_tokens = \"required\"): IMDSv1 lets any SSRF " +
    "in a pod or on the node read the node role's credentials.",
  resourceTypes: ["aws_instance", "aws_launch_template", "aws_launch_configuration", "aws_spot_instance_request"],
  check(resource) {
    const options = blocks(resource.config.metadata_options)[0];
    if (!options) return ["has no metadata_options, so IMDSv1 is allowed; set http_tokens = \"required\""];
    if (options.http_endpoint === "disabled") return [];
    if (options.http_tokens !== "required") {
      return [`metadata_options.http_tokens is ${JSON.stringify(options.http_tokens ?? "unset (optional)")}, which allows IMDSv1; set it to "required"`];
    }
    return [];
  },
};
