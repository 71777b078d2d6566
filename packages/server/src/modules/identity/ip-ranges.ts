import { BlockList, isIP } from 'node:net';

// An API key's allowed ranges as a matcher: node's BlockList does the CIDR arithmetic for both
// families. An IPv4 client seen through an IPv6 socket (`::ffff:203.0.113.7`) is matched as the
// IPv4 address it is.

function family(address: string): 'ipv4' | 'ipv6' | undefined {
  const v = isIP(address);
  return v === 4 ? 'ipv4' : v === 6 ? 'ipv6' : undefined;
}

function unmapped(address: string): string {
  const m = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return m ? m[1]! : address;
}

/** Ranges as the contract admits them: `a.b.c.d/n`, `x::/n`, or one address. */
export function ipRangeMatcher(
  ranges: readonly string[],
): (address: string | undefined) => boolean {
  const list = new BlockList();
  for (const range of ranges) {
    const [net, bits] = range.split('/') as [string, string | undefined];
    const fam = family(net);
    if (!fam) throw new Error(`not an IP range: ${range}`);
    if (bits === undefined) list.addAddress(net, fam);
    else list.addSubnet(net, Number(bits), fam);
  }
  return (address) => {
    if (!address) return false;
    const plain = unmapped(address);
    const fam = family(plain);
    return fam !== undefined && list.check(plain, fam);
  };
}
