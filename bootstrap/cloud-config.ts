/**
 * cloud-config rendering: files written by cloud-init's write_files and the commands of runcmd.
 * Static script files are gzip+base64 encoded: it keeps user data under EC2's 16 KiB limit and
 * keeps shell `${...}` out of the text Terraform interpolates. Rendered files (which carry context
 * values, maybe Terraform tokens) stay plain text.
 */
import { gzipSync } from "zlib";
import { stringify } from "yaml";
import { NodeFile } from "./node-files";

/** EC2's limit on user data, in bytes (before base64). */
export const EC2_USER_DATA_LIMIT = 16384;

/** A write_files entry; files are owned by root:root, cloud-init's default. */
interface WriteFile {
  path: string;
  permissions: string;
  encoding?: "gz+b64";
  content: string;
}

/** Compresses deterministically: the same bytes on every machine, so Terraform sees no change. */
export function gzipBase64(content: string): string {
  const compressed = gzipSync(Buffer.from(content, "utf8"), { level: 9 });
  compressed[9] = 3; // gzip header OS byte: "Unix" whatever the platform rendering it
  return compressed.toString("base64");
}

function writeFile(file: NodeFile): WriteFile {
  const base = { path: file.path, permissions: file.permissions };
  return file.isStatic ? { ...base, encoding: "gz+b64", content: gzipBase64(file.content) } : { ...base, content: file.content };
}

/** Renders `#cloud-config` that writes `files` then runs `commands` (each an argv) once. */
export function renderCloudConfig(files: readonly NodeFile[], commands: readonly (readonly string[])[]): string {
  const config = { write_files: files.map(writeFile), runcmd: commands.map((argv) => [...argv]) };
  return `#cloud-config\n${stringify(config, { lineWidth: 0 })}`;
}
