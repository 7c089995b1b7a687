// Address and EID-prefix text in the config: syntax checks that say what is wrong, and the canonical
// text the typed config holds (so "2001:DB8::/32" and "2001:db8::/32" are one key when diffing).
import { isIP } from 'node:net';
import { formatAddress, formatPrefix, makePrefix, parseAddress, type EidPrefix, type Family } from '../table/prefix.js';

/** The family of an IPv4 or IPv6 address without a zone index, or undefined. */
export function addressFamily(text: string): Family | undefined {
  const version = isIP(text);
  if (version === 4) return 'ipv4';
  return version === 6 && !text.includes('%') ? 'ipv6' : undefined;
}

/** Why text is not an IPv4 or IPv6 address, or undefined when it is one. */
export function addressProblem(text: string): string | undefined {
  return addressFamily(text) ? undefined : `"${text}" is not an IPv4 or IPv6 address`;
}

/** Why text is not an "address/length" EID-prefix with zero host bits, or undefined when it is one. */
export function prefixProblem(text: string): string | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return `"${text}" is not a prefix: expected address/length, such as 198.18.1.0/24`;
  const address = text.slice(0, slash);
  const family = addressFamily(address);
  if (!family) return `"${text}" is not a prefix: "${address}" is not an IPv4 or IPv6 address`;
  const max = family === 'ipv4' ? 32 : 128;
  const length = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(length) || Number(length) > max) {
    return `"${text}" is not a prefix: ${family === 'ipv4' ? 'IPv4' : 'IPv6'} length must be 0..${max}`;
  }
  const bytes = parseAddress(family, address);
  const prefix = makePrefix(family, bytes, Number(length));
  if (prefix.address.some((b, i) => b !== bytes[i])) {
    return `"${text}" has host bits set; host bits must be zero, as in ${formatPrefix(prefix)}`;
  }
  return undefined;
}

export function canonicalAddress(text: string): string {
  const family = addressFamily(text)!;
  return formatAddress(family, parseAddress(family, text));
}

export function canonicalPrefix(text: string): string {
  return formatPrefix(toEidPrefix(text, 0));
}

/** The table form of a valid prefix text. */
export function toEidPrefix(text: string, instanceId: number): EidPrefix {
  const [address = '', length = ''] = text.split('/');
  const family = addressFamily(address)!;
  return makePrefix(family, parseAddress(family, address), Number(length), instanceId);
}

/** "198.18.1.0/24", or "[1000]198.18.1.0/24" outside instance-id 0: names a database entry or a registered prefix. */
export function prefixKey(p: { instanceId: number; eidPrefix: string }): string {
  return formatPrefix(toEidPrefix(p.eidPrefix, p.instanceId));
}
