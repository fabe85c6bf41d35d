/**
 * What the config says of keepalived 2.4's auth_hmac per group: the freshness window, and the key for
 * keyed verification (kept as an AuthSecret: compared inside the core, never printed). Pure; the key
 * file is read by the app (settings.ts).
 */
import { expectationMatches } from './types.js';
import type { AuthSecret } from '../base/secret.js';
import type { GroupKey } from '../base/keys.js';
import type { ExpectedGroup } from './types.js';

/** A configured group's auth_hmac settings. */
export interface HmacGroup {
  match: ExpectedGroup;
  /** The freshness window, seconds (undefined: keepalived's default, max(3 x interval, 5 s)). */
  window: number | undefined;
  key: AuthSecret | undefined;
}

/** The groups' auth_hmac settings, looked up by a heard group's key (the first configured group that matches). */
export class HmacGroups {
  constructor(readonly groups: readonly HmacGroup[] = []) {}

  window(key: GroupKey): number | undefined {
    return this.#of(key)?.window;
  }

  key(key: GroupKey): AuthSecret | undefined {
    return this.#of(key)?.key;
  }

  #of(key: GroupKey): HmacGroup | undefined {
    for (const g of this.groups) if (expectationMatches(g.match, key)) return g;
    return undefined;
  }
}

/** Most bytes of an auth_hmac key (keepalived's keys are 32; HMAC hashes longer ones first). */
const MAX_KEY_BYTES = 1024;

/**
 * An auth_hmac key file's text: the key in hex, whitespace ignored (`000102...1f`). Returns the bytes
 * or a problem in words that never quote the file's content.
 */
export function parseHmacKey(text: string): Uint8Array | { problem: string } {
  const hex = text.replace(/\s+/g, '');
  if (hex === '') return { problem: 'the key file is empty' };
  if (!/^[0-9a-fA-F]+$/.test(hex)) return { problem: 'the key must be written in hexadecimal digits' };
  if (hex.length % 2 !== 0) return { problem: 'the key has an odd number of hexadecimal digits' };
  if (hex.length / 2 > MAX_KEY_BYTES) return { problem: `the key is longer than ${MAX_KEY_BYTES} bytes` };
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}
