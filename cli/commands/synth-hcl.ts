/**
 * `kubeplane synth --hcl [stacks|globs]`: the selected stacks as Terraform's native syntax
 * (cli/hcl-synth.ts), each validated. Wired into `kubeplane synth` (cli/commands/synth.ts).
 */
import type { CliContext } from "./context";

/** Runs `synth --hcl` with `patterns` (stack names or globs); throws, naming each stack, when any fails. */
export async function synthHcl(patterns: readonly string[], cli: CliContext): Promise<number> {
  const options = patterns.filter((p) => p.startsWith("-"));
  if (options.length > 0) throw new Error(`synth --hcl takes stack names or globs, not cdktf options: ${options.join(" ")}`);
  const { synthesizeHcl } = await import("../hcl-synth");
  const started = cli.now();
  const written = await synthesizeHcl({
    patterns,
    env: cli.env,
    progress: (line) => cli.stderr.write(`kubeplane synth --hcl [${Math.floor((cli.now() - started) / 1000)}s] ${line}\n`),
  });
  for (const stack of written) cli.stdout.write(`${stack.name}\t${stack.directory}\n`);
  return 0;
}
