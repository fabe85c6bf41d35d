/** Names a person writes for the kernel or the resolver: interface names and host names, checked as the kernel and RFC 1123 see them. */
import { quote } from './quote.js';

/**
 * Why `name` cannot be a Linux interface name, or undefined. The kernel takes at most 15 bytes, never
 * "." or "..", '/', ':' or white space (dev_valid_name); vrrpwatch also refuses control characters, a
 * leading "-" (it would read as an option) and text that was not valid UTF-8 (decoded as U+FFFD).
 */
export function interfaceNameProblem(name: string): string | undefined {
  const bytes = new TextEncoder().encode(name).length;
  // eslint-disable-next-line no-control-regex
  if (bytes === 0 || bytes > 15 || name === '.' || name === '..' || name.startsWith('-') || /[\s/:\u0000-\u001f\u007f\ufffd]/u.test(name)) {
    return `${quote(name)} is not an interface name (at most 15 bytes of text, without "/", ":", spaces or control characters)`;
  }
  return undefined;
}

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * Whether `name` is a host name (RFC 1123). A name whose last label is a number (`999.0.0.1`,
 * `1.2.3.4.5`, `2130706433`, `0x7f.1`) is not one: the resolver would read it as a (mistyped) IPv4
 * address in inet_aton's loose forms, so it is refused instead of pinging who knows what.
 */
export function isHostName(name: string): boolean {
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  if (bare.length === 0 || bare.length > 253) return false;
  const labels = bare.split('.');
  const last = labels[labels.length - 1] ?? '';
  if (/^\d+$/.test(last) || /^0x[0-9a-f]*$/i.test(last)) return false;
  return labels.every((l) => LABEL.test(l));
}
