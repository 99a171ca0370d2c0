/**
 * What Ctrl-C, SIGTERM and SIGHUP do while cdktf runs Terraform (cli/interruption.ts): the
 * steps finish-what-started, interrupt-now and end-hard, and one Ctrl-C that npm forwards
 * counting once. The processes these decisions are applied to: __tests__/emulator/faults.test.ts.
 */
import { Interruption } from "../../../cli/interruption";

function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

const APPLY = [{ stack: "dev-network", subcommand: "apply" }];
const PLAN = [{ stack: "dev-network", subcommand: "plan" }];

describe("Interruption", () => {
  test("Ctrl-C during an apply: finish it; again: interrupt now; a third time: end hard", () => {
    const time = clock();
    const i = new Interruption({ command: "deploy", now: time.now });
    const first = i.signal("SIGINT", APPLY);
    expect(first).toMatchObject({ step: "finishing", changed: true });
    expect(first.lines[0]).toBe(
      "kubeplane deploy: Ctrl-C: letting Terraform finish the changes it has started and save its state (dev-network: terraform apply); no further stack starts.",
    );
    expect(first.lines[1]).toContain("Ctrl-C again to interrupt Terraform now (what it was creating may be left untracked: kubeplane audit lists it, kubeplane destroy --orphans removes it)");
    time.advance(5000);
    const second = i.signal("SIGINT", APPLY);
    expect(second).toMatchObject({ step: "stopping", changed: true });
    expect(second.endAfterMs).toBeUndefined();
    expect(second.lines[0]).toMatch(/^kubeplane deploy: Ctrl-C: interrupting Terraform now \(dev-network: terraform apply\): it stops gracefully, saving its state and releasing its lock/);
    time.advance(5000);
    const third = i.signal("SIGINT", APPLY);
    expect(third).toMatchObject({ step: "ending", changed: true });
    expect(third.lines[0]).toContain("its state lock may stay held (kubeplane unlock <stack>)");
    time.advance(5000);
    expect(i.signal("SIGINT", APPLY)).toMatchObject({ step: "ending", changed: false, lines: [] });
    expect(i.exitCode()).toBe(130);
  });

  test("one Ctrl-C that arrives twice (the terminal's and npm's forwarded copy) counts once", () => {
    const time = clock();
    const i = new Interruption({ command: "deploy", now: time.now });
    expect(i.signal("SIGINT", APPLY).step).toBe("finishing");
    time.advance(40);
    expect(i.signal("SIGINT", APPLY)).toEqual({ step: "finishing", changed: false, lines: [] });
    time.advance(1000);
    expect(i.signal("SIGINT", APPLY).step).toBe("stopping");
  });

  test("Ctrl-C when nothing is being changed (a plan, synthesis) interrupts at once", () => {
    expect(new Interruption({ command: "diff" }).signal("SIGINT", PLAN)).toMatchObject({
      step: "stopping",
      lines: ["kubeplane diff: Ctrl-C: interrupting Terraform (dev-network: terraform plan: nothing is being changed); waiting for it to stop."],
    });
    expect(new Interruption({ command: "deploy" }).signal("SIGINT", []).lines).toEqual(["kubeplane deploy: Ctrl-C: stopping (no Terraform run is changing anything)."]);
  });

  test("SIGTERM (a CI runner cancelling) interrupts Terraform now with a grace period, then ends it hard", () => {
    const time = clock();
    const i = new Interruption({ command: "destroy", now: time.now, graceMs: 15_000 });
    const term = i.signal("SIGTERM", [{ stack: "dev-cluster", subcommand: "destroy" }]);
    expect(term).toMatchObject({ step: "stopping", endAfterMs: 15_000 });
    expect(term.lines[0]).toMatch(/^kubeplane destroy: SIGTERM: interrupting Terraform now \(dev-cluster: terraform destroy\)/);
    expect(i.exitCode()).toBe(143);
    const expired = i.graceExpired([{ stack: "dev-cluster", subcommand: "destroy" }]);
    expect(expired).toMatchObject({ step: "ending", changed: true });
    expect(expired.lines[0]).toBe(
      "kubeplane destroy: Terraform did not stop within 15 s (dev-cluster: terraform destroy): ending it at once; its state lock may stay held (kubeplane unlock <stack>).",
    );
    expect(i.graceExpired([]).changed).toBe(false);
  });

  test("SIGINT after SIGTERM moves on: the first signal keeps deciding the exit code", () => {
    const time = clock();
    const i = new Interruption({ command: "deploy", now: time.now });
    i.signal("SIGTERM", APPLY);
    time.advance(10);
    expect(i.signal("SIGINT", APPLY).step).toBe("ending");
    expect(i.exitCode()).toBe(143);
  });

  test("bad options are named", () => {
    expect(() => new Interruption({ command: "" })).toThrow("Interruption: `command` must name the command");
    expect(() => new Interruption({ command: "deploy", graceMs: -1 })).toThrow("Interruption: graceMs must be a number of ms >= 0, got -1");
  });
});
