import { hmacSha256 } from './sha256.js';

/**
 * VRRP authentication data (the PASS password, or keepalived 2.4's auth_hmac key). It is compared inside the core and never leaves it as
 * text: it has no enumerable fields, and JSON, string conversion and Node's inspector all see a mask.
 */
export class AuthSecret {
  readonly #bytes: Uint8Array;

  constructor(bytes: Uint8Array) {
    // A copy: the capture reuses its buffer, and Buffer#slice would share memory with it.
    this.#bytes = new Uint8Array(bytes);
  }

  equals(other: AuthSecret): boolean {
    const a = this.#bytes;
    const b = other.#bytes;
    if (a.length !== b.length) return false;
    let diff = 0;
    for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
    return diff === 0;
  }

  /** Whether `tag` is HMAC-SHA256 of `data` under this secret as the key, cut to the tag's length. */
  signs(data: Uint8Array, tag: Uint8Array): boolean {
    const mac = hmacSha256(this.#bytes, data);
    if (tag.length === 0 || tag.length > mac.length) return false;
    let diff = 0;
    for (let i = 0; i < tag.length; i++) diff |= (mac[i] ?? 0) ^ (tag[i] ?? 0);
    return diff === 0;
  }

  toJSON(): string {
    return '<redacted>';
  }

  toString(): string {
    return '<redacted>';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'AuthSecret <redacted>';
  }
}
