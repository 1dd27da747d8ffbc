// Secrets in YAML texts (release diffs): the structural pass of the masker, on the parsed document.
import { isAlias, isNode, isScalar, parseAllDocuments, visit, type Node } from 'yaml';
import { maskSpan, type SecretMasker } from './mask';

export interface MaskedText {
  text: string;
  /** True when something was masked. */
  masked: boolean;
}

/**
 * A YAML text with its secrets masked: with `structural`, first the value of every mapping that has
 * `secret: true` (the variables file, however the key is written), then every known secret value.
 * The parse is synchronous: callers keep texts over 64 KB off the extension host's thread (the worker).
 */
export function maskYamlText(text: string, masker: SecretMasker, structural: boolean): MaskedText {
  let out = structural ? maskRanges(text, secretValueRanges(text)) : text;
  out = masker.text(out);
  return { text: out, masked: out !== text };
}

/** The [start, end) offsets of the values of `secret: true` mappings, from every document of the text. */
export function secretValueRanges(text: string): [number, number][] {
  const ranges: [number, number][] = [];
  // No uniqueKeys check: duplicate keys are the variables diagnostics' business, and the check is quadratic.
  const docs = parseAllDocuments(text, { uniqueKeys: false, prettyErrors: false });
  if (!Array.isArray(docs)) return ranges;
  for (const doc of docs) {
    visit(doc, {
      Map(_key, map) {
        const secret = map.items.find((p) => isScalar(p.key) && p.key.value === 'secret');
        if (!secret || !isScalar(secret.value) || secret.value.value !== true) return;
        for (const pair of map.items) {
          if (!isScalar(pair.key) || pair.key.value !== 'value' || !isNode(pair.value)) continue;
          const node: Node = pair.value;
          if (node.range) ranges.push([node.range[0], node.range[1]]);
          // An alias shows its anchor's text elsewhere in the file: that is the secret too.
          const target = isAlias(node) ? node.resolve(doc) : undefined;
          if (target?.range) ranges.push([target.range[0], target.range[1]]);
        }
      },
    });
  }
  return ranges;
}

function maskRanges(text: string, ranges: [number, number][]): string {
  if (ranges.length === 0) return text;
  ranges.sort((a, b) => a[0] - b[0]);
  let out = '';
  let at = 0;
  for (const [start, end] of ranges) {
    if (end <= at) continue;
    const from = Math.max(start, at);
    out += text.slice(at, from) + maskSpan(text.slice(from, end));
    at = end;
  }
  return out + text.slice(at);
}
