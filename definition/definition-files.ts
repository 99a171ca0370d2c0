/**
 * Which definition files a run reads: `clusters/` by default, or what `KUBEPLANE_CLUSTERS`
 * names — a file, a directory, or a comma-separated list of either.
 */
import { readdirSync, statSync } from "fs";
import * as path from "path";
import { DefinitionError, DefinitionProblem } from "./problems";

/** The environment variable that selects definitions instead of `clusters/`. */
export const CLUSTERS_ENV = "KUBEPLANE_CLUSTERS";

/** The default definitions directory, relative to the working directory. */
export const DEFAULT_CLUSTERS_DIR = "clusters";

const DEFINITION_FILE = /\.ya?ml$/;

/** How a file is shown in messages: relative to `cwd` when inside it, absolute otherwise. */
export function displayPath(absolute: string, cwd: string): string {
  const relative = path.relative(cwd, absolute);
  if (relative === "") return absolute;
  const outside = relative === ".." || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
  return outside ? absolute : relative;
}

/**
 * Resolves a selection (the value of KUBEPLANE_CLUSTERS, or undefined for `clusters/`) to a
 * sorted, de-duplicated list of files. Throws a DefinitionError naming every entry that does
 * not exist or holds no definitions.
 */
export function resolveDefinitionFiles(selection: string | undefined, cwd: string = process.cwd()): string[] {
  const { files, problems } = selectDefinitionFiles(selection, cwd);
  if (problems.length > 0) throw new DefinitionError(problems);
  return files;
}

/**
 * The files a selection names (as resolveDefinitionFiles), and a problem for every entry that
 * does not exist or holds no definitions, so that the files that do exist can still be read
 * and every problem reported at once.
 */
export function selectDefinitionFiles(selection: string | undefined, cwd: string = process.cwd()): { files: string[]; problems: DefinitionProblem[] } {
  const entries = (selection ?? DEFAULT_CLUSTERS_DIR)
    .split(",")
    .map((e) => e.trim())
    .filter((e) => e.length > 0);
  const files = new Set<string>();
  const problems: DefinitionProblem[] = [];
  const source = selection === undefined ? "the default clusters directory" : CLUSTERS_ENV;
  if (entries.length === 0) {
    problems.push({ file: CLUSTERS_ENV, path: "", message: "names no file or directory" });
  }
  for (const entry of entries) {
    const absolute = path.resolve(cwd, entry);
    let stats;
    try {
      stats = statSync(absolute);
    } catch {
      problems.push({ file: displayPath(absolute, cwd), path: "", message: `does not exist (from ${source})` });
      continue;
    }
    if (stats.isDirectory()) {
      const found = readdirSync(absolute).filter((f) => DEFINITION_FILE.test(f)).sort();
      if (found.length === 0) problems.push({ file: displayPath(absolute, cwd), path: "", message: "holds no cluster definitions (*.yaml)" });
      for (const f of found) files.add(displayPath(path.join(absolute, f), cwd));
    } else {
      files.add(displayPath(absolute, cwd));
    }
  }
  return { files: [...files].sort(), problems };
}
