/**
 * A value a person wrote, as it appears in a message: quoted, cut if long, and every control made
 * visible: C0 by JSON's escapes, DEL, C1 and the bidi controls (which JSON leaves as they are) as `\u…`.
 */
const LEFT_RAW_BY_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;

export function quote(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 60)}...` : text).replace(LEFT_RAW_BY_JSON, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
