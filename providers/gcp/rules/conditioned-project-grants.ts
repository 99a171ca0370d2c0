/**
 * KP-GIAM-3: a project-wide grant of a data role (Secret Manager, Cloud Storage) is narrowed by a
 * condition: without one it reaches every secret or bucket of the project.
 */
import { Rule } from "../../../rules/rule";
import { grantOf } from "./iam-members";

const DATA_ROLE = /^roles\/(secretmanager|storage)\./;

export const conditionedProjectGrants: Rule = {
  id: "KP-GIAM-3",
  name: "conditioned-project-grants",
  level: "error",
  explanation:
    "Secret Manager and Cloud Storage roles granted on the project reach every secret or bucket in it: kubeplane grants them on " +
    "the one secret or bucket, or on the project with an IAM condition on the cluster's names.",
  resourceTypes: ["google_project_iam_member", "google_project_iam_binding"],
  check(resource) {
    const { role, condition } = grantOf(resource);
    if (!DATA_ROLE.test(role)) return [];
    return condition && condition.trim() !== "" ? [] : [`grants ${role} on the whole project with no condition`];
  },
};
