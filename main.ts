/**
 * The cdktf app: reads the cluster definitions (`clusters/*.yaml`, or what KUBEPLANE_CLUSTERS
 * names) and synthesizes two stacks per cluster. An invalid definition, or infrastructure that
 * breaks a security rule (rules/), stops it before anything is written, with every problem
 * listed on stderr, no stack trace and a non-zero exit. Suppressed findings, warnings and
 * stale suppressions are listed on stdout.
 */
import { App } from "cdktf";
import { CLUSTERS_ENV, DefinitionError, formatProblem, loadSelectedDefinitions } from "./definition";
import { cloudFor } from "./providers";
import { AuditReport, auditApp, formatReport, RuleViolationError, suppressionCheck } from "./rules";
import { addClusterStacks } from "./stacks/cluster-stacks";
import { outputDirectory, synthesizeStaged } from "./stacks/staged-synthesis";

/** Where the app writes its messages. */
export interface Console {
  out(line: string): void;
  err(text: string): void;
}

const PROCESS_CONSOLE: Console = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/**
 * Runs the app: loads definitions, builds every cluster's stacks (then `extend`, for tests and
 * tools that add to the app), audits them and synthesizes. Returns the exit code; errors that
 * are the user's to fix are printed, anything else is thrown.
 */
export function run(env: NodeJS.ProcessEnv = process.env, extend?: (app: App) => void, io: Console = PROCESS_CONSOLE): number {
  try {
    // A missing entry is reported with the problems of every file that exists.
    const definitions = loadSelectedDefinitions(env[CLUSTERS_ENV], { cloudFor, checks: [suppressionCheck] });
    // A deprecated field still loads; say what to write instead.
    for (const { warnings } of definitions) for (const w of warnings) io.out(`kubeplane: warning: ${formatProblem(w)}`);
    let report: AuditReport | undefined;
    synthesizeStaged(outputDirectory(env), (app) => {
      for (const { definition } of definitions) addClusterStacks(app, definition);
      extend?.(app);
      // Every stack is audited before any is synthesized, so that all violations show at once.
      report = auditApp(app);
    });
    for (const line of report ? formatReport(report) : []) io.out(`kubeplane: ${line}`);
    return 0;
  } catch (e) {
    if (e instanceof DefinitionError || e instanceof RuleViolationError) {
      io.err(`kubeplane: ${e.message}`);
      return 1;
    }
    throw e;
  }
}

if (require.main === module) process.exitCode = run();
