/** String escapes as JSON (and so Rego) writes them, shared by the policy parser and the JSON parser. */

/** Single-character escapes: the letter after `\` → the character it stands for. */
const SIMPLE = new Map<string, string>([['"', '"'], ['\\', '\\'], ['/', '/'], ['b', '\b'], ['f', '\f'], ['n', '\n'], ['r', '\r'], ['t', '\t']]);
const HEX4 = /^[0-9a-fA-F]{4}$/;

/**
 * The escape whose letter is at `at` in `text` (just after the backslash): what it decodes to and
 * how many characters it takes after the backslash; undefined when it is not a valid escape.
 */
export function decodeEscape(text: string, at: number): { text: string; length: number } | undefined {
  const letter = text[at];
  if (letter === undefined) return undefined;
  const simple = SIMPLE.get(letter);
  if (simple !== undefined) return { text: simple, length: 1 };
  if (letter !== 'u') return undefined;
  const hex = text.slice(at + 1, at + 5);
  return HEX4.test(hex) ? { text: String.fromCharCode(parseInt(hex, 16)), length: 5 } : undefined;
}
