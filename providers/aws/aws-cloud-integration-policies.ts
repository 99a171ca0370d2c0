/**
 * IAM for what the first control-plane node installs on AWS (bootstrap/installers/cloud-addons.ts):
 * the cloud controller manager, the EBS CSI controller and the cluster autoscaler. All three run
 * on the control-plane nodes with host networking and use the control-plane role, so the policies
 * go there (no pod without host networking reaches instance credentials: the hop limit stays 1).
 * Each is its project's documented policy, narrowed where the project says it may be:
 * - cloud controller: kubernetes/cloud-provider-aws docs/prerequisites.md, "Control Plane Policy"
 *   (v1.36.1). Its `ec2:CreateTags` on `*` becomes security groups only (the groups it makes for
 *   load balancers; an instance's tags are the bootstrap's to set). Its `iam:CreateServiceLinkedRole` on `*` becomes the load-balancing service-linked
 *   role only (the controller creates load balancers, which need it); its `kms:DescribeKey` on `*`
 *   is left out: it serves the in-tree volume code, which the controller no longer has (volumes
 *   are the CSI driver's), and KP-IAM-1 refuses kms actions on every key.
 * - EBS CSI controller: kubernetes-sigs/aws-ebs-csi-driver docs/example-iam-policy.json (v1.64.0),
 *   statement by statement, with the cluster's partition, region and account in place of `*`.
 * - cluster autoscaler: cluster-autoscaler/cloudprovider/aws/README.md, "Minimal IAM Permissions
 *   Policy": Describe* on `*` (they take no resource), SetDesiredCapacity and
 *   TerminateInstanceInAutoScalingGroup only on groups tagged for this cluster's autoscaler.
 *   `eks:DescribeNodegroup` is left out: no EKS node groups here.
 */

/** Where the policies apply: the cluster's partition, region and account (Terraform references or literals). */
export interface AwsAccountScope {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

const policy = (statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });

/** The AWS cloud controller manager's policy (see above). */
export function cloudControllerPolicy(at: AwsAccountScope): string {
  return policy([
    {
      Sid: "CloudControllerManager",
      Effect: "Allow",
      Action: [
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:DescribeLaunchConfigurations",
        "ec2:DescribeInstances",
        "ec2:DescribeRegions",
        "ec2:DescribeRouteTables",
        "ec2:DescribeSecurityGroups",
        "ec2:DescribeSubnets",
        "ec2:DescribeVolumes",
        "ec2:DescribeAvailabilityZones",
        "ec2:CreateSecurityGroup",
        "ec2:CreateVolume",
        "ec2:ModifyInstanceAttribute",
        "ec2:ModifyVolume",
        "ec2:AttachVolume",
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:CreateRoute",
        "ec2:DeleteRoute",
        "ec2:DeleteSecurityGroup",
        "ec2:DeleteVolume",
        "ec2:DetachVolume",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:DescribeVpcs",
        "ec2:DescribeInstanceTopology",
        "elasticloadbalancing:AddTags",
        "elasticloadbalancing:AttachLoadBalancerToSubnets",
        "elasticloadbalancing:ApplySecurityGroupsToLoadBalancer",
        "elasticloadbalancing:CreateLoadBalancer",
        "elasticloadbalancing:CreateLoadBalancerPolicy",
        "elasticloadbalancing:CreateLoadBalancerListeners",
        "elasticloadbalancing:ConfigureHealthCheck",
        "elasticloadbalancing:DeleteLoadBalancer",
        "elasticloadbalancing:DeleteLoadBalancerListeners",
        "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:DescribeLoadBalancerAttributes",
        "elasticloadbalancing:DetachLoadBalancerFromSubnets",
        "elasticloadbalancing:DeregisterInstancesFromLoadBalancer",
        "elasticloadbalancing:ModifyLoadBalancerAttributes",
        "elasticloadbalancing:RegisterInstancesWithLoadBalancer",
        "elasticloadbalancing:SetLoadBalancerPoliciesForBackendServer",
        "elasticloadbalancing:CreateListener",
        "elasticloadbalancing:CreateTargetGroup",
        "elasticloadbalancing:DeleteListener",
        "elasticloadbalancing:DeleteTargetGroup",
        "elasticloadbalancing:DescribeListeners",
        "elasticloadbalancing:DescribeLoadBalancerPolicies",
        "elasticloadbalancing:DescribeTargetGroups",
        "elasticloadbalancing:DescribeTargetHealth",
        "elasticloadbalancing:ModifyListener",
        "elasticloadbalancing:ModifyTargetGroup",
        "elasticloadbalancing:RegisterTargets",
        "elasticloadbalancing:DeregisterTargets",
        "elasticloadbalancing:SetLoadBalancerPoliciesOfListener",
      ],
      Resource: ["*"],
    },
    // The controller tags the security groups it makes for load balancers (cloud routes are off
    // in its manifest); not instances: on `*`, a control-plane node could retag its own instance's
    // kubeplane:role or kubeplane:bootstrap, which the bootstrap-status policy confines.
    {
      Sid: "TagLoadBalancerSecurityGroups",
      Effect: "Allow",
      Action: ["ec2:CreateTags"],
      Resource: [`arn:${at.partition}:ec2:${at.region}:${at.account}:security-group/*`],
    },
    {
      Sid: "LoadBalancingServiceLinkedRole",
      Effect: "Allow",
      Action: ["iam:CreateServiceLinkedRole"],
      Resource: [`arn:${at.partition}:iam::${at.account}:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing`],
      Condition: { StringEquals: { "iam:AWSServiceName": "elasticloadbalancing.amazonaws.com" } },
    },
  ]);
}

