/**
 * Literal text (user data, scripts) placed in a Terraform string must not be read as a template:
 * Terraform would take a shell's `${HOME}` for a reference. This escapes `${` and `%{` outside
 * cdktf tokens (`${TfToken[...]}`), which still resolve to references.
 */
const TEMPLATE_SEQUENCE = /([$%])\{(?!TfToken\[)/g;

/** Escapes Terraform template sequences in `text`, leaving cdktf tokens intact. */
export function escapeTemplateSequences(text: string): string {
  return text.replace(TEMPLATE_SEQUENCE, "$1$1{");
}
