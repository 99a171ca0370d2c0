/**
 * The rule pack: a cdktf Aspect that runs every rule on every resource of the stacks it is added
 * to. An error fails synth (as a construct validation, so `app.synth()` and
 * `Testing.synth(stack, true)` both refuse the stack); a warning is printed and synth goes on.
 *
 * Suppressions: an exception for one rule on one resource, with a required reason. A resource is
 * named by its construct path (`dev-cluster/firewall/api-lb`), its path within the stack
 * (`firewall/api-lb`) or its Terraform address (`aws_security_group.firewall_api-lb_BF350E8C`).
 * Suppressed findings are kept and listed in the synth output; a suppression that matches
 * nothing is reported too, so that stale exceptions do not linger.
 */
import { Annotations, App, Aspects, IAspect, TerraformStack } from "cdktf";
import { IConstruct } from "constructs";
import { ClusterFacts, Rule, RuleLevel } from "./rule";
import { ResourceView, StackView } from "./stack-view";

/** An exception to one rule for one resource. */
export interface Suppression {
  /** The rule's id, e.g. `KP-NET-2`. */
  readonly rule: string;
  /** Construct path (full or within the stack) or Terraform address of the resource. */
  readonly resource: string;
  /** Why the exception is acceptable; required. */
  readonly reason: string;
}

/** One rule's verdict on one resource. */
export interface Finding {
  readonly rule: Rule;
  readonly level: RuleLevel;
  readonly stack: string;
  readonly address: string;
  readonly path: string;
  readonly message: string;
  /** The suppression that covers it, if any. */
  readonly suppressedBy?: Suppression;
}

/** Options of a rule pack. */
export interface RulePackOptions {
  /** What the rules know about the cluster. */
  readonly cluster: ClusterFacts;
  /** The rules to run. */
  readonly rules: readonly Rule[];
  /** @default none */
  readonly suppressions?: readonly Suppression[];
}

/** Formats a finding on one line (and, unless told otherwise, its rule's explanation on the next). */
export function formatFinding(f: Finding, explain = true): string {
  if (f.suppressedBy) return `${f.rule.id} ${f.rule.name} on ${f.address} (${f.path}): ${f.message}; reason: ${f.suppressedBy.reason}`;
  const head = `${f.rule.id} ${f.rule.name} [${f.level}] ${f.address} (${f.path}): ${f.message}`;
  return explain ? `${head}\n      ${f.rule.explanation}` : head;
}

/** Thrown when a rule pack finds errors; carries every unsuppressed error of every audited stack. */
export class RuleViolationError extends Error {
  constructor(readonly findings: readonly Finding[]) {
    const rules = [...new Map(findings.map((f) => [f.rule.id, f.rule])).values()];
    super(
      `${findings.length} security rule violation${findings.length === 1 ? "" : "s"}:\n` +
        findings.map((f) => `  ${formatFinding(f, false)}`).join("\n") +
        "\n  Why:\n" +
        rules.map((r) => `    ${r.id} ${r.name}: ${r.explanation}`).join("\n") +
        "\n  To accept a finding, add a suppression with a reason to the cluster definition:\n" +
        "    suppressions: [{ rule: <id>, resource: <construct path or address>, reason: <why> }]",
    );
    this.name = "RuleViolationError";
  }
}

function matches(s: Suppression, resource: ResourceView): boolean {
  const target = s.resource.trim().replace(/^\/+|\/+$/g, "");
  const withinStack = resource.path.startsWith(`${resource.stack}/`) ? resource.path.slice(resource.stack.length + 1) : resource.path;
  return target === resource.path || target === withinStack || target === resource.address;
}

/** Runs rules over stacks; see the file comment. */
export class RulePack implements IAspect {
  readonly rules: readonly Rule[];
  readonly suppressions: readonly Suppression[];
  private readonly cluster: ClusterFacts;
  private readonly audited = new Map<TerraformStack, Finding[]>();

  constructor(options: RulePackOptions) {
    this.rules = options.rules;
    this.cluster = options.cluster;
    this.suppressions = options.suppressions ?? [];
    for (const s of this.suppressions) {
      if (!s.reason || s.reason.trim().length === 0) throw new Error(`suppression of ${s.rule} on ${s.resource}: a reason is required`);
    }
  }

