/**
 * The node-side files: shell scripts and systemd units kept under `bootstrap/node/`, and where
 * each one goes on the node. They are static (the same for every cluster): per-cluster values
 * reach them only through the cluster settings file.
 */
import { readFileSync } from "fs";
import * as path from "path";

/** Where the node-side sources live in this repository. */
export const NODE_SOURCE_DIR = path.join(__dirname, "node");

/** Directory on the node holding the sourced script modules. */
export const NODE_LIBRARY_DIR = "/usr/local/lib/kubeplane";

/** The script cloud-init runs on every node. */
export const BOOTSTRAP_COMMAND = "/usr/local/sbin/kubeplane-bootstrap";

/** One file to place on the node. */
export interface NodeFile {
  /** Absolute path on the node. */
  readonly path: string;
  /** Octal mode, e.g. `0755`. */
  readonly permissions: string;
  /** The file's content. */
  readonly content: string;
  /** True for static files from `bootstrap/node/` (the same for every cluster); false for rendered ones (which may hold Terraform tokens). */
  readonly isStatic: boolean;
}

/**
 * A shell script as shipped to the node: without blank lines and comment lines (they stay in the
 * repository), keeping the shebang, `# shellcheck` directives and here-documents untouched: user
 * data is small on every cloud (EC2 takes 16 KiB).
 */
export function withoutComments(script: string): string {
  const kept: string[] = [];
  let hereDocEnd: string | undefined;
  for (const line of script.split("\n")) {
    if (hereDocEnd !== undefined) {
      kept.push(line);
      if (line === hereDocEnd) hereDocEnd = undefined;
      continue;
    }
    const trimmed = line.trim();
    const isComment = trimmed.startsWith("#") && !trimmed.startsWith("#!") && !trimmed.startsWith("# shellcheck");
    if (trimmed === "" || isComment) continue;
    kept.push(line);
    const hereDoc = /<<-?\s*['"]?([A-Za-z_][A-Za-z0-9_]*)['"]?/.exec(line);
    if (hereDoc) hereDocEnd = hereDoc[1];
  }
  return kept.join("\n") + "\n";
}

/** A static file from `bootstrap/node/`, given by its path there, placed at `nodePath`. */
export function staticNodeFile(source: string, nodePath: string, permissions = "0644"): NodeFile {
  const file = path.join(NODE_SOURCE_DIR, source);
  let content: string;
  try {
    content = readFileSync(file, "utf8");
  } catch {
    throw new Error(`no node-side file ${source} under ${NODE_SOURCE_DIR}`);
  }
  if (source.endsWith(".sh")) content = withoutComments(content);
  return { path: nodePath, permissions, content, isStatic: true };
}

/** A sourced script module: `bootstrap/node/<module>` placed under the node's library directory. */
export function nodeLibraryModule(module: string): NodeFile {
  return staticNodeFile(module, `${NODE_LIBRARY_DIR}/${module}`);
}
