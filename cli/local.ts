/**
 * `kubeplane local [--port=N] [--no-wait] [--workspace=DIR]` (`npm run local -- ...`): the whole flow without an AWS
 * account. Starts the AWS emulator, deploys the dev example (`clusters/dev.yaml`, or what
 * KUBEPLANE_CLUSTERS selects) into it with state and synthesized stacks kept in a workspace of
 * their own (`.kubeplane/local/`, so a real deployment's `state/` and `cdktf.out/` are never
 * touched), audits it, then prints how to look around and keeps the emulator running until
 * Ctrl-C. `--no-wait` stops after the audit. Everything lives in the emulator's memory: it is
 * gone when the emulator stops, and the workspace's state is cleared on the next start.
 * The wiring (options, help) is cli/commands/local.ts.
 */
import { mkdirSync, rmSync, writeFileSync } from "fs";
import * as path from "path";
import { emulatorEnvironment, startEmulator } from "./aws-emulator";
import { cdktfWithProgress } from "./commands/cdktf-run";
import type { CliContext } from "./commands/context";
import { auditInfrastructure } from "./infrastructure-audit";
import { STATE_DIR_ENV } from "../stacks/state-backend";
import { PROJECT_ROOT } from "./terraform-environment";

/** The example `npm run local` deploys unless KUBEPLANE_CLUSTERS says otherwise. */
export const LOCAL_EXAMPLE = "clusters/dev.yaml";

function shellQuote(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Options of localMain. */
export interface LocalOptions {
  /**
   * The emulator's port.
   * @default a free one
   */
  readonly port?: number;
  /**
   * Keep the emulator running until Ctrl-C (false: stop after the audit).
   * @default true
   */
  readonly wait?: boolean;
  /**
   * The workspace (state, synthesized stacks, env.sh).
   * @default <project>/.kubeplane/local
   */
  readonly workspace?: string;
}

function guide(envFile: string, endpoint: string, selection: string): string {
  const envFileShown = path.relative(process.cwd(), envFile) || envFile;
  return `
The ${selection} example runs in the AWS emulator at ${endpoint}. In another terminal:

  source ${envFileShown}          # points aws, terraform and kubeplane at the emulator
  npm run audit                               # every stack matches its definition: exit 0
  npm run state -- dev-cluster list           # what Terraform manages
  npm run state -- dev-network list
  aws ec2 describe-vpcs --filters Name=tag:kubeplane:cluster,Values=dev
  aws ec2 describe-instances --query 'Reservations[].Instances[].[InstanceId,State.Name,MetadataOptions.HttpTokens,Tags[?Key==\`Name\`]|[0].Value]' --output table
  aws autoscaling describe-auto-scaling-groups --query 'AutoScalingGroups[].[AutoScalingGroupName,MinSize,DesiredCapacity,MaxSize]' --output table
  aws ec2 describe-security-groups --filters Name=tag:kubeplane:cluster,Values=dev --query 'SecurityGroups[].[GroupId,GroupName]' --output table

Then drift it and watch the audit catch it:

  aws ec2 authorize-security-group-ingress --group-id <a group id from above> --protocol tcp --port 22 --cidr 0.0.0.0/0
  npm run audit                               # exit 2, names the security group
  npm run deploy -- '*' --auto-approve        # puts it back
  npm run destroy -- '*' --auto-approve       # and removes everything

Ctrl-C here stops the emulator (and everything in it).
`;
}

/** The whole of `kubeplane local`: resolves to the exit code. */
export async function localMain(options: LocalOptions, cli: CliContext): Promise<number> {
  const deployAll = (env: NodeJS.ProcessEnv) => cdktfWithProgress("deploy", ["*", "--auto-approve"], cli, { env });
  const workspace = path.resolve(options.workspace ?? path.join(PROJECT_ROOT, ".kubeplane", "local"));
  const stateDir = path.join(workspace, "state");
  const outdir = path.join(workspace, "cdktf.out");
  rmSync(stateDir, { recursive: true, force: true });
  mkdirSync(stateDir, { recursive: true });

  const emulator = await startEmulator({ port: options.port });
  const stop = async () => {
    await emulator.stop();
    rmSync(stateDir, { recursive: true, force: true });
  };
  try {
    const selection = cli.env.KUBEPLANE_CLUSTERS || LOCAL_EXAMPLE;
    const kubeplaneEnv: Record<string, string> = {
      KUBEPLANE_CLUSTERS: selection,
      [STATE_DIR_ENV]: stateDir,
      CDKTF_OUTDIR: outdir,
    };
    const env = { ...emulatorEnvironment(emulator.endpoint), ...kubeplaneEnv };
    const clientEnv = { ...emulatorEnvironment(emulator.endpoint, {}), ...kubeplaneEnv };
    const envFile = path.join(workspace, "env.sh");
    writeFileSync(
      envFile,
      `# Written by npm run local: the emulator at ${emulator.endpoint} and the local workspace.\n` +
        Object.entries(clientEnv)
          .map(([k, v]) => `export ${k}=${shellQuote(v ?? "")}`)
          .join("\n") +
        "\n",
    );
    cli.stderr.write(`kubeplane local: emulator at ${emulator.endpoint}; deploying ${selection}\n`);
    // The audit's own cloud calls (the orphan search, through the AWS SDK in this process) go to
    // the emulator too, as Terraform's do: this process works on nothing else.
    for (const [name, value] of Object.entries(env)) if (value !== undefined && /^AWS_/.test(name)) process.env[name] = value;

    let code = await deployAll(env);
    if (code !== 0) {
      // moto occasionally answers one call wrongly under parallel load; a second run converges.
      cli.stderr.write("kubeplane local: the deploy failed; deploying once more\n");
      code = await deployAll(env);
    }
    if (code !== 0) return code;
    code = await auditInfrastructure({ env });
    if (code === 2) {
      // moto copies a new launch template's tags into its first version, so the first plan after
      // creation shows a one-time change; one more deploy converges (AWS itself does not do this).
      cli.stderr.write("kubeplane local: converging the emulator's one-time launch template change\n");
      code = await deployAll(env);
      if (code === 0) code = await auditInfrastructure({ env });
    }
    if (code !== 0) return code;

    cli.stdout.write(guide(envFile, emulator.endpoint, selection));
    if (options.wait === false) return 0;
    await new Promise<void>((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    });
    cli.stderr.write("\nkubeplane local: stopping the emulator\n");
    return 0;
  } finally {
    await stop();
  }
}

if (require.main === module) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require("./kubeplane") as typeof import("./kubeplane")).main(["local", ...process.argv.slice(2)]);
}
