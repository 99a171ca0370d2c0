/**
 * The changes a Terraform plan proposes, read from `terraform show -json <plan>`: one entry per
 * resource or output that would change, with what changed outside Terraform where the plan's
 * refresh saw it (`resource_drift`).
 */

/** One planned change. */
export interface PlannedChange {
  /** Resource address (`aws_security_group.firewall_workers_1A2B3C`) or `output.<name>`. */
  readonly address: string;
  /** create, update, delete, replace, read, move, import, or a combination terraform reported. */
  readonly change: string;
  /** Top-level attributes that differ (changed outside Terraform, else that the plan changes). */
  readonly attributes: readonly string[];
  /** Whether the refresh found the object changed (or gone) outside Terraform. */
  readonly changedOutsideTerraform: boolean;
}

interface JsonChange {
  actions: string[];
  before?: unknown;
  after?: unknown;
  after_unknown?: unknown;
  importing?: unknown;
}

interface JsonResourceChange {
  address: string;
  previous_address?: string;
  change: JsonChange;
}

/** The parts of Terraform's JSON plan format read here. */
export interface JsonPlan {
  resource_changes?: JsonResourceChange[];
  resource_drift?: JsonResourceChange[];
  output_changes?: Record<string, JsonChange>;
}

function changeName(resource: { change: JsonChange; previous_address?: string; address?: string }): string | undefined {
  const actions = resource.change.actions;
  let name: string | undefined;
  if (actions.includes("create") && actions.includes("delete")) name = "replace";
  else if (actions.length === 1 && actions[0] !== "no-op") name = actions[0];
  else if (actions.length > 1) name = actions.join("+");
  const extra: string[] = [];
  if (resource.previous_address && resource.previous_address !== resource.address) extra.push("move");
  if (resource.change.importing) extra.push("import");
  if (!name && extra.length === 0) return undefined;
  return [name, ...extra].filter(Boolean).join("+");
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Top-level attribute names whose value differs between `change.before` and `change.after`. */
export function changedAttributes(change: JsonChange): string[] {
  const before = isObject(change.before) ? change.before : {};
  const after = isObject(change.after) ? change.after : {};
  const unknown = isObject(change.after_unknown) ? change.after_unknown : {};
  if (!isObject(change.before) || !isObject(change.after)) return [];
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys]
    .filter((k) => unknown[k] === true || JSON.stringify(before[k]) !== JSON.stringify(after[k]))
    .sort();
}

/** The changes a plan proposes, resources first, in Terraform's order. */
export function plannedChanges(plan: JsonPlan): PlannedChange[] {
  const drift = new Map((plan.resource_drift ?? []).map((d) => [d.address, d]));
  const changes: PlannedChange[] = [];
  for (const resource of plan.resource_changes ?? []) {
    const change = changeName(resource);
    if (!change) continue;
    const outside = drift.get(resource.address);
    changes.push({
      address: resource.address,
      change,
      attributes: changedAttributes(outside ? outside.change : resource.change),
      changedOutsideTerraform: outside !== undefined,
    });
  }
  for (const [name, output] of Object.entries(plan.output_changes ?? {})) {
    const change = changeName({ change: output });
    if (change) changes.push({ address: `output.${name}`, change, attributes: [], changedOutsideTerraform: false });
  }
  return changes;
}
