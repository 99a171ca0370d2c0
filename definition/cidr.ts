/**
 * IPv4 CIDR blocks: parsing, containment, overlap and subnetting, for validating and carving up
 * a cluster's address space.
 */

/** A parsed IPv4 CIDR block. */
export interface Ipv4Cidr {
  /** Network address as an unsigned 32-bit integer. */
  readonly network: number;
  /** Prefix length, 0–32. */
  readonly prefix: number;
}

/**
 * An IPv4 block broader than a /8 is as good as the whole internet (0.0.0.0/1 + 128.0.0.0/1 is
 * all of it): the public API allow-list takes nothing broader (cross-field-rules.ts), and the
 * rule pack treats anything broader as the world (rules/rule.ts).
 */
export const WORLD_IPV4_PREFIX = 8;

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/n`; returns a reason string when it is not a valid network block. */
export function parseCidr(text: string): Ipv4Cidr | string {
  const m = CIDR_PATTERN.exec(text);
  if (!m) return `"${text}" is not an IPv4 CIDR block like 10.0.0.0/16`;
  const octets = m.slice(1, 5).map(Number);
  const prefix = Number(m[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return `"${text}" is not an IPv4 CIDR block like 10.0.0.0/16`;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  if (address % size !== 0) {
    return `"${text}" has host bits set; the network is ${format({ network: address - (address % size), prefix })}`;
  }
  return { network: address, prefix };
}

/** Number of addresses in the block. */
export function size(cidr: Ipv4Cidr): number {
  return 2 ** (32 - cidr.prefix);
}

/** Formats a block as `a.b.c.d/n`. */
export function format(cidr: Ipv4Cidr): string {
  const n = cidr.network;
  return `${Math.floor(n / 2 ** 24) % 256}.${Math.floor(n / 2 ** 16) % 256}.${Math.floor(n / 2 ** 8) % 256}.${n % 256}/${cidr.prefix}`;
}

/** True when the two blocks share any address. */
export function overlaps(a: Ipv4Cidr, b: Ipv4Cidr): boolean {
  return a.network < b.network + size(b) && b.network < a.network + size(a);
}

/** True when `inner` lies entirely within `outer`. */
export function contains(outer: Ipv4Cidr, inner: Ipv4Cidr): boolean {
  return inner.prefix >= outer.prefix && inner.network >= outer.network && inner.network + size(inner) <= outer.network + size(outer);
}

/** Terraform's `cidrsubnet(prefix, newbits, netnum)`. */
export function subnet(parent: Ipv4Cidr, newBits: number, index: number): Ipv4Cidr {
  const prefix = parent.prefix + newBits;
  if (prefix > 32) throw new Error(`cannot add ${newBits} bits to a /${parent.prefix}`);
  if (index < 0 || index >= 2 ** newBits) throw new Error(`subnet index ${index} does not fit in ${newBits} bits`);
  return { network: parent.network + index * 2 ** (32 - prefix), prefix };
}
