/**
 * bootstrap/node/mint-kubeconfig.sh, run as the mint document runs it on a control-plane node, with
 * stubs for kubeadm (`kubeconfig user`, signing with a real CA through openssl), kubectl (the
 * kubeadm-config ConfigMap) and the aws CLI (Parameter Store as files), and the real openssl: the
 * envelope it hands back opens with cli/access/handback.ts to the kubeconfig kubeadm printed, and
 * nothing of the credential is in its output.
 */
import { X509Certificate } from "crypto";
import { parse } from "yaml";
import { newRecipient } from "../../../cli/access/handback";
import { API_ENDPOINT as ENDPOINT, MintNode, mintNode as node, parametersOf as written, runMint } from "../../support/access/mint-node";

const HANDBACK = "0123456789abcdef0123456789abcdef";
const mint = (n: MintNode, argv: string[], env: Record<string, string> = {}) => runMint(n, argv, env);

function args(recipient: string, overrides: Record<string, string> = {}): string[] {
  const values = { "--client-name": "alice", "--org": "kubeadm:cluster-admins", "--validity-seconds": "3600", "--handback": HANDBACK, "--recipient": recipient, ...overrides };
  return Object.entries(values).flat();
}

describe("a control-plane node mints a kubeconfig", () => {
  const n = node();
  const recipient = newRecipient();
  const started = Date.now();
  const run = mint(n, args(recipient.publicKeyBase64), { KUBEPLANE_HANDBACK_PART_CHARS: "3000" });
  const parameters = written(n);
  const name = `/kubeplane/dev/access/${HANDBACK}`;

  test("it succeeds and hands back parts and their count, the count last", () => {
    expect(run.stderr).toContain(`handed back encrypted to the caller in ${name}`);
    expect(run.status).toBe(0);
    const parts = Number(parameters[`${name}/parts`]);
    expect(parts).toBeGreaterThan(1);
    expect(Object.keys(parameters).sort()).toEqual([...Array.from({ length: parts }, (_, i) => `${name}/${i + 1}`), `${name}/parts`].sort());
    for (let i = 1; i <= parts; i++) expect(parameters[`${name}/${i}`].length).toBeLessThanOrEqual(3000);
  });

  test("the envelope opens, with the caller's key only, to kubeadm's kubeconfig for the API's name", () => {
    const envelope = Array.from({ length: Number(parameters[`${name}/parts`]) }, (_, i) => parameters[`${name}/${i + 1}`]).join("");
    const kubeconfig = parse(recipient.open(envelope));
    expect(kubeconfig.clusters[0].cluster.server).toBe(`https://${ENDPOINT}`);
    expect(kubeconfig.users[0].name).toBe("alice");
    const cert = new X509Certificate(Buffer.from(kubeconfig.users[0].user["client-certificate-data"], "base64"));
    expect(cert.subject).toContain("CN=alice");
    expect(cert.subject).toContain("O=kubeadm:cluster-admins");
    const notAfter = Date.parse(cert.validTo);
    expect(notAfter).toBeGreaterThan(started + 3600_000 - 120_000);
    expect(notAfter).toBeLessThanOrEqual(Date.now() + 3600_000 + 1000);
    expect(() => newRecipient().open(envelope)).toThrow(/not encrypted to this request's key/);
  });

  test("an altered envelope is refused", () => {
    const envelope = Array.from({ length: Number(parameters[`${name}/parts`]) }, (_, i) => parameters[`${name}/${i + 1}`]).join("");
    const fields = envelope.split(".");
    const ciphertext = Buffer.from(fields[3], "base64");
    ciphertext[0] ^= 1;
    fields[3] = ciphertext.toString("base64");
    expect(() => recipient.open(fields.join("."))).toThrow(/MAC does not match/);
  });

  test("neither its output nor its log carries the key or the certificate", () => {
    const opened = parse(recipient.open(Array.from({ length: Number(parameters[`${name}/parts`]) }, (_, i) => parameters[`${name}/${i + 1}`]).join("")));
    const key = opened.users[0].user["client-key-data"] as string;
    expect(run.stdout).toBe("");
    expect(run.stderr).not.toContain(key.slice(0, 40));
    expect(run.stderr).not.toContain("BEGIN");
  });
});

describe("it refuses, hands back no credential, and leaves the caller the reason", () => {
  const recipient = newRecipient().publicKeyBase64;
  const error = `/kubeplane/dev/access/${HANDBACK}/error`;
  test.each([
    ["a worker", () => node("worker"), args(recipient), /this is a worker node; kubeconfigs are minted on control-plane nodes/],
    ["a control-plane node not yet initialised", () => node("control-plane-join", false), args(recipient), /not initialised/],
    ["a user name with a quote", () => node(), args(recipient, { "--client-name": "alice'; rm -rf /" }), /is not a user name/],
    ["a validity over 24 hours", () => node(), args(recipient, { "--validity-seconds": "86401" }), /is not 1 to 86400/],
    ["a recipient that is no public key", () => node(), args(Buffer.from("hello").toString("base64")), /is not a PEM public key/],
  ])("%s", (_what, make, argv, message) => {
    const n = make();
    const run = mint(n, argv);
    expect(run.stderr).toMatch(message);
    expect(run.status).not.toBe(0);
    expect(Object.keys(written(n))).toEqual([error]);
    expect(written(n)[error]).toMatch(message);
  });

  test("a hand-back name that is no random id: nothing is written at all", () => {
    const n = node();
    const run = mint(n, args(recipient, { "--handback": "../join/worker" }));
    expect(run.stderr).toMatch(/is not 32 hexadecimal digits/);
    expect(run.status).not.toBe(0);
    expect(written(n)).toEqual({});
  });

  test("kubeadm failing: its error is logged and handed back, the run fails", () => {
    const n = node();
    const run = mint(n, args(recipient), { SIM_KUBEADM_FAIL: "1" });
    expect(run.stderr).toMatch(/kubeadm kubeconfig user failed/);
    expect(run.stderr).toMatch(/the CA files couldn't be loaded/);
    expect(run.status).not.toBe(0);
    expect(written(n)[error]).toMatch(/^kubeadm kubeconfig user failed: error: couldn't create a kubeconfig; the CA files couldn't be loaded/);
    expect(Object.keys(written(n))).toEqual([error]);
  });

  test("the parameter store refusing a part: the run fails and writes no count", () => {
    const n = node();
    const run = mint(n, args(recipient), { SIM_AWS_FAIL_AFTER: "1" });
    expect(run.stderr).toMatch(/could not hand back part 2/);
    expect(run.status).not.toBe(0);
    expect(Object.keys(written(n))).toEqual([`/kubeplane/dev/access/${HANDBACK}/1`]);
  });
});
