/**
 * The audit's progress (cli/infrastructure-audit.ts with cli/progress.ts): each stack's phase
 * (initializing, waiting, planning) and outcome (clean, drifted, failed), and each cluster's
 * orphan search, one line per change when not on a terminal, one live line on a terminal. The
 * stacks' plans are stand-ins here (the emulator suites run the real ones).
 */
import { auditOrphans, auditStacks, OrphanSearch, StackAuditSteps } from "../../../cli/infrastructure-audit";
import { CLEAR_LINE, Progress } from "../../../cli/progress";
import type { StackAudit } from "../../../cli/stack-audit";
import type { SynthesizedStack } from "../../../cli/synthesized-app";
import type { ClusterDefinition } from "../../../definition";

function stream(isTTY = false) {
  const chunks: string[] = [];
  return { chunks, text: () => chunks.join(""), write: (s: string) => chunks.push(s), isTTY, columns: 200 };
}

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (seconds: number) => (t += seconds * 1000) };
}

const stack = (name: string): SynthesizedStack => ({ name, workingDirectory: `/out/stacks/${name}`, dependencies: [] });
const NETWORK = stack("dev-network");
const CLUSTER = stack("dev-cluster");

/** Plans that take `seconds` of the clock each, with the given results. */
function steps(time: ReturnType<typeof clock>, results: Record<string, StackAudit>, prepareFails: string[] = []): StackAuditSteps {
  return {
    prepare: async (s) => {
      time.advance(1);
      return prepareFails.includes(s.name) ? { stack: s.name, status: "failed", changes: [], error: "init failed" } : undefined;
    },
    audit: async (s) => {
      time.advance(5);
      return results[s.name];
    },
  };
}

test("not on a terminal: one line per stack and phase, with the outcome and its time", async () => {
  const out = stream();
  const time = clock();
  const progress = new Progress({ stream: out, command: "audit", now: time.now });
  const drift: StackAudit = {
    stack: "dev-cluster",
    status: "drifted",
    changes: [
      { address: "aws_instance.a", change: "update", attributes: ["tags"], changedOutsideTerraform: true },
      { address: "aws_instance.b", change: "update", attributes: ["tags"], changedOutsideTerraform: true },
    ],
  };
  const audits = await auditStacks([NETWORK, CLUSTER], steps(time, { "dev-network": { stack: "dev-network", status: "clean", changes: [] }, "dev-cluster": drift }), 1, progress);
  expect(audits.map((a) => a.status)).toEqual(["clean", "drifted"]);
  expect(out.text().split("\n")).toEqual([
    "kubeplane audit [0s] dev-network: waiting",
    "kubeplane audit [0s] dev-cluster: waiting",
    "kubeplane audit [0s] dev-network: initializing",
    "kubeplane audit [1s] dev-network: waiting",
    "kubeplane audit [1s] dev-cluster: initializing",
    "kubeplane audit [2s] dev-cluster: waiting",
    "kubeplane audit [2s] dev-network: planning",
    "kubeplane audit [7s] dev-network: clean after 7s",
    "kubeplane audit [7s] dev-cluster: planning",
    "kubeplane audit [12s] dev-cluster: drifted (2 changes) after 12s",
    "",
  ]);
});

test("a stack that cannot be initialized is failed at once and not planned", async () => {
  const out = stream();
  const time = clock();
  const progress = new Progress({ stream: out, command: "audit", now: time.now });
  const planned: string[] = [];
  const s = steps(time, { "dev-network": { stack: "dev-network", status: "clean", changes: [] } }, ["dev-cluster"]);
  const audits = await auditStacks([NETWORK, CLUSTER], { ...s, audit: (x) => (planned.push(x.name), s.audit(x)) }, 4, progress);
  expect(planned).toEqual(["dev-network"]);
  expect(audits[1]).toMatchObject({ stack: "dev-cluster", status: "failed", error: "init failed" });
  expect(out.text()).toContain("kubeplane audit [2s] dev-cluster: failed after 2s\n");
  expect(out.text()).not.toContain("dev-cluster: planning");
});

test("on a terminal: one live line with every stack's phase and the time in it", async () => {
  const out = stream(true);
  const time = clock();
  const progress = new Progress({ stream: out, command: "audit", now: time.now, refreshMs: 0 });
  let seenWhilePlanning = "";
  const s = steps(time, { "dev-network": { stack: "dev-network", status: "clean", changes: [] }, "dev-cluster": { stack: "dev-cluster", status: "clean", changes: [] } });
  await auditStacks(
    [NETWORK, CLUSTER],
    {
      ...s,
      audit: async (x) => {
        time.advance(3);
        if (x.name === "dev-cluster") seenWhilePlanning = progress.liveText();
        return s.audit(x);
      },
    },
    1,
    progress,
  );
  expect(seenWhilePlanning).toBe("kubeplane audit 13s │ dev-network clean │ dev-cluster planning 3s");
  expect(out.text()).not.toContain("\n");
  expect(out.chunks.every((c) => c.startsWith(CLEAR_LINE))).toBe(true);
});

test("each cluster's orphan search shows as a phase and its outcome", async () => {
  const out = stream();
  const time = clock();
  const progress = new Progress({ stream: out, command: "audit", now: time.now });
  const definition = { name: "dev" } as ClusterDefinition;
  const search: OrphanSearch = {
    definitions: () => [definition],
    terraform: async () => ({ code: 0, stdout: JSON.stringify({ values: { root_module: { resources: [{ mode: "managed", values: { id: "vpc-1" } }] } } }), stderr: "" }),
    resourcesFor: () => ({
      location: "resources tagged kubeplane:cluster=dev",
      list: async () => (time.advance(2), [{ type: "aws_vpc", id: "vpc-1" }, { type: "aws_iam_role", id: "kubeplane-dev-left" }]),
      remove: async () => ({ removed: [], failed: [] }),
      manualRemoval: () => [],
      listKept: async () => [],
      markKept: async () => undefined,
      adoptionImportId: () => undefined,
    }),
  };
  const { found } = await auditOrphans([NETWORK, CLUSTER], search, {}, progress);
  expect(found[0].orphans).toEqual([{ type: "aws_iam_role", id: "kubeplane-dev-left" }]);
  expect(out.text()).toBe("kubeplane audit [0s] dev: looking for orphans\nkubeplane audit [2s] dev: 1 orphan(s) after 2s\n");
});
