/**
 * The GCP fake (__tests__/support/gcp-fake) refuses what the real APIs refuse, so that the node
 * scripts tested against it cannot lean on a leniency Google does not have: the metadata server
 * without `Metadata-Flavor: Google`, APIs without a token, secret ids outside [A-Za-z0-9_-]{1,255},
 * a second create of a secret, a missing secret or version, a stale etag, bytes that are not base64.
 */
import { GcpFake } from "../../support/gcp-fake/gcp-fake";

let fake: GcpFake;
const SM = "/secretmanager/v1/projects/kubeplane-sim/secrets";

beforeAll(async () => {
  fake = await GcpFake.start();
  await fake.addVm("vm-a");
});
afterAll(() => fake.stop());

const errorOf = (json: unknown) => (json as { error: { code: number; status?: string; message: string } }).error;

describe("metadata server", () => {
  it("answers with Metadata-Flavor: Google, and refuses a request without it (403)", async () => {
    const vm = await fake.vm("vm-a");
    const ok = await fake.api("GET", "/vm/vm-a/computeMetadata/v1/instance/id", undefined, { "Metadata-Flavor": "Google" }, null);
    expect(ok).toMatchObject({ status: 200, text: vm.id });
    const refused = await fake.api("GET", "/vm/vm-a/computeMetadata/v1/instance/id", undefined, {}, null);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain("Missing Metadata-Flavor:Google header");
  });

  it("refuses a request that went through a proxy (X-Forwarded-For)", async () => {
    const refused = await fake.api("GET", "/vm/vm-a/computeMetadata/v1/instance/id", undefined, { "Metadata-Flavor": "Google", "X-Forwarded-For": "10.0.0.1" }, null);
    expect(refused.status).toBe(403);
  });

  it("answers 404 for a key that does not exist", async () => {
    const missing = await fake.api("GET", "/vm/vm-a/computeMetadata/v1/instance/attributes/created-by", undefined, { "Metadata-Flavor": "Google" }, null);
    expect(missing.status).toBe(404);
  });
});

