/** KP-SEC-1: Terraform writes no join token or key into SSM parameters or Secrets Manager secrets. */
import { Rule } from "../../../rules/rule";
import { expandLocals, isCertificateKey, secretsIn } from "./secrets";
import { parameterPrefix, secretPrefix } from "./secrets-manager-secrets";

export const noJoinTokenInParameters: Rule = {
  id: "KP-SEC-1",
  name: "no-join-token-in-parameters",
  level: "error",
  explanation:
    "A parameter value or secret version set by Terraform lives in Terraform state in the clear. The join lease (token, " +
    "CA hash, certificate key) is written by the control plane at run time, never by Terraform; no parameter or secret " +
    "version may hold a kubeadm token or key, and Terraform must not set the join parameters, nor give the join secrets " +
    "a version (Terraform may create them empty: an aws_secretsmanager_secret holds no value).",
  resourceTypes: ["aws_ssm_parameter", "aws_secretsmanager_secret_version"],
  check(resource, { stack, cluster }) {
    const c = resource.config;
    const problems: string[] = [];
    if (resource.type === "aws_secretsmanager_secret_version") {
      for (const attribute of ["secret_string", "secret_string_wo", "secret_binary"]) {
        const written = c[attribute];
        if (typeof written !== "string") continue;
        const value = expandLocals(written, stack);
        for (const what of secretsIn(value)) problems.push(`${attribute} looks like ${what}`);
        if (isCertificateKey(value)) problems.push(`${attribute} looks like a kubeadm certificate key (64 hex digits)`);
      }
      // The secret it gives a version to: by reference (the usual way), or by name or ARN.
      const secret = stack.referenced(c.secret_id);
      const id = secret ? secret.config.name : c.secret_id;
      const name = typeof id === "string" ? id.replace(/^arn:[^:]*:secretsmanager:[^:]*:[^:]*:secret:/, "").replace(/-[A-Za-z0-9]{6}$/, "") : "";
      if (name.startsWith(`${secretPrefix(cluster.parameterPath)}/join/`)) {
        problems.push(`gives ${name}, a join lease secret, a version; the control plane writes the join lease at run time, Terraform must not`);
      }
      return problems;
    }
    for (const attribute of ["value", "insecure_value", "value_wo"]) {
      const written = c[attribute];
      if (typeof written !== "string") continue;
      // A secret held in a local counts where the local is interpolated.
      const value = expandLocals(written, stack);
      for (const what of secretsIn(value)) problems.push(`${attribute} looks like ${what}`);
      if (isCertificateKey(value)) problems.push(`${attribute} looks like a kubeadm certificate key (64 hex digits)`);
    }
    const name = typeof c.name === "string" ? c.name : "";
    if (name.startsWith(`${parameterPrefix(cluster.parameterPath)}/join/`)) {
      problems.push(`sets ${name}, a join parameter; the control plane writes the join lease at run time, Terraform must not`);
    }
    return problems;
  },
};
