/**
 * `kubeplane bootstrap <region> [--bucket <name>] [--state-dir <dir>] [--auto-approve]`: the
 * state bucket and the deploy and plan-only CI policies, from an empty account
 * (cli/bootstrap-command.ts).
 */
import { examples, RegisterSubcommand } from "./context";

export const registerBootstrap: RegisterSubcommand = (program, cli) => {
  program
    .command("bootstrap")
    .summary("create the S3 state bucket and the deploy and plan-only CI policies in an empty account")
    .description(
      "Applies a stack of its own, with the credentials of your environment (a bootstrap user), that\n" +
        "creates the state bucket of a region (versioned, encrypted, public access blocked, TLS only)\n" +
        "and four IAM policies: kubeplane-bootstrap-<region>-deploy and -deploy-keys for the role that\n" +
        "deploys, -plan and -plan-keys for the CI role that only plans (it reads state and takes the\n" +
        "state lock). Its state starts in --state-dir and then moves into the bucket\n" +
        "(kubeplane-bootstrap/<region>.tfstate); later runs update it there. Attach the policies to your\n" +
        "roles, and name the bucket in the clusters' state: { backend: s3, bucket: <name> }.",
    )
    .argument("<region>", "the AWS region of the bucket")
    .option("--bucket <name>", "the bucket's name (default: kubeplane-state-<account>-<region>)")
    .option("--state-dir <dir>", "where the bootstrap stack's local state is kept (default: <KUBEPLANE_STATE_DIR or state/>/bootstrap)")
    .option("--auto-approve", "apply without asking")
    .addHelpText(
      "after",
      examples(["kubeplane bootstrap eu-west-1", "kubeplane bootstrap eu-west-1 --bucket acme-kubeplane-state --auto-approve"], [
        "Roles must not be named kubeplane-*: the deploy policy manages roles of that name.",
      ]),
    )
    .action(async (region: string, options: { bucket?: string; stateDir?: string; autoApprove?: boolean }) => {
      const { bootstrap } = await import("../bootstrap-command");
      const started = cli.now();
      const result = await bootstrap({
        region,
        bucket: options.bucket,
        stateDir: options.stateDir,
        autoApprove: options.autoApprove,
        env: cli.env,
        progress: (line) => cli.stderr.write(`kubeplane bootstrap [${Math.floor((cli.now() - started) / 1000)}s] ${line}\n`),
      });
      cli.stdout.write(
        [
          `state bucket: ${result.bucket}`,
          `bootstrap state: ${result.stateKey}`,
          `deploy role policies: ${result.deployPolicyArns.join(" ")}`,
          `CI (plan) role policies: ${result.planPolicyArns.join(" ")}`,
          "",
        ].join("\n"),
      );
    });
};
