/**
 * The cdktf app: reads the cluster definitions (`clusters/*.yaml`, or what KUBEPLANE_CLUSTERS
 * names) and synthesizes two stacks per cluster. An invalid definition, or infrastructure that
 * breaks a security rule (rules/), stops it before anything is written, with every problem
 * listed and a non-zero exit. Suppressed findings and warnings are listed on stdout.
 */
import { CLUSTERS_ENV, DefinitionError, loadDefinitions, resolveDefinitionFiles } from "./definition";
import { cloudDefinitionCheck } from "./providers";
import { AuditReport, auditApp, formatReport, RuleViolationError, suppressionCheck } from "./rules";
import { addClusterStacks } from "./stacks/cluster-stacks";
import { outputDirectory, synthesizeStaged } from "./stacks/staged-synthesis";

function main(): number {
  try {
    const files = resolveDefinitionFiles(process.env[CLUSTERS_ENV]);
    const definitions = loadDefinitions(files, [cloudDefinitionCheck, suppressionCheck]);
    let report: AuditReport | undefined;
    synthesizeStaged(outputDirectory(), (app) => {
      for (const { definition } of definitions) addClusterStacks(app, definition);
      // Every stack is audited before any is synthesized, so that all violations show at once.
      report = auditApp(app);
    });
    for (const line of report ? formatReport(report) : []) process.stdout.write(`kubeplane: ${line}\n`);
    return 0;
  } catch (e) {
    if (e instanceof DefinitionError || e instanceof RuleViolationError) {
      process.stderr.write(`kubeplane: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

process.exitCode = main();
