/**
 * EC2's limit on an instance's user data: 16 KiB, before base64 ("Run commands when you launch an
 * EC2 instance with user data input", EC2 User Guide:
 * https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/user-data.html). The AWS nodes deliver their
 * cloud-config gzip-compressed (Terraform's `base64gzip`), so the limit is on the compressed
 * document: checked with `userDataFits` (bootstrap/cloud-config.ts), which takes the limit of the
 * node's cloud, never a neutral constant.
 */
export const EC2_USER_DATA_LIMIT_BYTES = 16384;