/** The EBS CSI controller's policy (see above). */
export function ebsCsiControllerPolicy(at: AwsAccountScope): string {
  const ec2 = (resource: string) => `arn:${at.partition}:ec2:${at.region}:${at.account}:${resource}`;
  // Snapshots are addressed without an account in CreateVolume's authorization (a public or
  // shared snapshot): as the example has it, any account's, in this region.
  const snapshots = `arn:${at.partition}:ec2:${at.region}::snapshot/*`;
  const volumes = ec2("volume/*");
  return policy([
    {
      Sid: "Describe",
      Effect: "Allow",
      Action: [
        "ec2:DescribeAvailabilityZones",
        "ec2:DescribeInstances",
        "ec2:DescribeInstanceTypes",
        "ec2:DescribeSnapshots",
        "ec2:DescribeTags",
        "ec2:DescribeVolumes",
        "ec2:DescribeVolumesModifications",
        "ec2:DescribeVolumeStatus",
      ],
      Resource: ["*"],
    },
    { Sid: "SnapshotAndResize", Effect: "Allow", Action: ["ec2:CreateSnapshot", "ec2:ModifyVolume"], Resource: [volumes] },
    { Sid: "CopyVolumes", Effect: "Allow", Action: ["ec2:CopyVolumes"], Resource: [ec2("volume/vol-*")] },
    { Sid: "AttachDetach", Effect: "Allow", Action: ["ec2:AttachVolume", "ec2:DetachVolume"], Resource: [volumes, ec2("instance/*")] },
    { Sid: "CreateFromSnapshot", Effect: "Allow", Action: ["ec2:CreateVolume", "ec2:EnableFastSnapshotRestores"], Resource: [snapshots] },
    {
      Sid: "TagOnCreate",
      Effect: "Allow",
      Action: ["ec2:CreateTags"],
      Resource: [volumes, ec2("snapshot/*")],
      Condition: { StringEquals: { "ec2:CreateAction": ["CreateVolume", "CreateSnapshot", "CopyVolumes"] } },
    },
    { Sid: "Untag", Effect: "Allow", Action: ["ec2:DeleteTags"], Resource: [volumes, ec2("snapshot/*")] },
    {
      Sid: "CreateClusterVolume",
      Effect: "Allow",
      Action: ["ec2:CreateVolume", "ec2:CopyVolumes"],
      Resource: [volumes],
      Condition: { StringLike: { "aws:RequestTag/ebs.csi.aws.com/cluster": "true" } },
    },
    { Sid: "CreateNamedVolume", Effect: "Allow", Action: ["ec2:CreateVolume", "ec2:CopyVolumes"], Resource: [volumes], Condition: { StringLike: { "aws:RequestTag/CSIVolumeName": "*" } } },
    { Sid: "DeleteClusterVolume", Effect: "Allow", Action: ["ec2:DeleteVolume"], Resource: [volumes], Condition: { StringLike: { "ec2:ResourceTag/ebs.csi.aws.com/cluster": "true" } } },
    { Sid: "DeleteNamedVolume", Effect: "Allow", Action: ["ec2:DeleteVolume"], Resource: [volumes], Condition: { StringLike: { "ec2:ResourceTag/CSIVolumeName": "*" } } },
    {
      Sid: "DeleteClaimVolume",
      Effect: "Allow",
      Action: ["ec2:DeleteVolume"],
      Resource: [volumes],
      Condition: { StringLike: { "ec2:ResourceTag/kubernetes.io/created-for/pvc/name": "*" } },
    },
    {
      Sid: "CreateNamedSnapshot",
      Effect: "Allow",
      Action: ["ec2:CreateSnapshot"],
      Resource: [ec2("snapshot/*")],
      Condition: { StringLike: { "aws:RequestTag/CSIVolumeSnapshotName": "*" } },
    },
    {
      Sid: "CreateClusterSnapshot",
      Effect: "Allow",
      Action: ["ec2:CreateSnapshot"],
      Resource: [ec2("snapshot/*")],
      Condition: { StringLike: { "aws:RequestTag/ebs.csi.aws.com/cluster": "true" } },
    },
    {
      Sid: "DeleteNamedSnapshot",
      Effect: "Allow",
      Action: ["ec2:DeleteSnapshot", "ec2:LockSnapshot"],
      Resource: [ec2("snapshot/*")],
      Condition: { StringLike: { "ec2:ResourceTag/CSIVolumeSnapshotName": "*" } },
    },
    {
      Sid: "DeleteClusterSnapshot",
      Effect: "Allow",
      Action: ["ec2:DeleteSnapshot", "ec2:LockSnapshot"],
      Resource: [ec2("snapshot/*")],
      Condition: { StringLike: { "ec2:ResourceTag/ebs.csi.aws.com/cluster": "true" } },
    },
  ]);
}

/** The cluster autoscaler's policy (see above): it sizes only groups tagged for this cluster's autoscaler. */
export function clusterAutoscalerPolicy(at: AwsAccountScope & { readonly clusterName: string }): string {
  return policy([
    {
      Sid: "Discover",
      Effect: "Allow",
      Action: [
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:DescribeAutoScalingInstances",
        "autoscaling:DescribeLaunchConfigurations",
        "autoscaling:DescribeScalingActivities",
        "ec2:DescribeImages",
        "ec2:DescribeInstanceTypes",
        "ec2:DescribeLaunchTemplateVersions",
        "ec2:GetInstanceTypesFromInstanceRequirements",
      ],
      Resource: ["*"],
    },
    {
      Sid: "ScaleThisClustersPools",
      Effect: "Allow",
      Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
      Resource: [`arn:${at.partition}:autoscaling:${at.region}:${at.account}:autoScalingGroup:*:autoScalingGroupName/*`],
      Condition: {
        StringEquals: {
          "aws:ResourceTag/k8s.io/cluster-autoscaler/enabled": "true",
          [`aws:ResourceTag/k8s.io/cluster-autoscaler/${at.clusterName}`]: "owned",
        },
      },
    },
  ]);
}
