/** Reading the AWS calls out of node scripts, and mapping CLI operations to IAM actions. */
import { callKey, callsInScripts, iamActionOf } from "../../support/iam/node-calls";

const backend = `# shellcheck shell=bash
ssm_aws() { aws --region "$KUBEPLANE_AWS_REGION" "$@"; }
# ssm_call ERROR_CODE AWS_ARGS...
ssm_call() {
  local missing=$1 err rc=0
  shift
  ssm_aws "$@" 2>"$err" || rc=$?
  log "aws $1 $2 failed"
}
backend_get() {
  ssm_call ParameterNotFound ssm get-parameter --name "$1" --with-decryption \\
    --query Parameter.Value --output text
}
backend_request_refresh() {
  found=$(ssm_call - ec2 describe-instances --output text \\
    --filters "Name=tag:x,Values=y") || return 1
  # aws ssm delete-parameter in a comment is no call
  printf 'aws ssm delete-parameter --name %s' "$1"
}
`;
const metadata = `cloud_aws() { aws --region "$NODE_REGION" "$@" --output text >/dev/null; }
cloud_tag_node() { cloud_aws ec2 create-tags --resources "$NODE_INSTANCE_ID" --tags "Key=$1,Value=$2"; }
`;
const topLevel = `#!/usr/bin/env bash
aws --region eu-west-1 --output json sts get-caller-identity
`;

describe("callsInScripts", () => {
  const calls = callsInScripts({ "backends/ssm.sh": backend, "metadata/aws.sh": metadata, "x.sh": topLevel });

  test("finds calls through aws and through functions that hand their arguments to it, in any file", () => {
    expect(calls.map((c) => `${c.file}:${c.line} ${callKey(c)}`)).toEqual([
      "backends/ssm.sh:11 backend_get: ssm get-parameter",
      "backends/ssm.sh:15 backend_request_refresh: ec2 describe-instances",
      "metadata/aws.sh:2 cloud_tag_node: ec2 create-tags",
      "x.sh:2 <top level>: sts get-caller-identity",
    ]);
  });

  test("reads a call's options across continuation lines", () => {
    expect(calls[0].options).toEqual({ "--name": "$1", "--with-decryption": "", "--query": "Parameter.Value", "--output": "text" });
    expect(calls[2].options["--tags"]).toBe("Key=$1,Value=$2");
  });
});

describe("iamActionOf", () => {
  test("maps CLI operations to IAM actions through AWS's data", async () => {
    await expect(iamActionOf({ service: "ssm", operation: "put-parameter" })).resolves.toBe("ssm:PutParameter");
    await expect(iamActionOf({ service: "autoscaling", operation: "set-instance-health" })).resolves.toBe("autoscaling:SetInstanceHealth");
    await expect(iamActionOf({ service: "s3api", operation: "get-object" })).resolves.toBe("s3:GetObject");
  });

  test("fails, naming the call, when an operation or service maps to nothing", async () => {
    await expect(iamActionOf({ service: "ssm", operation: "get-parameterz", file: "a.sh", line: 3, func: "f" })).rejects.toThrow(
      "aws ssm get-parameterz (a.sh:3, in f): maps to no IAM action of ssm in AWS's IAM data",
    );
    await expect(iamActionOf({ service: "nosuch", operation: "x" })).rejects.toThrow(/has no service "nosuch"/);
  });
});
