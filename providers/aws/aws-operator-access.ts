/**
 * Operator access on AWS: the SSM Run Command document that mints a kubeconfig on a control-plane
 * node (bootstrap/node/mint-kubeconfig.sh), and the operator's least-privilege managed policy for
 * `kubeplane kubeconfig`, `tunnel` and `validate` (made, never attached: whoever runs the
 * commands attaches it to their role, group or user). The node roles get nothing new: the mint
 * command writes its hand-back under the cluster's parameter path, which the control plane may
 * already write. Nothing secret is made here, so nothing secret reaches Terraform state.
 */
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { DataAwsRegion } from "@cdktf/provider-aws/lib/data-aws-region";
import { IamPolicy } from "@cdktf/provider-aws/lib/iam-policy";
import { SsmDocument } from "@cdktf/provider-aws/lib/ssm-document";
import { Construct } from "constructs";
import type { OperatorAccess, OperatorAccessProps } from "../operator-access";
import { asAwsIdentity } from "./aws-identity";
import { CLUSTER_TAG, ROLE_TAG } from "./tags";

/** The Session Manager document for port forwarding to a remote host (AWS-owned, in every region). */
export const PORT_FORWARDING_DOCUMENT = "AWS-StartPortForwardingSessionToRemoteHost";

/** The mint document's name for a cluster. */
export function mintDocumentName(clusterName: string): string {
  return `kubeplane-${clusterName}-mint-kubeconfig`;
}

/** The operator policy's name for a cluster. */
export function operatorPolicyName(clusterName: string): string {
  return `kubeplane-${clusterName}-operator`;
}

/**
 * The document's parameters, each held to a pattern SSM checks before the command runs (its
 * values are placed in the shell command line, so none may carry a quote, a space or a `$`).
 * The script checks them again.
 */
export const MINT_PARAMETERS = {
  clientName: { description: "the user: the certificate's CN", allowedPattern: "^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$" },
  group: { description: "the group: the certificate's O", allowedPattern: "^[A-Za-z0-9][A-Za-z0-9:._-]{0,63}$" },
  validitySeconds: { description: "the certificate's life in seconds", allowedPattern: "^[1-9][0-9]{0,5}$" },
  handback: { description: "the hand-back's name under <parameter path>/access/ (random)", allowedPattern: "^[a-f0-9]{32}$" },
  recipient: { description: "the caller's RSA public key (SPKI PEM, base64): the kubeconfig is encrypted to it", allowedPattern: "^[A-Za-z0-9+/]{200,2000}={0,2}$" },
} as const;

/** See OperatorAccessProps. */
export class AwsOperatorAccess extends Construct implements OperatorAccess {
  readonly mintCommandName: string;
  readonly operatorPolicyName: string;
  readonly mintDocument: SsmDocument;
  readonly operatorPolicy: IamPolicy;

