/**
 * AWS's limits on what a cluster definition may ask for, each written once: the AWS cloud checks
 * definitions against them (aws-definition.ts) and the constructs that meet them validate their
 * props with the same constants. Kept free of imports so that any construct can read them.
 */

/**
 * Load balancer names are at most 32 characters (Elastic Load Balancing's CreateLoadBalancer,
 * `Name`: https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html),
 * and the API's balancers are named `<cluster>-api` and `<cluster>-pub` (aws-api-load-balancer.ts):
 * 28 characters are left for the cluster's name.
 */
export const AWS_LOAD_BALANCER_NAME_MAX_LENGTH = 32;
export const AWS_CLUSTER_NAME_MAX_LENGTH = AWS_LOAD_BALANCER_NAME_MAX_LENGTH - "-api".length;

/**
 * Root volumes are gp3: at most 16384 GiB (16 TiB, gp3's largest:
 * https://docs.aws.amazon.com/ebs/latest/userguide/general-purpose.html), at least 8 GiB (the
 * Ubuntu image's root snapshot; a volume smaller than the snapshot is refused at launch).
 */
export const AWS_ROOT_VOLUME_GIB = { min: 8, max: 16384 } as const;

/**
 * VPC prefixes kubeplane takes on AWS: AWS allows /16 to /28
 * (https://docs.aws.amazon.com/vpc/latest/userguide/vpc-cidr-blocks.html), and the VPC is carved
 * into 16 subnets (aws-address-plan.ts), each at least AWS's smallest subnet, a /28: so /16 to /24.
 */
export const AWS_VPC_PREFIX = { largest: 16, smallest: 24 } as const;
/** AWS's smallest subnet (https://docs.aws.amazon.com/vpc/latest/userguide/subnet-sizing.html). */
export const AWS_SUBNET_SMALLEST_PREFIX = 28;

/**
 * The characters EC2 accepts in a security group rule's description, at most 255 of them
 * (IpRange `Description`: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_IpRange.html).
 */
export const EC2_RULE_DESCRIPTION = /^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]{1,255}$/;

/**
 * Tags: keys at most 128 characters, values at most 256, and keys starting with `aws:` are AWS's
 * own (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html).
 */
export const AWS_TAG_KEY_MAX_LENGTH = 128;
export const AWS_TAG_VALUE_MAX_LENGTH = 256;
export const AWS_RESERVED_TAG_PREFIX = /^aws:/i;
