/** The API's private DNS name on AWS: a private hosted zone of the VPC and the `api.` record in it. */
import { Testing } from "cdktf";
import { AwsApiDnsName } from "../../../providers/aws/aws-api-dns-name";
import { AwsApiLoadBalancer } from "../../../providers/aws/aws-api-load-balancer";
import { all, TEST_NETWORK } from "../../support/aws-fixtures";
import { synthValidated } from "./validated-stack";

const dnsProps = { clusterName: "test", network: TEST_NETWORK, zoneSuffix: "kubeplane.internal" };
const lbProps = { clusterName: "test", network: TEST_NETWORK, port: 6443, firewallGroupIds: ["sg-lb"] };

describe("AwsApiDnsName", () => {
  test("a private zone <cluster>.<suffix> of the cluster's VPC; the name is known before anything is built", () => {
    let fqdn = "";
    const synth = synthValidated((scope) => {
      const name = new AwsApiDnsName(scope, "dns", dnsProps);
      fqdn = name.fqdn;
      name.pointAt({ address: "10.0.1.5" });
    });
    expect(fqdn).toBe("api.test.kubeplane.internal");
    const [zone, ...others] = all(synth, "aws_route53_zone");
    expect(others).toEqual([]);
    expect(zone).toMatchObject({ name: "test.kubeplane.internal", vpc: [{ vpc_id: "vpc-0123" }] });
  });

  test("a single control plane: an A record to the node's private address, short-lived so a replaced node is found again", () => {
    const synth = synthValidated((scope) => new AwsApiDnsName(scope, "dns", dnsProps).pointAt({ address: "${aws_instance.cp.private_ip}" }));
    const [record] = all(synth, "aws_route53_record");
    expect(record).toEqual({
      zone_id: expect.stringMatching(/^\$\{aws_route53_zone\.dns_zone_[A-Z0-9]+\.zone_id\}$/),
      name: "api.test.kubeplane.internal",
      type: "A",
      ttl: 60,
      records: ["${aws_instance.cp.private_ip}"],
    });
  });

  test("an HA control plane: an alias to the internal balancer", () => {
    const synth = synthValidated((scope) => {
      const lb = new AwsApiLoadBalancer(scope, "lb", lbProps);
      lb.addTarget("n", "i-0123");
      new AwsApiDnsName(scope, "dns", dnsProps).pointAt({ loadBalancer: lb });
    });
    const [record] = all(synth, "aws_route53_record");
    expect(record).toMatchObject({
      name: "api.test.kubeplane.internal",
      type: "A",
      alias: {
        name: expect.stringMatching(/^\$\{aws_lb\.lb_nlb_[A-Z0-9]+\.dns_name\}$/),
        zone_id: expect.stringMatching(/^\$\{aws_lb\.lb_nlb_[A-Z0-9]+\.zone_id\}$/),
        evaluate_target_health: false,
      },
    });
    expect(record).not.toHaveProperty("records");
  });

  test("refuses to point the nodes' name at an internet-facing balancer, and points once", () => {
    expect(() =>
      Testing.synthScope((scope) => {
        const lb = new AwsApiLoadBalancer(scope, "lb", { ...lbProps, public: true, allowedCidrs: ["203.0.113.0/24"] });
        new AwsApiDnsName(scope, "dns", dnsProps).pointAt({ loadBalancer: lb });
      }),
    ).toThrow(/AwsApiDnsName: pointAt loadBalancer must be internal/);
    expect(() =>
      Testing.synthScope((scope) => {
        const name = new AwsApiDnsName(scope, "dns", dnsProps);
        name.pointAt({ address: "10.0.1.5" });
        name.pointAt({ address: "10.0.1.6" });
      }),
    ).toThrow(/AwsApiDnsName: pointAt was already called/);
    expect(() =>
      Testing.synthScope((scope) => new AwsApiDnsName(scope, "dns", dnsProps).pointAt({ loadBalancer: { dnsName: "x", isPublic: false, addTarget: () => undefined } })),
    ).toThrow(/AwsApiDnsName: pointAt loadBalancer: must be an AWS API load balancer/);
  });

  test("a name that points nowhere fails the stack's validation at synthesis", () => {
    expect(() => synthValidated((scope) => new AwsApiDnsName(scope, "dns", dnsProps))).toThrow(/\[test\/dns\] AwsApiDnsName: pointAt was never called/);
  });

  test.each([
    ["an upper-case suffix", { zoneSuffix: "Kubeplane.internal" }, /AwsApiDnsName: zoneSuffix "Kubeplane\.internal" has the label "Kubeplane"/],
    ["a trailing dot", { zoneSuffix: "kubeplane.internal." }, /AwsApiDnsName: zoneSuffix "kubeplane\.internal\." has the label ""/],
    ["a name longer than DNS allows", { zoneSuffix: `${"a".repeat(60)}.`.repeat(4) + "internal" }, /AwsApiDnsName: zoneSuffix .* more than (DNS's )?253/],
    ["a cluster name with a dot", { clusterName: "a.b" }, /AwsApiDnsName: clusterName "a\.b" must be one DNS label/],
  ])("rejects %s, naming the prop", (_, overrides, message) => {
    expect(() => Testing.synthScope((scope) => new AwsApiDnsName(scope, "dns", { ...dnsProps, ...overrides }))).toThrow(message);
  });
});
