/** The aws CLI against the emulator, for the simulation's own look-ups and fixtures. */
import { execFile } from "child_process";
import * as path from "path";
import { promisify } from "util";
import { awsCliMode, awsCliServer, STUB_DIR } from "./simulated-node";

const run = promisify(execFile);

/**
 * Runs `aws <args> --output json` in `env` and parses the answer (undefined when empty): through
 * the aws CLI fork server, as the simulated nodes do, unless KUBEPLANE_SIM_AWS_CLI=process.
 */
export async function awsJson<T = unknown>(env: NodeJS.ProcessEnv, args: readonly string[]): Promise<T> {
  const forked = awsCliMode() === "fork-server";
  const server = forked ? awsCliServer() : undefined;
  const { stdout } = await run(forked ? path.join(STUB_DIR, "aws") : "aws", [...args, "--output", "json"], {
    env: server ? { ...env, SIM_AWS_SOCKET: server.socket, SIM_AWS_PYTHON: server.python, SIM_STUBS: STUB_DIR } : env,
    maxBuffer: 16 * 1024 * 1024,
  });
  return (stdout.trim() === "" ? undefined : JSON.parse(stdout)) as T;
}

/**
 * Calls a JSON-protocol API of the emulator directly (no aws CLI process): for the simulation's
 * frequent polling, which would otherwise starve the simulated nodes of CPU. The emulator takes
 * the service from the credential scope and does not check signatures.
 */
export async function emulatorJsonCall<T = unknown>(
  env: NodeJS.ProcessEnv,
  service: string,
  target: string,
  body: Record<string, unknown> = {},
): Promise<T> {
  const region = env.AWS_DEFAULT_REGION ?? "eu-west-1";
  const response = await fetch(`${env.AWS_ENDPOINT_URL}/`, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": target,
      Authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${target} failed (${response.status}): ${text}`);
  return JSON.parse(text) as T;
}
