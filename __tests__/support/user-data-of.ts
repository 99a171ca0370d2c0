/**
 * The user data text of a synthesized instance or launch template: the stacks deliver it as
 * `${base64gzip(local.<name>)}` (cloud-init unpacks gzip), so tests read the local it names.
 */
type Json = Record<string, unknown>;

const COMPRESSED_LOCAL = /^\$\{(?:base64gzip|base64encode)\(local\.([A-Za-z0-9_-]+)\)\}$/;

/** The user data of `resource` in `stackJson` as cloud-init receives it once decompressed (still with Terraform's escapes). */
export function userDataOf(stackJson: { locals?: Record<string, unknown> } | Json, resource: Json): string {
  const value = String(resource.user_data_base64 ?? resource.user_data ?? "");
  const local = COMPRESSED_LOCAL.exec(value);
  if (!local) throw new Error(`user data is not delivered as base64gzip(local.…): ${value.slice(0, 80)}`);
  const locals = ((stackJson as Json).locals ?? {}) as Record<string, unknown>;
  if (!(local[1] in locals)) throw new Error(`no local ${local[1]} in the stack`);
  return String(locals[local[1]]);
}
