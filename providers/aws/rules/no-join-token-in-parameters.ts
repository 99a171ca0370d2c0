/** KP-SEC-1: Terraform writes no join token or key into SSM parameters. */
import { Rule } from "../../../rules/rule";
import { expandLocals, isCertificateKey, secretsIn } from "./secrets";

export const noJoinTokenInParameters: Rule = {
  id: "KP-SEC-1",
  name: "no-join-token-in-parameters",
  level: "error",
  explanation:
    "A parameter value set by Terraform lives in Terraform state in the clear. The join lease (token, CA hash, " +
    "certificate key) is written by the control plane at run time, never by Terraform; no parameter may hold a " +
    "kubeadm token or key, and Terraform must not set the join parameters at all.",
  resourceTypes: ["aws_ssm_parameter"],
  check(resource, { stack, cluster }) {
    const c = resource.config;
    const problems: string[] = [];
    for (const attribute of ["value", "insecure_value", "value_wo"]) {
      const written = c[attribute];
      if (typeof written !== "string") continue;
      // A secret held in a local counts where the local is interpolated.
      const value = expandLocals(written, stack);
      for (const what of secretsIn(value)) problems.push(`${attribute} looks like ${what}`);
      if (isCertificateKey(value)) problems.push(`${attribute} looks like a kubeadm certificate key (64 hex digits)`);
    }
    const name = typeof c.name === "string" ? c.name : "";
    if (name.startsWith(`${cluster.parameterPath}/join/`)) {
      problems.push(`sets ${name}, a join parameter; the control plane writes the join lease at run time, Terraform must not`);
    }
    return problems;
  },
};
