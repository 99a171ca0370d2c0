/** The supported-versions table: well-formed, and the default is one of its rows' newest patch. */
import { DEFAULTS } from "../../../definition";
import { kubernetesSupportFor, minorOf, SUPPORTED_KUBERNETES, supportedKubernetesRange } from "../../../definition/kubernetes-versions";

const minorNumber = (minor: string) => Number(minor.split(".")[1]);

describe("the supported Kubernetes table", () => {
  test("lists consecutive minors, oldest first, each once", () => {
    const minors = SUPPORTED_KUBERNETES.map((row) => minorNumber(row.minor));
    minors.slice(1).forEach((m, i) => expect(m).toBe(minors[i] + 1));
  });

  test("each row's newest patch belongs to its minor and its end of life is a date after its predecessor's", () => {
    SUPPORTED_KUBERNETES.forEach((row, i) => {
      expect(minorOf(row.latestPatch)).toBe(row.minor);
      expect(row.endOfLife).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(Number.isNaN(Date.parse(row.endOfLife))).toBe(false);
      if (i > 0) expect(row.endOfLife > SUPPORTED_KUBERNETES[i - 1].endOfLife).toBe(true);
      expect(row.calicoVersion).toMatch(/^v3\.\d+\.\d+$/);
      expect(row.containerdAptVersion).toMatch(/^\d+(\.\d+)*\.\*$/);
      expect(row.etcdMinor).toMatch(/^3\.\d+$/);
    });
  });

  test("the default version is the newest patch of a supported minor", () => {
    const row = kubernetesSupportFor(DEFAULTS.kubernetes.version);
    expect(row).toBeDefined();
    expect(DEFAULTS.kubernetes.version).toBe(row?.latestPatch);
  });

  test("looks a version up by its minor only", () => {
    const [oldest] = SUPPORTED_KUBERNETES;
    expect(kubernetesSupportFor(`${oldest.minor}.0`)).toBe(oldest);
    expect(kubernetesSupportFor(`${oldest.minor}.123`)).toBe(oldest);
    expect(kubernetesSupportFor(`1.${minorNumber(oldest.minor) - 1}.9`)).toBeUndefined();
    expect(kubernetesSupportFor("1.36")).toBeUndefined();
    expect(minorOf("01.036.2")).toBe("1.36");
    expect(supportedKubernetesRange()).toBe(`${oldest.minor} to ${SUPPORTED_KUBERNETES[SUPPORTED_KUBERNETES.length - 1].minor}`);
  });
});
