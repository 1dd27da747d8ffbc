// The short pod name before each line: a generated name's random part (`checkout-web-7d4b9c8f6d-xk2lp`
// → `xk2lp`, after the ReplicaSet's hash), the whole name for pods named by hand or by a StatefulSet
// (`ledger-worker-0`), which are short and meaningful already.

export function shortPodName(name: string, generateName?: string): string {
  if (generateName && name.startsWith(generateName) && name.length > generateName.length) return name.slice(generateName.length);
  // A Deployment's pods without generateName (as some tools write them): `<name>-<10 char hash>-<5 char suffix>`.
  const m = /-[a-z0-9]{6,10}-([a-z0-9]{5})$/.exec(name);
  return m ? m[1]! : name;
}

/** `[xk2lp/app]` when the pod streams several containers, `[xk2lp]` when one. */
export function linePrefix(shortPod: string, container: string, showContainer: boolean): string {
  return showContainer ? `[${shortPod}/${container}]` : `[${shortPod}]`;
}

/** A marker line, set apart from the container's lines: `── reconnecting… ──`. */
export function markerLine(text: string): string {
  return `── ${text} ──`;
}
