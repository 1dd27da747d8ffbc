// labelSelector and fieldSelector as the API server parses them. A selector that cannot be parsed is
// a 400 BadRequest, like the real server, not an empty list.

export type KubeObject = {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string | undefined;
    uid?: string | undefined;
    resourceVersion?: string | undefined;
    labels?: Record<string, string> | undefined;
    annotations?: Record<string, string> | undefined;
    [key: string]: unknown;
  };
  [key: string]: unknown;
};

export class SelectorError extends Error {}

type LabelRequirement =
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | '!exists'; key: string };

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;
const VALUE = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?)?$/;

/** Split on commas that are not inside a `(...)` set. */
function splitTerms(selector: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      terms.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(selector.slice(start));
  return terms.map((t) => t.trim()).filter((t) => t !== '');
}

function checkKey(key: string, selector: string): string {
  if (!KEY.test(key)) throw new SelectorError(`unable to parse requirement: invalid label key "${key}" in "${selector}"`);
  return key;
}

function checkValue(value: string, selector: string): string {
  if (!VALUE.test(value)) throw new SelectorError(`unable to parse requirement: invalid label value "${value}" in "${selector}"`);
  return value;
}

export function parseLabelSelector(selector: string): LabelRequirement[] {
  return splitTerms(selector).map((term) => {
    let m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term);
    if (m) {
      const values = m[3]!.split(',').map((v) => checkValue(v.trim(), selector));
      return { op: m[2] as 'in' | 'notin', key: checkKey(m[1]!, selector), values };
    }
    m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (m) {
      const key = checkKey(m[1]!, selector);
      const value = checkValue(m[3]!, selector);
      return { op: m[2] === '!=' ? 'notin' : 'in', key, values: [value] };
    }
    m = /^(!?)\s*(\S+)$/.exec(term);
    if (m) return { op: m[1] ? '!exists' : 'exists', key: checkKey(m[2]!, selector) };
    throw new SelectorError(`unable to parse requirement: "${term}"`);
  });
}

export function matchesLabels(requirements: LabelRequirement[], labels: Record<string, string> = {}): boolean {
  return requirements.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case '!exists':
        return !has;
      case 'in':
        return has && r.values.includes(labels[r.key]!);
      case 'notin':
        // As in the API server, `key!=value` and `notin` also match objects without the label.
        return !has || !r.values.includes(labels[r.key]!);
    }
  });
}

interface FieldRequirement {
  field: string;
  value: string;
  equal: boolean;
}

/** The fields each kind supports, as the real server's field label conversion allows them. */
const FIELDS: Record<string, (o: KubeObject) => string | undefined> = {
  'metadata.name': (o) => o.metadata.name,
  'metadata.namespace': (o) => o.metadata.namespace,
  'involvedObject.name': (o) => (o.involvedObject as { name?: string } | undefined)?.name,
  'involvedObject.kind': (o) => (o.involvedObject as { kind?: string } | undefined)?.kind,
  'involvedObject.namespace': (o) => (o.involvedObject as { namespace?: string } | undefined)?.namespace,
  'involvedObject.uid': (o) => (o.involvedObject as { uid?: string } | undefined)?.uid,
  'status.phase': (o) => (o.status as { phase?: string } | undefined)?.phase,
  'spec.nodeName': (o) => (o.spec as { nodeName?: string } | undefined)?.nodeName,
  reason: (o) => o.reason as string | undefined,
  type: (o) => o.type as string | undefined,
};

const FIELDS_BY_KIND: Record<string, string[]> = {
  Event: ['metadata.name', 'metadata.namespace', 'involvedObject.name', 'involvedObject.kind', 'involvedObject.namespace', 'involvedObject.uid', 'reason', 'type'],
  Pod: ['metadata.name', 'metadata.namespace', 'status.phase', 'spec.nodeName'],
};

export function parseFieldSelector(selector: string, kind: string): FieldRequirement[] {
  const allowed = FIELDS_BY_KIND[kind] ?? ['metadata.name', 'metadata.namespace'];
  return splitTerms(selector).map((term) => {
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(term);
    if (!m) throw new SelectorError(`invalid selector: '${selector}'; can't understand '${term}'`);
    const field = m[1]!.trim();
    if (!allowed.includes(field)) throw new SelectorError(`field label not supported: ${field}`);
    return { field, value: m[3]!.trim(), equal: m[2] !== '!=' };
  });
}

export function matchesFields(requirements: FieldRequirement[], object: KubeObject): boolean {
  return requirements.every((r) => ((FIELDS[r.field]!(object) ?? '') === r.value) === r.equal);
}
