/**
 * The cluster settings file on the node: `KEY='value'` lines that every node-side script sources.
 * It is the only place per-cluster values (which may be Terraform tokens) reach the node, and they
 * are written verbatim, in single quotes so the shell expands nothing in them.
 */

/** Quotes a value for a shell `KEY='value'` line. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Renders settings as a file a shell can source. Names must be shell variable names. */
export function renderClusterEnv(settings: Readonly<Record<string, string>>): string {
  return Object.entries(settings)
    .map(([name, value]) => {
      if (!/^KUBEPLANE_[A-Z0-9_]+$/.test(name)) {
        throw new Error(`cluster setting ${name} must be named KUBEPLANE_<UPPER_SNAKE_CASE>`);
      }
      if (/[\n\r\0]/.test(value)) throw new Error(`cluster setting ${name} must be a single line`);
      return `${name}=${shellQuote(value)}\n`;
    })
    .join("");
}
