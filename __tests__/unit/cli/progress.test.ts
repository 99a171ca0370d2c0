/**
 * Progress of long operations (cli/progress.ts): a live line on a terminal, one line per stack
 * and phase change elsewhere, driven here by an injected stream and clock; and the reading of
 * cdktf's streamed output that feeds it.
 */
import { readFileSync } from "fs";
import * as path from "path";
import { CDKTF_STEP_NAMES, CdktfProgressTap, CLEAR_LINE, Progress, terraformStep } from "../../../cli/progress";

/** A stream that records what is written; a TTY of `columns` when given. */
function stream(tty?: { columns: number }) {
  const chunks: string[] = [];
  return { chunks, text: () => chunks.join(""), write: (s: string) => chunks.push(s), isTTY: tty !== undefined, columns: tty?.columns };
}

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (seconds: number) => (t += seconds * 1000) };
}

/** What a terminal shows after the writes: \r\x1b[2K erases the line being written. */
function screen(text: string): string[] {
  const lines: string[] = [];
  let current = "";
  for (const part of text.split(/(\r\x1b\[2K|\n)/)) {
    if (part === CLEAR_LINE) current = "";
    else if (part === "\n") (lines.push(current), (current = ""));
    else current += part;
  }
  return [...lines, current];
}

// Real terraform 1.11.4 output (`terraform init`, `apply -auto-approve`, `plan`, `destroy
// -auto-approve`, all -no-color, of one terraform_data resource; captured on this machine), and a
// plan that fails (file() of a missing file).
const FIXTURES = path.join(__dirname, "fixtures");
const TERRAFORM_RUN = readFileSync(path.join(FIXTURES, "terraform-1.11.4-init-apply-plan-destroy.txt"), "utf8");
const TERRAFORM_ERROR = readFileSync(path.join(FIXTURES, "terraform-1.11.4-plan-error.txt"), "utf8");

/** As cdktf prints a stack's Terraform output: the stack's name, two spaces, the line (stream-view.tsx). */
const asCdktf = (stack: string, text: string) =>
  text
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => `${stack}  ${l.trim()}\n`)
    .join("");

describe("Progress, not on a terminal", () => {
  test("one line per stack and phase change, with the seconds since the command started", () => {
    const out = stream();
    const time = clock();
    const progress = new Progress({ stream: out, command: "deploy", now: time.now });
    expect(progress.live).toBe(false);
    time.advance(2);
    progress.phase("dev-network", "planning");
    time.advance(3);
    progress.phase("dev-network", "planning"); // no change: no line
    progress.phase("dev-cluster", "waiting");
    time.advance(10);
    progress.phase("dev-network", "applying");
    time.advance(5.9);
    progress.finish("dev-network", "deployed");
    progress.stop("done");
    expect(out.text()).toBe(
      [
        "kubeplane deploy [2s] dev-network: planning",
        "kubeplane deploy [5s] dev-cluster: waiting",
        "kubeplane deploy [15s] dev-network: applying",
        "kubeplane deploy [20s] dev-network: deployed after 18s",
        "kubeplane deploy [20s] done",
        "",
      ].join("\n"),
    );
    expect(out.text()).not.toContain("\x1b");
  });

  test("writes nothing until a stack starts, and nothing after stop", () => {
    const out = stream();
    const progress = new Progress({ stream: out, command: "audit", now: clock().now });
    progress.tick();
    progress.stop();
    progress.phase("dev-network", "planning");
    expect(out.chunks).toEqual([]);
  });

  test("names the construct when the command is missing", () => {
    expect(() => new Progress({ stream: stream(), command: "" })).toThrow("Progress: `command` must name the command");
  });
});