describe("Secret Manager", () => {
  it("refuses a call without a token, or with a token it did not issue (401 UNAUTHENTICATED)", async () => {
    for (const token of [null, "ya29.made-up"]) {
      const answer = await fake.api("GET", `${SM}/anything`, undefined, {}, token);
      expect(answer.status).toBe(401);
      expect(errorOf(answer.json)).toMatchObject({ code: 401, status: "UNAUTHENTICATED" });
    }
  });

  it("refuses a secret id outside [A-Za-z0-9_-]{1,255} (400 INVALID_ARGUMENT)", async () => {
    for (const id of ["kubeplane/dev/join", "a.b", "x".repeat(256), ""]) {
      const answer = await fake.api("POST", `${SM}?secretId=${encodeURIComponent(id)}`, { replication: { automatic: {} } });
      expect(answer.status).toBe(400);
      expect(errorOf(answer.json).status).toBe("INVALID_ARGUMENT");
    }
  });

  it("refuses a secret without replication (400 INVALID_ARGUMENT)", async () => {
    const answer = await fake.api("POST", `${SM}?secretId=no-replication`, { labels: {} });
    expect(errorOf(answer.json)).toMatchObject({ code: 400, status: "INVALID_ARGUMENT" });
  });

  it("creates once: the second create of an id is 409 ALREADY_EXISTS", async () => {
    const first = await fake.api("POST", `${SM}?secretId=once`, { replication: { automatic: {} }, labels: { "kubeplane-cluster": "dev" } });
    expect(first.status).toBe(200);
    expect(first.json).toMatchObject({ name: "projects/480154712953/secrets/once", labels: { "kubeplane-cluster": "dev" } });
    const second = await fake.api("POST", `${SM}?secretId=once`, { replication: { automatic: {} } });
    expect(second.status).toBe(409);
    expect(errorOf(second.json).status).toBe("ALREADY_EXISTS");
  });

  it("answers NOT_FOUND (404) for a missing secret, and for `latest` of a secret without a version", async () => {
    const missing = await fake.api("GET", `${SM}/never-made/versions/latest:access`);
    expect(errorOf(missing.json)).toMatchObject({ code: 404, status: "NOT_FOUND" });
    await fake.api("POST", `${SM}?secretId=empty`, { replication: { automatic: {} } });
    const empty = await fake.api("GET", `${SM}/empty/versions/latest:access`);
    expect(errorOf(empty.json)).toMatchObject({ code: 404, status: "NOT_FOUND" });
  });

  it("takes payloads as base64, refuses anything else, and gives them back with their CRC32C", async () => {
    await fake.api("POST", `${SM}?secretId=payload`, { replication: { automatic: {} } });
    const bad = await fake.api("POST", `${SM}/payload:addVersion`, { payload: { data: "not base64!" } });
    expect(errorOf(bad.json)).toMatchObject({ code: 400, status: "INVALID_ARGUMENT" });
    await fake.api("POST", `${SM}/payload:addVersion`, { payload: { data: Buffer.from("123456789").toString("base64") } });
    const read = await fake.api("GET", `${SM}/payload/versions/latest:access`);
    // CRC32C("123456789") is 0xE3069283 (RFC 3720, B.4's check value).
    expect(read.json).toMatchObject({ name: "projects/480154712953/secrets/payload/versions/1", payload: { data: Buffer.from("123456789").toString("base64"), dataCrc32c: String(0xe3069283) } });
  });

  it("refuses to access a destroyed version, or to destroy it again (400 FAILED_PRECONDITION)", async () => {
    await fake.api("POST", `${SM}?secretId=destroyed`, { replication: { automatic: {} } });
    await fake.api("POST", `${SM}/destroyed:addVersion`, { payload: { data: "YQ==" } });
    expect((await fake.api("POST", `${SM}/destroyed/versions/1:destroy`, {})).json).toMatchObject({ state: "DESTROYED" });
    expect(errorOf((await fake.api("GET", `${SM}/destroyed/versions/latest:access`)).json).status).toBe("FAILED_PRECONDITION");
    expect(errorOf((await fake.api("POST", `${SM}/destroyed/versions/1:destroy`, {})).json).status).toBe("FAILED_PRECONDITION");
  });

  it("deletes on a matching etag only: a stale one is 400 FAILED_PRECONDITION and the secret stays", async () => {
    const created = (await fake.api("POST", `${SM}?secretId=etagged`, { replication: { automatic: {} }, annotations: { "kubeplane-value": "a" } })).json as { etag: string };
    const patched = await fake.api("PATCH", `${SM}/etagged?updateMask=annotations`, { annotations: { "kubeplane-value": "b" } });
    expect((patched.json as { etag: string }).etag).not.toBe(created.etag);
    const stale = await fake.api("DELETE", `${SM}/etagged?etag=${encodeURIComponent(created.etag)}`);
    expect(errorOf(stale.json)).toMatchObject({ code: 400, status: "FAILED_PRECONDITION" });
    expect((await fake.api("GET", `${SM}/etagged`)).status).toBe(200);
    const current = await fake.api("DELETE", `${SM}/etagged?etag=${encodeURIComponent((patched.json as { etag: string }).etag)}`);
    expect(current).toMatchObject({ status: 200, json: {} });
    expect(errorOf((await fake.api("DELETE", `${SM}/etagged`)).json).status).toBe("NOT_FOUND");
  });

  it("refuses a patch without updateMask, and label values GCP does not allow", async () => {
    await fake.api("POST", `${SM}?secretId=masked`, { replication: { automatic: {} } });
    expect(errorOf((await fake.api("PATCH", `${SM}/masked`, { annotations: {} })).json).status).toBe("INVALID_ARGUMENT");
    const label = await fake.api("POST", `${SM}?secretId=labelled`, { replication: { automatic: {} }, labels: { "kubeplane:cluster": "dev" } });
    expect(errorOf(label.json).status).toBe("INVALID_ARGUMENT");
  });

  it("answers PERMISSION_DENIED (403) for a project the caller cannot use", async () => {
    const answer = await fake.api("GET", "/secretmanager/v1/projects/someone-else/secrets/x/versions/latest:access");
    expect(errorOf(answer.json)).toMatchObject({ code: 403, status: "PERMISSION_DENIED" });
  });
});

describe("Cloud Storage", () => {
  it("serves an object's generations with alt=media, 404 for a missing one, 401 without a token", async () => {
    await fake.putObject("bundles", "dev/worker.tar.gz", Buffer.from("one"));
    await fake.putObject("bundles", "dev/worker.tar.gz", Buffer.from("two"));
    const object = "/storage/v1/b/bundles/o/dev%2Fworker.tar.gz";
    expect((await fake.api("GET", `${object}?alt=media`)).text).toBe("two");
    expect((await fake.api("GET", `${object}?alt=media&generation=1`)).text).toBe("one");
    const missing = await fake.api("GET", "/storage/v1/b/bundles/o/nothing?alt=media");
    expect(missing.status).toBe(404);
    expect(errorOf(missing.json).message).toBe("No such object: bundles/nothing");
    expect((await fake.api("GET", `${object}?alt=media`, undefined, {}, null)).status).toBe(401);
  });
});
