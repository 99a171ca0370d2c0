/** KP-SEC-2: user data carries no secret (it is readable by anyone who can describe the instance). */
import { Rule } from "../../../rules/rule";
import { secretsIn, userDataText } from "./secrets";

/** Where each resource type keeps its user data, and whether it is base64. */
const USER_DATA: Readonly<Record<string, readonly { attribute: string; encoded: boolean }[]>> = {
  aws_instance: [
    { attribute: "user_data", encoded: false },
    { attribute: "user_data_base64", encoded: true },
  ],
  aws_launch_template: [{ attribute: "user_data", encoded: true }],
  aws_launch_configuration: [
    { attribute: "user_data", encoded: false },
    { attribute: "user_data_base64", encoded: true },
  ],
};

export const noSecretsInUserData: Rule = {
  id: "KP-SEC-2",
  name: "no-secrets-in-user-data",
  level: "error",
  explanation:
    "User data is stored in Terraform state and readable by anyone allowed ec2:DescribeInstanceAttribute: no join " +
    "token, certificate key, private key or cloud credential may be in it. Nodes fetch the join lease from the " +
    "parameter backend at boot.",
  resourceTypes: Object.keys(USER_DATA),
  check(resource, { stack }) {
    const problems: string[] = [];
    for (const { attribute, encoded } of USER_DATA[resource.type] ?? []) {
      const value = resource.config[attribute];
      if (value === undefined) continue;
      const text = userDataText(value, stack, encoded);
      if (text === undefined) {
        problems.push(`${attribute} cannot be read (${String(value).slice(0, 80)}), so kubeplane cannot check it for secrets`);
        continue;
      }
      for (const what of secretsIn(text)) problems.push(`${attribute} contains what looks like ${what}`);
    }
    return problems;
  },
};