describe("Progress, on a terminal", () => {
  test("one live line, redrawn in place with the elapsed time of the command and of each phase", () => {
    const out = stream({ columns: 200 });
    const time = clock();
    const progress = new Progress({ stream: out, command: "deploy", now: time.now, refreshMs: 0 });
    expect(progress.live).toBe(true);
    progress.phase("dev-network", "planning");
    progress.phase("dev-cluster", "waiting");
    time.advance(7);
    progress.tick();
    expect(out.chunks.every((c) => c.startsWith(CLEAR_LINE) && !c.includes("\n"))).toBe(true);
    expect(screen(out.text())).toEqual(["kubeplane deploy 7s │ dev-network planning 7s │ dev-cluster waiting"]);
    time.advance(5);
    progress.phase("dev-network", "applying");
    time.advance(2);
    progress.tick();
    expect(screen(out.text())).toEqual(["kubeplane deploy 14s │ dev-network applying 2s │ dev-cluster waiting"]);
  });

  test("the command's own lines go above the live line, which stop() erases", () => {
    const out = stream({ columns: 200 });
    const time = clock();
    const progress = new Progress({ stream: out, command: "audit", now: time.now, refreshMs: 0 });
    progress.phase("all stacks", "synthesizing and planning");
    time.advance(3);
    progress.line("audit: planning dev-network, dev-cluster");
    expect(screen(out.text())).toEqual(["audit: planning dev-network, dev-cluster", "kubeplane audit 3s │ all stacks synthesizing and planning 3s"]);
    time.advance(40);
    progress.stop("clean (exit 0)");
    expect(screen(out.text())).toEqual(["audit: planning dev-network, dev-cluster", "kubeplane audit [43s] clean (exit 0)", ""]);
  });

  test("writes others make to a stream go above the live line while interleaved", () => {
    const out = stream({ columns: 200 });
    const other = { written: [] as string[], write(s: string) { this.written.push(s); out.write(s); return true; } };
    const progress = new Progress({ stream: out, command: "audit", now: clock().now, refreshMs: 0 });
    progress.phase("all stacks", "planning");
    const restore = progress.interleave(other as unknown as { write: (...args: never[]) => boolean });
    other.write("STACK  ADDRESS\n");
    expect(screen(out.text())).toEqual(["STACK  ADDRESS", "kubeplane audit 0s │ all stacks planning 0s"]);
    restore();
    other.write("after\n");
    expect(screen(out.text()).slice(-2)).toEqual(["kubeplane audit 0s │ all stacks planning 0safter", ""]);
  });

  test("the live line is cut to the terminal's width", () => {
    const out = stream({ columns: 30 });
    const progress = new Progress({ stream: out, command: "deploy", now: clock().now, refreshMs: 0 });
    progress.phase("a-very-long-stack-name-network", "planning");
    expect(progress.liveText()).toHaveLength(29);
    expect(progress.liveText()).toBe("kubeplane deploy 0s │ a-very…");
  });

  test("redraws every second by itself, and stops doing so", () => {
    jest.useFakeTimers();
    try {
      const out = stream({ columns: 200 });
      const time = clock();
      const progress = new Progress({ stream: out, command: "destroy", now: time.now });
      progress.phase("dev-cluster", "destroying");
      time.advance(3);
      jest.advanceTimersByTime(1000);
      expect(screen(out.text())).toEqual(["kubeplane destroy 3s │ dev-cluster destroying 3s"]);
      progress.stop();
      const written = out.chunks.length;
      jest.advanceTimersByTime(5000);
      expect(out.chunks.length).toBe(written);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe("terraformStep", () => {
  test("reads the steps of a real terraform run from its own sentences", () => {
    const steps = TERRAFORM_RUN.split("\n").map(terraformStep).filter((s) => s !== undefined);
    expect(steps).toEqual([
      "init", // Initializing the backend...
      "init", // Initializing provider plugins...
      "planned", // Plan: 1 to add, 0 to change, 0 to destroy.
      "apply", // terraform_data.a: Creating...
      "applied", // Apply complete! Resources: 1 added, 0 changed, 0 destroyed.
      "plan", // terraform_data.a: Refreshing state... (plan)
      "no changes", // No changes. Your infrastructure matches the configuration.
      "plan", // terraform_data.a: Refreshing state... (destroy)
      "planned", // Plan: 0 to add, 0 to change, 1 to destroy.
      "apply", // terraform_data.a: Destroying...
      "destroyed", // Destroy complete! Resources: 1 destroyed.
    ]);
  });

  test("an error, plain or in the box terraform draws on a terminal", () => {
    expect(TERRAFORM_ERROR.split("\n").map(terraformStep).filter(Boolean)).toEqual(["error"]);
    expect(terraformStep("│ Error: no matching EC2 VPC found")).toBe("error");
  });
});

describe("CdktfProgressTap", () => {
  test("follows each stack of a deploy through cdktf's streamed output, across chunk boundaries and colours", () => {
    const out = stream();
    const time = clock();
    const progress = new Progress({ stream: out, command: "deploy", now: time.now });
    const tap = new CdktfProgressTap(progress, CDKTF_STEP_NAMES.deploy);
    const [init, rest] = TERRAFORM_RUN.split("Terraform used the selected providers");
    const apply = rest.slice(0, rest.indexOf("Apply complete!") + "Apply complete! Resources: 1 added, 0 changed, 0 destroyed.".length);
    // cdktf colours the stack's name (StreamPrefix: bold, a colour per stack).
    const coloured = asCdktf("dev-network", init).replace(/^dev-network/gm, "\x1b[1m\x1b[33mdev-network\x1b[39m\x1b[22m");
    const output = coloured + asCdktf("dev-cluster", init) + asCdktf("dev-network", `Terraform used the selected providers${apply}`);
    const middle = Math.floor(output.length / 2);
    tap.feed(Buffer.from(output.slice(0, middle)));
    time.advance(4);
    tap.feed(Buffer.from(output.slice(middle)));
    tap.end();
    expect(out.text().split("\n").filter(Boolean)).toEqual([
      "kubeplane deploy [0s] dev-network: initializing",
      "kubeplane deploy [0s] dev-cluster: initializing",
      "kubeplane deploy [4s] dev-network: planned",
      "kubeplane deploy [4s] dev-network: applying",
      "kubeplane deploy [4s] dev-network: deployed after 4s",
    ]);
  });

  test("a stack that fails is done: what follows its error does not move it on", () => {
    const out = stream();
    const progress = new Progress({ stream: out, command: "diff", now: clock().now });
    const tap = new CdktfProgressTap(progress, CDKTF_STEP_NAMES.diff, new Set(["planned", "no changes", "error"]));
    tap.feed(asCdktf("prod-network", "Initializing the backend...\n" + TERRAFORM_ERROR + "\naws_vpc.network: Refreshing state... [id=vpc-1]\n"));
    tap.end();
    expect(out.text()).toBe("kubeplane diff [0s] prod-network: initializing\nkubeplane diff [0s] prod-network: failed after 0s\n");
  });

  test("real cdktf output: a log entry's further lines carry no prefix, only indentation", () => {
    // `kubeplane diff dev-network` against the AWS emulator with CI=1 (cdktf-cli 0.21.0,
    // terraform 1.11.4), stdout as cdktf wrote it: "Plan: 23 to add" is an indented line of the
    // entry that began "dev-network  ..." (cdktf indents a multi-line entry under its prefix).
    const real = readFileSync(path.join(FIXTURES, "cdktf-0.21-diff-dev-network-ci.txt"), "utf8");
    const out = stream();
    const progress = new Progress({ stream: out, command: "diff", now: clock().now });
    const tap = new CdktfProgressTap(progress, CDKTF_STEP_NAMES.diff, new Set(["planned", "no changes", "error"]));
    tap.feed(real);
    tap.end();
    expect(out.text().split("\n").filter(Boolean)).toEqual([
      "kubeplane diff [0s] dev-network: initializing",
      "kubeplane diff [0s] dev-network: planning",
      "kubeplane diff [0s] dev-network: planned after 0s",
    ]);
  });

  test("lines that are not a stack's Terraform output are ignored", () => {
    const out = stream();
    const tap = new CdktfProgressTap(new Progress({ stream: out, command: "deploy" }), CDKTF_STEP_NAMES.deploy);
    tap.feed("⠦  Synthesizing\nInitializing the backend...\nInvoking Terraform CLI failed with exit code 1\n");
    tap.end();
    expect(out.chunks).toEqual([]);
  });
});
