/**
 * cloud-config rendering: files written by cloud-init's write_files and the commands of runcmd,
 * every file as plain text. The cloud delivers the whole document gzip-compressed (Terraform's
 * `base64gzip`; cloud-init recognises gzip and decompresses it, see cloud-init's "User data
 * formats: gzip compressed content"), so the scripts compress together and stay well under the
 * cloud's limit (EC2: 16 KiB, providers/aws/user-data-limit.ts). Shell `${...}` in the text is
 * escaped for Terraform by the stacks (stacks/terraform-string.ts), which place it in a Terraform
 * string.
 */
import { gzipSync } from "zlib";
import { stringify } from "yaml";
import { NodeFile } from "./node-files";

/** A write_files entry; files are owned by root:root, cloud-init's default. */
interface WriteFile {
  path: string;
  permissions: string;
  content: string;
}

/**
 * The size of user data as the cloud delivers it: gzip-compressed, as Terraform's `base64gzip`
 * does (Go's compress/gzip at its default level; zlib's default level 6 is within a few bytes).
 */
export function deliveredUserDataBytes(userData: string): number {
  return gzipSync(Buffer.from(userData, "utf8"), { level: 6 }).length;
}

/**
 * Whether user data fits a cloud's limit (`limitBytes`, what the cloud takes: on AWS
 * EC2_USER_DATA_LIMIT_BYTES in providers/aws/) as delivered, gzip-compressed.
 */
export function userDataFits(userData: string, limitBytes: number): boolean {
  if (!Number.isInteger(limitBytes) || limitBytes <= 0) throw new Error(`userDataFits: limitBytes must be a positive whole number of bytes, got ${limitBytes}`);
  return deliveredUserDataBytes(userData) <= limitBytes;
}

/** Renders `#cloud-config` that writes `files` then runs `commands` (each an argv) once. */
export function renderCloudConfig(files: readonly NodeFile[], commands: readonly (readonly string[])[]): string {
  const writeFile = (file: NodeFile): WriteFile => ({ path: file.path, permissions: file.permissions, content: file.content });
  const config = { write_files: files.map(writeFile), runcmd: commands.map((argv) => [...argv]) };
  return `#cloud-config\n${stringify(config, { lineWidth: 0 })}`;
}
