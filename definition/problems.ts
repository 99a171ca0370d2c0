/**
 * What is wrong with a cluster definition, said so that a person can fix it: the file, the line
 * where the YAML has one, the field path and the reason.
 */

/** One problem in one definition file. */
export interface DefinitionProblem {
  /** The definition file, as the user named it. */
  readonly file: string;
  /** 1-based line in the file, where the problem has a place in the YAML. */
  readonly line?: number;
  /** Field path like `workers.min` or `network.azs[1]`; empty for the whole file. */
  readonly path: string;
  /** What is wrong and what is allowed. */
  readonly message: string;
}

/** Formats a problem as `file:line: path: message`. */
export function formatProblem(p: DefinitionProblem): string {
  const where = p.line !== undefined ? `${p.file}:${p.line}` : p.file;
  return p.path ? `${where}: ${p.path}: ${p.message}` : `${where}: ${p.message}`;
}

/** Formats a field path (`["network", "azs", 1]`) as `network.azs[1]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) => (typeof part === "number" ? `[${part}]` : i === 0 ? String(part) : `.${String(part)}`))
    .join("");
}

/** Thrown when one or more definitions are invalid; carries every problem found. */
export class DefinitionError extends Error {
  constructor(readonly problems: readonly DefinitionProblem[]) {
    super(
      `${problems.length} problem${problems.length === 1 ? "" : "s"} in cluster definitions:\n` +
        problems.map((p) => `  ${formatProblem(p)}`).join("\n"),
    );
    this.name = "DefinitionError";
  }
}
