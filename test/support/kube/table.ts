// Server-side printing: `kubectl get` asks for `application/json;as=Table;v=v1;g=meta.k8s.io` and
// prints the rows it gets. The columns are the real server's for each kind (priority 1 = `-o wide`).
import type { KubeObject } from './selectors';

interface Column {
  name: string;
  type: 'string' | 'integer' | 'date';
  format?: 'name';
  priority?: number;
  description: string;
}

type Cells = (o: KubeObject, now: number) => unknown[];

const col = (name: string, type: Column['type'] = 'string', priority = 0, format?: 'name'): Column => ({
  name,
  type,
  ...(format ? { format } : {}),
  description: `${name} of the object`,
  priority,
});

const NAME = col('Name', 'string', 0, 'name');
const AGE = col('Age');

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** kubectl's duration.HumanDuration. */
export function age(creation: unknown, now: number): string {
  if (typeof creation !== 'string') return '<unknown>';
  const seconds = Math.max(0, Math.floor((now - Date.parse(creation)) / 1000));
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const days = Math.floor(hours / 24);
  if (seconds < 120) return `${seconds}s`;
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (hours < 3) return `${minutes}m`;
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (days < 8) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  return `${days}d`;
}

function containers(o: KubeObject): Any[] {
  return ((o.spec as Any | undefined)?.template?.spec?.containers ?? []) as Any[];
}

function selector(o: KubeObject): string {
  const labels = ((o.spec as Any | undefined)?.selector?.matchLabels ?? {}) as Record<string, string>;
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
}

function podStatus(pod: Any): string {
  if (pod.metadata.deletionTimestamp) return 'Terminating';
  for (const c of (pod.status?.containerStatuses ?? []) as Any[]) {
    if (c.state?.waiting?.reason && c.state.waiting.reason !== 'ContainerCreating') return c.state.waiting.reason;
    if (c.state?.terminated?.reason) return c.state.terminated.reason;
  }
  for (const c of (pod.status?.containerStatuses ?? []) as Any[]) if (c.state?.waiting?.reason) return c.state.waiting.reason;
  return pod.status?.reason ?? pod.status?.phase ?? 'Unknown';
}

const KINDS: Record<string, { columns: Column[]; cells: Cells }> = {
  Pod: {
    columns: [NAME, col('Ready'), col('Status'), col('Restarts'), AGE, col('IP', 'string', 1), col('Node', 'string', 1), col('Nominated Node', 'string', 1), col('Readiness Gates', 'string', 1)],
    cells: (o, now) => {
      const pod = o as Any;
      const statuses = (pod.status?.containerStatuses ?? []) as Any[];
      const total = (pod.spec?.containers ?? []).length;
      const ready = statuses.filter((c) => c.ready).length;
      const restarts = statuses.reduce((sum, c) => sum + (c.restartCount ?? 0), 0);
      return [o.metadata.name, `${ready}/${total}`, podStatus(pod), String(restarts), age(o.metadata.creationTimestamp, now), pod.status?.podIP ?? '<none>', pod.spec?.nodeName ?? '<none>', '<none>', '<none>'];
    },
  },
  Deployment: {
    columns: [NAME, col('Ready'), col('Up-to-date', 'integer'), col('Available', 'integer'), AGE, col('Containers', 'string', 1), col('Images', 'string', 1), col('Selector', 'string', 1)],
    cells: (o, now) => {
      const s = (o.status ?? {}) as Any;
      const desired = (o.spec as Any).replicas ?? 1;
      return [o.metadata.name, `${s.readyReplicas ?? 0}/${desired}`, s.updatedReplicas ?? 0, s.availableReplicas ?? 0, age(o.metadata.creationTimestamp, now),
        containers(o).map((c) => c.name).join(','), containers(o).map((c) => c.image).join(','), selector(o)];
    },
  },
  ReplicaSet: {
    columns: [NAME, col('Desired', 'integer'), col('Current', 'integer'), col('Ready', 'integer'), AGE, col('Containers', 'string', 1), col('Images', 'string', 1), col('Selector', 'string', 1)],
    cells: (o, now) => {
      const s = (o.status ?? {}) as Any;
      return [o.metadata.name, (o.spec as Any).replicas ?? 0, s.replicas ?? 0, s.readyReplicas ?? 0, age(o.metadata.creationTimestamp, now),
        containers(o).map((c) => c.name).join(','), containers(o).map((c) => c.image).join(','), selector(o)];
    },
  },
  StatefulSet: {
    columns: [NAME, col('Ready'), AGE, col('Containers', 'string', 1), col('Images', 'string', 1)],
    cells: (o, now) => {
      const s = (o.status ?? {}) as Any;
      return [o.metadata.name, `${s.readyReplicas ?? 0}/${(o.spec as Any).replicas ?? 1}`, age(o.metadata.creationTimestamp, now),
        containers(o).map((c) => c.name).join(','), containers(o).map((c) => c.image).join(',')];
    },
  },
  DaemonSet: {
    columns: [NAME, col('Desired', 'integer'), col('Current', 'integer'), col('Ready', 'integer'), col('Up-to-date', 'integer'), col('Available', 'integer'), col('Node Selector'), AGE,
      col('Containers', 'string', 1), col('Images', 'string', 1), col('Selector', 'string', 1)],
    cells: (o, now) => {
      const s = (o.status ?? {}) as Any;
      const nodeSelector = Object.entries(((o.spec as Any).template?.spec?.nodeSelector ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(',');
      return [o.metadata.name, s.desiredNumberScheduled ?? 0, s.currentNumberScheduled ?? 0, s.numberReady ?? 0, s.updatedNumberScheduled ?? 0, s.numberAvailable ?? 0,
        nodeSelector || '<none>', age(o.metadata.creationTimestamp, now), containers(o).map((c) => c.name).join(','), containers(o).map((c) => c.image).join(','), selector(o)];
    },
  },
  Event: {
    columns: [col('Last Seen'), col('Type'), col('Reason'), col('Object'), col('Message'), { ...NAME, priority: 1 }],
    cells: (o, now) => {
      const e = o as Any;
      return [age(e.lastTimestamp ?? e.eventTime ?? o.metadata.creationTimestamp, now), e.type ?? '', e.reason ?? '',
        `${String(e.involvedObject?.kind ?? '').toLowerCase()}/${e.involvedObject?.name ?? ''}`, e.message ?? '', o.metadata.name];
    },
  },
};

const DEFAULT = { columns: [NAME, col('Created At', 'date')], cells: ((o) => [o.metadata.name, o.metadata.creationTimestamp]) as Cells };

export type IncludeObject = 'None' | 'Metadata' | 'Object';

function rowObject(o: KubeObject, include: IncludeObject): object | undefined {
  if (include === 'None') return undefined;
  if (include === 'Object') return o;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}

export function toTable(kind: string, objects: KubeObject[], listMeta: object, include: IncludeObject, withColumns = true): object {
  const printer = KINDS[kind] ?? DEFAULT;
  const now = Date.now();
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    ...(withColumns ? { columnDefinitions: printer.columns } : { columnDefinitions: null }),
    rows: objects.map((o) => {
      const object = rowObject(o, include);
      return { cells: printer.cells(o, now), ...(object ? { object } : {}) };
    }),
  };
}

/** Does this Accept header ask for server-side printing? */
export function wantsTable(accept: string | undefined): boolean {
  return (accept ?? '').split(',').some((part) => {
    const params = part.split(';').map((p) => p.trim());
    return params.includes('as=Table') && params.includes('g=meta.k8s.io') && (params.includes('v=v1') || params.includes('v=v1beta1'));
  });
}
