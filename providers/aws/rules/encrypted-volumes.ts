/** KP-EC2-2: root and data volumes of instances, launch templates and EBS volumes are encrypted. */
import { blocks, isTrue, Rule } from "../../../rules/rule";

export const encryptedVolumes: Rule = {
  id: "KP-EC2-2",
  name: "encrypted-volumes",
  level: "error",
  explanation:
    "Every root and data volume must be encrypted (encrypted = true): node disks hold etcd data, kubelet credentials " +
    "and container images, and snapshots of unencrypted volumes can be shared or copied in the clear.",
  resourceTypes: ["aws_instance", "aws_launch_template", "aws_launch_configuration", "aws_ebs_volume"],
  check(resource) {
    const c = resource.config;
    const problems: string[] = [];
    switch (resource.type) {
      case "aws_ebs_volume":
        if (!isTrue(c.encrypted)) problems.push("encrypted is not true");
        break;
      case "aws_instance":
      case "aws_launch_configuration": {
        const root = blocks(c.root_block_device)[0];
        if (!root) problems.push("declares no root_block_device, so the root volume is encrypted only if the image's snapshot is; declare it with encrypted = true");
        else if (!isTrue(root.encrypted)) problems.push("root_block_device.encrypted is not true");
        blocks(c.ebs_block_device).forEach((d, i) => {
          if (!isTrue(d.encrypted)) problems.push(`ebs_block_device[${i}] (${String(d.device_name)}) does not set encrypted = true`);
        });
        break;
      }
      case "aws_launch_template": {
        const mappings = blocks(c.block_device_mappings).filter((m) => m.no_device === undefined && m.virtual_name === undefined);
        if (mappings.length === 0) problems.push("has no block_device_mappings, so the root volume is encrypted only if the image's snapshot is; map it with ebs.encrypted = true");
        mappings.forEach((m, i) => {
          const ebs = blocks(m.ebs)[0];
          if (!ebs || !isTrue(ebs.encrypted)) problems.push(`block_device_mappings[${i}] (${String(m.device_name)}) does not set ebs.encrypted = true`);
        });
        break;
      }
    }
    return problems;
  },
};
