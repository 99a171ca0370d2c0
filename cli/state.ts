/**
 * `npm run state -- <stack> <terraform state args>`, e.g. `npm run state -- dev-cluster list` or
 * `npm run state -- dev-network show 'aws_vpc.network_vpc_4E8F0223'`: `terraform state` in the
 * stack's working directory, after synthesizing the clusters KUBEPLANE_CLUSTERS selects and
 * initializing the directory (quietly), so it reads whichever backend the definition names.
 */
import { synthesizeApp } from "./synthesized-app";
import { initializeWorkingDirectory, runTerraform } from "./terraform-command";

const USAGE = "usage: npm run state -- <stack> <terraform state subcommand> [args], e.g. npm run state -- dev-cluster list";

async function main(argv: string[]): Promise<number> {
  const [stackName, ...stateArgs] = argv;
  if (!stackName || stateArgs.length === 0) {
    process.stderr.write(`${USAGE}\n`);
    return 1;
  }
  const stacks = await synthesizeApp();
  const stack = stacks.find((s) => s.name === stackName);
  if (!stack) {
    process.stderr.write(`kubeplane state: no stack "${stackName}"; stacks: ${stacks.map((s) => s.name).join(", ")}\n`);
    return 1;
  }
  await initializeWorkingDirectory(stack.workingDirectory);
  const result = await runTerraform(["state", ...stateArgs], { cwd: stack.workingDirectory, inherit: true });
  return result.code;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (e: Error) => {
    process.stderr.write(`kubeplane state: ${e.message}\n`);
    process.exitCode = 1;
  },
);
