/** `kubeplane synth [cdktf options]`: `cdktf synth` of the selected clusters (cli/cdktf-command.ts). */
import { cdktfWithProgress } from "./cdktf-run";
import { examples, RegisterSubcommand } from "./context";

export const registerSynth: RegisterSubcommand = (program, cli) => {
  program
    .command("synth")
    .summary("synthesize every selected cluster's stacks to Terraform JSON (offline)")
    .description(
      "Synthesizes the clusters KUBEPLANE_CLUSTERS selects (default: clusters/) into Terraform JSON,\n" +
        "one directory per stack under CDKTF_OUTDIR (default cdktf.out/stacks/<cluster>-network and\n" +
        "<cluster>-cluster). An invalid definition stops it with every problem listed and nothing written.",
    )
    .argument("[cdktf-options...]", "further options for cdktf synth")
    .allowUnknownOption()
    .addHelpText(
      "after",
      examples(["kubeplane synth", "KUBEPLANE_CLUSTERS=clusters/prod.yaml kubeplane synth", "CDKTF_OUTDIR=/tmp/out kubeplane synth", "kubeplane synth --hcl 'dev-*'"]),
    )
    .option("--hcl", "write each stack as HCL to <outdir>/hcl/<stack>/main.tf, then terraform validate it; arguments are stack globs")
    .action(async (rest: string[], options: { hcl?: boolean }) => {
      if (options.hcl) return void (cli.exitCode = await (await import("./synth-hcl")).synthHcl(rest, cli));
      cli.exitCode = await cdktfWithProgress("synth", rest, cli);
    });
};