  constructor(scope: Construct, id: string, props: OperatorAccessProps) {
    super(scope, id);
    if (!props.clusterName) throw new Error("AwsOperatorAccess: clusterName is empty");
    if (!props.mintCommand.startsWith("/")) throw new Error(`AwsOperatorAccess: mintCommand must be an absolute path on the node, got "${props.mintCommand}"`);
    // An SSM parameter path (/kubeplane/<cluster>) or a Secrets Manager name prefix (kubeplane/<cluster>).
    if (!/^\/?[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(props.parameterPath)) {
      throw new Error(`AwsOperatorAccess: parameterPath must be a parameter path like /kubeplane/<cluster> or a secret name prefix like kubeplane/<cluster>, got "${props.parameterPath}"`);
    }
    const inSecretsManager = !props.parameterPath.startsWith("/");
    // The mint runs only where admin.conf is: a control-plane node (IAM scopes SendCommand to them).
    asAwsIdentity(props.controlPlane, "AwsOperatorAccess: controlPlane");
    const name = props.clusterName;
    this.mintCommandName = mintDocumentName(name);
    this.operatorPolicyName = operatorPolicyName(name);

    const partition = new DataAwsPartition(this, "partition").partition;
    const account = new DataAwsCallerIdentity(this, "account").accountId;
    const region = new DataAwsRegion(this, "region").name;
    const ssmArn = (resource: string) => `arn:${partition}:ssm:${region}:${account}:${resource}`;

    const argument = (option: string, parameter: keyof typeof MINT_PARAMETERS) => `${option} {{ ${parameter} }}`;
    this.mintDocument = new SsmDocument(this, "mint-kubeconfig-document", {
      name: this.mintCommandName,
      documentType: "Command",
      documentFormat: "JSON",
      targetType: "/AWS::EC2::Instance",
      content: JSON.stringify({
        schemaVersion: "2.2",
        description: `kubeplane ${name}: mint a short-lived kubeconfig on a control-plane node, handed back encrypted to the caller under ${props.parameterPath}/access/`,
        parameters: Object.fromEntries(Object.entries(MINT_PARAMETERS).map(([key, p]) => [key, { type: "String", ...p }])),
        mainSteps: [
          {
            action: "aws:runShellScript",
            name: "mintKubeconfig",
            inputs: {
              runCommand: [
                [
                  props.mintCommand,
                  argument("--client-name", "clientName"),
                  argument("--org", "group"),
                  argument("--validity-seconds", "validitySeconds"),
                  argument("--handback", "handback"),
                  argument("--recipient", "recipient"),
                ].join(" "),
              ],
              timeoutSeconds: "120",
            },
          },
        ],
      }),
    });

    const onControlPlane = { StringEquals: { [`ssm:resourceTag/${CLUSTER_TAG}`]: name, [`ssm:resourceTag/${ROLE_TAG}`]: "control-plane" } };
    const instances = `arn:${partition}:ec2:${region}:${account}:instance/*`;
    this.operatorPolicy = new IamPolicy(this, "operator-policy", {
      name: this.operatorPolicyName,
      description: `kubeplane ${name}: what kubeplane kubeconfig, tunnel and validate need (attach to operators)`,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          // Neither call takes a resource (Service Authorization Reference: EC2, Auto Scaling).
          { Sid: "ReadClusterInstances", Effect: "Allow", Action: ["ec2:DescribeInstances", "autoscaling:DescribeAutoScalingGroups"], Resource: ["*"] },
          { Sid: "MintDocument", Effect: "Allow", Action: ["ssm:SendCommand"], Resource: [this.mintDocument.arn] },
          { Sid: "MintOnControlPlane", Effect: "Allow", Action: ["ssm:SendCommand"], Resource: [instances], Condition: onControlPlane },
          // The hand-back: what the node wrote under <path>/access/ (the kubeconfig, or why it could
          // not), read once and deleted. The CLI watches it instead of the command's status
          // (ssm:GetCommandInvocation takes no resource: it would be ssm on "*", which KP-IAM-1 refuses).
          inSecretsManager
            ? {
                Sid: "TakeHandBack",
                Effect: "Allow",
                Action: ["secretsmanager:GetSecretValue", "secretsmanager:DeleteSecret"],
                Resource: [`arn:${partition}:secretsmanager:${region}:${account}:secret:${props.parameterPath}/access/*`],
              }
            : {
                Sid: "TakeHandBack",
                Effect: "Allow",
                Action: ["ssm:GetParameter", "ssm:DeleteParameter"],
                Resource: [ssmArn(`parameter${props.parameterPath}/access/*`)],
              },
          // validate: the last etcd backup's record (bootstrap/node/etcd-common.sh backup_record), that
          // one record only (a String parameter, or a secret under aws/secretsmanager: no KMS statement).
          inSecretsManager
            ? {
                Sid: "ReadEtcdBackupStatus",
                Effect: "Allow",
                Action: ["secretsmanager:GetSecretValue"],
                // A secret's ARN ends with `-` and six characters Secrets Manager adds.
                Resource: [`arn:${partition}:secretsmanager:${region}:${account}:secret:${props.parameterPath}/status/etcd-backup-??????`],
              }
            : { Sid: "ReadEtcdBackupStatus", Effect: "Allow", Action: ["ssm:GetParameter"], Resource: [ssmArn(`parameter${props.parameterPath}/status/etcd-backup`)] },
          {
            Sid: "TunnelDocument",
            Effect: "Allow",
            Action: ["ssm:StartSession"],
            // AWS's own documents have no account in their ARN (arn:aws:ssm:<region>::document/AWS-…);
            // `*` there matches it, and no account can make a document named AWS-… (the prefix is AWS's).
            Resource: [`arn:${partition}:ssm:${region}:*:document/${PORT_FORWARDING_DOCUMENT}`],
          },
          {
            // With SessionDocumentAccessCheck, a session without the port-forwarding document (a
            // shell, SSM-SessionManagerRunShell) is refused: the operator gets a tunnel, not a shell.
            Sid: "TunnelThroughControlPlane",
            Effect: "Allow",
            Action: ["ssm:StartSession"],
            Resource: [instances],
            Condition: { ...onControlPlane, BoolIfExists: { "ssm:SessionDocumentAccessCheck": "true" } },
          },
          // The plugin ends (or resumes) the operator's own sessions (the sample policies of the Session
          // Manager guide); `$${` is Terraform's escape of a literal `${`.
          { Sid: "OwnSessions", Effect: "Allow", Action: ["ssm:TerminateSession", "ssm:ResumeSession"], Resource: [ssmArn("session/$${aws:userid}-*")] },
        ],
      }),
    });
  }
}