  /** Adds the pack to a stack. */
  applyTo(stack: TerraformStack): this {
    Aspects.of(stack).add(this);
    return this;
  }

  visit(node: IConstruct): void {
    if (TerraformStack.isStack(node)) this.audit(node);
  }

  /**
   * Runs the rules on a stack (once; later calls return the same findings) and registers a
   * validation on each resource with an unsuppressed error.
   */
  audit(stack: TerraformStack): readonly Finding[] {
    const done = this.audited.get(stack);
    if (done) return done;
    const view = new StackView(stack);
    const findings: Finding[] = [];
    for (const resource of view.resources) {
      const mine: Finding[] = [];
      for (const rule of this.rules) {
        if (!rule.resourceTypes.includes(resource.type)) continue;
        for (const message of rule.check(resource, { stack: view, cluster: this.cluster })) {
          const suppressedBy = this.suppressions.find((s) => s.rule === rule.id && matches(s, resource));
          mine.push({ rule, level: rule.level, stack: resource.stack, address: resource.address, path: resource.path, message, suppressedBy });
        }
      }
      const errors = mine.filter((f) => f.level === "error" && !f.suppressedBy);
      if (errors.length > 0) resource.construct.node.addValidation({ validate: () => errors.map((f) => formatFinding(f)) });
      for (const f of mine.filter((f) => f.level === "warning" && !f.suppressedBy)) Annotations.of(resource.construct).addWarning(formatFinding(f));
      findings.push(...mine);
    }
    this.audited.set(stack, findings);
    return findings;
  }

  /** Every finding so far, over every audited stack. */
  findings(): Finding[] {
    return [...this.audited.values()].flat();
  }

  /** Suppressions that matched no finding in any audited stack. */
  unusedSuppressions(): Suppression[] {
    const used = new Set(this.findings().map((f) => f.suppressedBy).filter((s): s is Suppression => s !== undefined));
    return this.suppressions.filter((s) => !used.has(s));
  }
}

/** What auditing an app found. */
export interface AuditReport {
  /** Unsuppressed errors. */
  readonly errors: Finding[];
  /** Unsuppressed warnings. */
  readonly warnings: Finding[];
  /** Findings a suppression accepted. */
  readonly suppressed: Finding[];
  /** Suppressions that matched nothing. */
  readonly unusedSuppressions: Suppression[];
}

/** The rule packs on the stacks of an app (each once). */
export function rulePacksOf(app: App): RulePack[] {
  const packs = new Set<RulePack>();
  for (const stack of app.node.findAll().filter(TerraformStack.isStack)) {
    for (const aspect of Aspects.of(stack).all) if (aspect instanceof RulePack) packs.add(aspect);
  }
  return [...packs];
}

/**
 * Audits every stack of an app with the rule packs added to it, before synthesis, so that every
 * violation in every stack is reported at once. Throws a RuleViolationError on errors.
 */
export function auditApp(app: App): AuditReport {
  const all: Finding[] = [];
  const unused: Suppression[] = [];
  const packs = rulePacksOf(app);
  for (const stack of app.node.findAll().filter(TerraformStack.isStack)) {
    for (const pack of packs) if (Aspects.of(stack).all.includes(pack)) all.push(...pack.audit(stack));
  }
  for (const pack of packs) unused.push(...pack.unusedSuppressions());
  const report: AuditReport = {
    errors: all.filter((f) => f.level === "error" && !f.suppressedBy),
    warnings: all.filter((f) => f.level === "warning" && !f.suppressedBy),
    suppressed: all.filter((f) => f.suppressedBy),
    unusedSuppressions: unused,
  };
  if (report.errors.length > 0) throw new RuleViolationError(report.errors);
  return report;
}

/** The report as lines for the synth output (suppressions, warnings, stale suppressions). */
export function formatReport(report: AuditReport): string[] {
  return [
    ...report.suppressed.map((f) => `suppressed: ${formatFinding(f)}`),
    ...report.warnings.map((f) => `warning: ${formatFinding(f)}`),
    ...report.unusedSuppressions.map((s) => `warning: suppression of ${s.rule} on "${s.resource}" matches no finding; remove it`),
  ];
}
