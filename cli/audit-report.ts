/**
 * The audit's table: one row per stack that matches its definition, per drifted resource or
 * output, and per stack that could not be planned; and the closing verdict.
 */
import type { StackAudit } from "./stack-audit";

/** One row of the audit table. */
export interface AuditRow {
  readonly stack: string;
  readonly address: string;
  readonly change: string;
  readonly detail: string;
}

/** The table rows for `audits`, in the order given. */
export function auditRows(audits: readonly StackAudit[]): AuditRow[] {
  const rows: AuditRow[] = [];
  for (const audit of audits) {
    if (audit.status === "clean") {
      rows.push({ stack: audit.stack, address: "-", change: "none", detail: "matches the definition" });
    } else if (audit.status === "failed") {
      const firstLine = (audit.error ?? "").split("\n").find((l) => /error/i.test(l)) ?? "plan failed";
      rows.push({ stack: audit.stack, address: "-", change: "error", detail: firstLine.replace(/^[│╷╵\s]+/, "").trim() });
    } else if (audit.changes.length === 0) {
      rows.push({ stack: audit.stack, address: "-", change: "changes", detail: "the plan is not empty" });
    } else {
      for (const c of audit.changes) {
        const attributes = c.attributes.length > 0 ? `: ${c.attributes.join(", ")}` : "";
        const detail = c.changedOutsideTerraform ? `changed outside Terraform${attributes}` : c.attributes.length > 0 ? `plan changes${attributes}` : "";
        rows.push({ stack: audit.stack, address: c.address, change: c.change, detail });
      }
    }
  }
  return rows;
}

/** Renders rows as an aligned text table with a header. */
export function renderTable(rows: readonly AuditRow[]): string {
  const header: AuditRow = { stack: "STACK", address: "ADDRESS", change: "CHANGE", detail: "DETAIL" };
  const all = [header, ...rows];
  const width = (key: keyof AuditRow) => Math.max(...all.map((r) => r[key].length));
  const widths = { stack: width("stack"), address: width("address"), change: width("change") };
  return all
    .map((r) => `${r.stack.padEnd(widths.stack)}  ${r.address.padEnd(widths.address)}  ${r.change.padEnd(widths.change)}  ${r.detail}`.trimEnd())
    .join("\n");
}

/** The exit code of an audit: 0 all clean, 2 drift, 1 any stack could not be planned. */
export function auditExitCode(audits: readonly StackAudit[]): number {
  if (audits.some((a) => a.status === "failed")) return 1;
  return audits.some((a) => a.status === "drifted") ? 2 : 0;
}

/** The closing lines: the verdict, and each drifted address by name. */
export function renderVerdict(audits: readonly StackAudit[]): string {
  const drifted = audits.filter((a) => a.status === "drifted");
  const failed = audits.filter((a) => a.status === "failed");
  const lines: string[] = [];
  if (drifted.length === 0 && failed.length === 0) {
    lines.push(`audit: ${audits.length} stack(s) match their definition`);
  }
  for (const a of drifted) {
    const addresses = a.changes.map((c) => `${c.address} (${c.change})`);
    lines.push(`audit: ${a.stack} drifted: ${addresses.length > 0 ? addresses.join(", ") : "the plan is not empty"}`);
  }
  for (const a of failed) lines.push(`audit: ${a.stack} could not be planned:\n${(a.error ?? "").trim()}`);
  return lines.join("\n");
}
