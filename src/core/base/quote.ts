/** A value a person wrote, as it appears in a message: quoted, control characters escaped, cut if long. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 64 ? `${text.slice(0, 60)}...` : text);
}
