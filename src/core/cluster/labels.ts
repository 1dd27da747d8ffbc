// Label selectors evaluated as the API server does, for pods and objects already in memory.
import type { LabelSelector, Labels } from './kubeTypes';

/** Every label of `selector` is on the object with the same value. */
export function matchesLabels(labels: Labels | undefined, selector: Labels): boolean {
  return labelMatcher(selector)(labels);
}

/** `matchesLabels` for one selector over many objects: the selector is read once. */
export function labelMatcher(selector: Labels): (labels: Labels | undefined) => boolean {
  const keys = Object.keys(selector);
  const values = keys.map((k) => selector[k]);
  return (labels) => {
    for (let i = 0; i < keys.length; i++) {
      if (labels?.[keys[i] as string] !== values[i]) return false;
    }
    return true;
  };
}

/** A metav1.LabelSelector, as the API server evaluates it (an empty selector matches everything). */
export function matchesLabelSelector(labels: Labels | undefined, selector: LabelSelector): boolean {
  if (selector.matchLabels && !matchesLabels(labels, selector.matchLabels)) return false;
  for (const r of selector.matchExpressions ?? []) {
    const has = labels !== undefined && r.key in labels;
    const value = labels?.[r.key];
    const inValues = value !== undefined && (r.values ?? []).includes(value);
    const ok =
      r.operator === 'In' ? inValues : r.operator === 'NotIn' ? !inValues : r.operator === 'Exists' ? has : r.operator === 'DoesNotExist' ? !has : false;
    if (!ok) return false;
  }
  return true;
}

/** The `labelSelector` query parameter for a label map, e.g. `app.kubernetes.io/name=api,tier=web`. */
export function labelSelectorQuery(selector: Labels): string {
  return Object.entries(selector)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}
