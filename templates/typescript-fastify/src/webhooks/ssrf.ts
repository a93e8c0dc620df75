// The SSRF guard. A webhook URL is chosen by a user, so without a guard the worker would POST
// wherever they like: the cloud metadata service, the database's port, the admin interface on
// localhost. Every address a host resolves to is checked at delivery time (a DNS name can point
// anywhere, and can change after the URL was saved), and the request then goes to that checked
// address (see http-client.ts), so a second lookup cannot swap it for another one.
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

const REFUSED_V4: Array<[string, number]> = [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["169.254.0.0", 16], // link-local, including the cloud metadata address 169.254.169.254
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
];
const REFUSED_V6: Array<[string, number]> = [
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
];

const refused = new BlockList();
for (const [network, prefix] of REFUSED_V4) refused.addSubnet(network, prefix, "ipv4");
for (const [network, prefix] of REFUSED_V6) refused.addSubnet(network, prefix, "ipv6");
const loopbackV4 = new BlockList();
loopbackV4.addSubnet("127.0.0.0", 8, "ipv4");

/** The 16 bytes of an IPv6 address (Node validated it), embedded dotted IPv4 included. */
function ipv6Bytes(address: string): number[] {
  let text = address.toLowerCase().split("%")[0] ?? "";
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted[1].split(".").map(Number);
    text =
      text.slice(0, -dotted[1].length) +
      `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const middle = Array<string>(8 - left.length - right.length).fill("0");
  return [...left, ...middle, ...right].flatMap((group) => {
    const value = parseInt(group, 16);
    return [value >> 8, value & 0xff];
  });
}

/** True when the address may not receive webhooks. */
export function isRefusedAddress(address: string, allowLoopback: boolean): boolean {
  const family = isIP(address);
  if (family === 4) {
    if (loopbackV4.check(address, "ipv4")) return !allowLoopback;
    return refused.check(address, "ipv4");
  }
  if (family !== 6) return true; // not an address at all: nothing to deliver to
  const bytes = ipv6Bytes(address);
  const isZero = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  if (isZero(0, 16)) return true; // ::
  if (isZero(0, 15) && bytes[15] === 1) return !allowLoopback; // ::1
  // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) reach the embedded IPv4 address.
  const mapped = isZero(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff;
  const nat64 =
    bytes[0] === 0 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && isZero(4, 12);
  if (mapped || nat64) return isRefusedAddress(bytes.slice(12).join("."), allowLoopback);
  return refused.check(address, "ipv6");
}

export class RefusedAddressError extends Error {
  override name = "RefusedAddressError";
}

export interface CheckedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Resolves the host and checks every address it resolves to; returns the one to connect to.
 * Throws RefusedAddressError when any address is refused (a name that resolves to both a public
 * and a private address is refused: the choice between them is not ours to leave to chance).
 */
export async function resolveChecked(
  host: string,
  allowLoopback: boolean,
): Promise<CheckedAddress> {
  const literal = host.replace(/^\[|\]$/g, "");
  const found = isIP(literal)
    ? [{ address: literal, family: isIP(literal) }]
    : await lookup(host, { all: true, verbatim: true });
  for (const { address } of found) {
    if (isRefusedAddress(address, allowLoopback)) {
      throw new RefusedAddressError(`refused address ${address} (for host ${host})`);
    }
  }
  const first = found[0];
  if (!first) throw new Error(`${host} resolves to no address`);
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}

/**
 * The save-time check of production rules: `localhost`, `*.localhost` and refused IPv4
 * literals. Names are only resolved at delivery time (DNS can change in between).
 */
export function isRefusedHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  return isIP(host) === 4 && isRefusedAddress(host, false);
}
