/**
 * The decision log's masks as a tree, one level per JSON pointer segment, shared by the line
 * writer (`maskedJson`) and the text copier (`copyableInput`).
 */

/** A mask in the order configured; `text` is its JSON pointer. */
export interface Erased { text: string; order: number }

/**
 * A level of the masks: fields below it to leave out (`erase`) or to look into (`children`).
 * Below a `headers` key, names match in any case (`caseless`, children kept lower-case): HTTP
 * header names are case-insensitive, and a Data API client may send `Authorization`.
 */
export interface MaskNode {
  erase: Erased | undefined;
  children: Map<string, MaskNode>;
  caseless: boolean;
  /** The children's names as UTF-8 bytes, made on first use by `maskChildAt` (the tree is complete by then). */
  byteNames?: { name: Buffer; node: MaskNode }[];
}

/** The mask for `key` inside an object at `mask`'s level. */
export function maskChild(mask: MaskNode, key: string): MaskNode | undefined {
  return mask.children.get(key) ?? (mask.caseless ? mask.children.get(key.toLowerCase()) : undefined);
}

/**
 * The mask for the key in `bytes[from, to)` (UTF-8) inside an object at `mask`'s level, found
 * without making a string of the key: a scan of the bytes meets every key, and few are masked.
 */
export function maskChildAt(mask: MaskNode, bytes: Buffer, from: number, to: number): MaskNode | undefined {
  const names = mask.byteNames ??= [...mask.children].map(([name, node]) => ({ name: Buffer.from(name, 'utf8'), node }));
  const exact = childNamed(names, bytes, from, to, false);
  if (exact !== undefined || !mask.caseless) return exact;
  // Caseless names: ASCII keys are lowered byte by byte; others (rare) as strings.
  for (let i = from; i < to; i++) if (bytes[i]! >= 0x80) return maskChild(mask, bytes.toString('utf8', from, to));
  return childNamed(names, bytes, from, to, true);
}

/** The child whose name is the key's bytes, with ASCII letters lowered first when `lower`. */
function childNamed(names: { name: Buffer; node: MaskNode }[], bytes: Buffer, from: number, to: number, lower: boolean): MaskNode | undefined {
  const length = to - from;
  for (let n = 0; n < names.length; n++) {
    const name = names[n]!.name;
    if (name.length !== length) continue;
    let i = 0;
    if (lower) while (i < length && lowerAscii(bytes[from + i]!) === name[i]) i++;
    else while (i < length && bytes[from + i] === name[i]) i++;
    if (i === length) return names[n]!.node;
  }
  return undefined;
}

function lowerAscii(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

export function newMaskNode(caseless = false): MaskNode {
  return { erase: undefined, children: new Map(), caseless };
}
