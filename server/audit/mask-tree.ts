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
export interface MaskNode { erase: Erased | undefined; children: Map<string, MaskNode>; caseless: boolean }

/** The mask for `key` inside an object at `mask`'s level. */
export function maskChild(mask: MaskNode, key: string): MaskNode | undefined {
  return mask.children.get(key) ?? (mask.caseless ? mask.children.get(key.toLowerCase()) : undefined);
}

export function newMaskNode(caseless = false): MaskNode {
  return { erase: undefined, children: new Map(), caseless };
}
