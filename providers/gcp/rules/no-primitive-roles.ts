/** KP-GIAM-1: no grant of a primitive role (owner, editor, viewer). */
import { Rule } from "../../../rules/rule";
import { grantOf, IAM_GRANT_TYPES } from "./iam-members";

/** The basic roles, each of which spans every service of the project (https://cloud.google.com/iam/docs/roles-overview#basic). */
export const PRIMITIVE_ROLES = ["roles/owner", "roles/editor", "roles/viewer"] as const;

export const noPrimitiveRoles: Rule = {
  id: "KP-GIAM-1",
  name: "no-primitive-roles",
  level: "error",
  explanation: "Basic roles (owner, editor, viewer) grant every service of the project; kubeplane grants predefined roles, narrowed by a condition or to one resource.",
  resourceTypes: IAM_GRANT_TYPES,
  check(resource) {
    const { role } = grantOf(resource);
    return (PRIMITIVE_ROLES as readonly string[]).includes(role) ? [`grants the basic role ${role}`] : [];
  },
};
