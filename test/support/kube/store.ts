// The fake cluster's storage, as etcd plus the watch cache look to a client: one resourceVersion
// counter for every object, a bounded history of changes (what a watch from an old resourceVersion
// replays; older than the history is 410 Gone), and watchers fanned out per resource.
import { randomUUID } from 'node:crypto';
import type { KubeObject } from './selectors';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface Change {
  type: EventType;
  resource: string;
  resourceVersion: number;
  object: KubeObject;
  /** The object before the change (absent for ADDED): lets a list at an older resourceVersion be rebuilt. */
  previous?: KubeObject;
}

export type Listener = (change: Change) => void;

/** Kinds whose spec changes bump metadata.generation, as the real registry strategies do. */
const GENERATION_KINDS = new Set(['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'Application']);

export function timestamp(date = new Date()): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z');
}

// Objects are JSON (they travel as JSON): a JSON round trip copies them, faster than structuredClone.
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export class Store {
  private rv = 1000;
  /** Changes with resourceVersion <= this are forgotten: a watch or continue from there is 410 Gone. */
  private compactedRv = 1000;
  private readonly history: Change[] = [];
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(private readonly historyLimit = 5000) {}

  get resourceVersion(): number {
    return this.rv;
  }

  /** The oldest resourceVersion a watch can start from. */
  get oldestResourceVersion(): number {
    return this.compactedRv;
  }

  get(resource: string, namespace: string, name: string): KubeObject | undefined {
    const found = this.objects.get(resource)?.get(`${namespace}/${name}`);
    return found && clone(found);
  }

  /** The stored object itself, not a copy, for bulk reads (storms): never mutate it. */
  peek(resource: string, namespace: string, name: string): Readonly<KubeObject> | undefined {
    return this.objects.get(resource)?.get(`${namespace}/${name}`);
  }

  /** `list` without the copies, for bulk reads: never mutate the objects. */
  peekList(resource: string, namespace?: string): ReadonlyArray<Readonly<KubeObject>> {
    return sorted([...(this.objects.get(resource)?.values() ?? [])].filter((o) => namespace === undefined || o.metadata.namespace === namespace));
  }

  /** Current objects, sorted by namespace then name like etcd keys. */
  list(resource: string, namespace?: string): KubeObject[] {
    return sorted([...(this.objects.get(resource)?.values() ?? [])].filter((o) => namespace === undefined || o.metadata.namespace === namespace)).map(clone);
  }

  /**
   * The objects as they were at `rv`, rebuilt by undoing the newer changes; undefined when the
   * history no longer reaches back that far.
   */
  listAt(resource: string, rv: number, namespace?: string): KubeObject[] | undefined {
    if (rv < this.compactedRv) return undefined;
    const state = new Map<string, KubeObject>();
    for (const o of this.objects.get(resource)?.values() ?? []) state.set(key(o), o);
    for (let i = this.history.length - 1; i >= 0 && this.history[i]!.resourceVersion > rv; i--) {
      const change = this.history[i]!;
      if (change.resource !== resource) continue;
      if (change.type === 'ADDED') state.delete(key(change.object));
      else state.set(key(change.object), change.previous!);
    }
    return sorted([...state.values()].filter((o) => namespace === undefined || o.metadata.namespace === namespace)).map(clone);
  }

  /** The changes after `rv`, or undefined when some of them are no longer kept. */
  changesSince(resource: string, rv: number): Change[] | undefined {
    if (rv < this.compactedRv) return undefined;
    return this.history.filter((c) => c.resource === resource && c.resourceVersion > rv);
  }

  create(resource: string, object: KubeObject): KubeObject {
    const stored = clone(object);
    const k = key(stored);
    const objects = this.objects.get(resource) ?? new Map<string, KubeObject>();
    this.objects.set(resource, objects);
    if (objects.has(k)) throw new Error(`${resource} "${stored.metadata.name}" already exists`);
    stored.metadata.uid ??= randomUUID();
    stored.metadata.creationTimestamp ??= timestamp();
    if (GENERATION_KINDS.has(stored.kind ?? '')) stored.metadata.generation = 1;
    stored.metadata.resourceVersion = String(++this.rv);
    objects.set(k, stored);
    this.record({ type: 'ADDED', resource, resourceVersion: this.rv, object: stored });
    return clone(stored);
  }

  /** Replace an object (spec and/or status); a spec change bumps metadata.generation. */
  update(resource: string, object: KubeObject): KubeObject {
    return clone(this.write(resource, clone(object)));
  }

  /** Stores `stored` itself (the caller's copy, given up) as the new version of its object; returns it, not a copy. */
  private write(resource: string, stored: KubeObject): KubeObject {
    const objects = this.objects.get(resource);
    const k = key(stored);
    const previous = objects?.get(k);
    if (!objects || !previous) throw new Error(`${resource} "${stored.metadata.name}" not found`);
    stored.metadata.uid = previous.metadata.uid;
    stored.metadata.creationTimestamp = previous.metadata.creationTimestamp;
    if (GENERATION_KINDS.has(stored.kind ?? '')) {
      const generation = (previous.metadata.generation as number | undefined) ?? 1;
      stored.metadata.generation = JSON.stringify(stored.spec) === JSON.stringify(previous.spec) ? generation : generation + 1;
    }
    stored.metadata.resourceVersion = String(++this.rv);
    objects.set(k, stored);
    this.record({ type: 'MODIFIED', resource, resourceVersion: this.rv, object: stored, previous });
    return stored;
  }

  /** Read, change and write back one object. */
  modify(resource: string, namespace: string, name: string, change: (object: KubeObject) => void): KubeObject {
    const object = this.get(resource, namespace, name);
    if (!object) throw new Error(`${resource} "${namespace}/${name}" not found`);
    change(object);
    // `object` is already a private copy: stored as it is.
    return clone(this.write(resource, object));
  }

  /** `modify` without the copy of the result, for bulk writes (storms). */
  mutate(resource: string, namespace: string, name: string, change: (object: KubeObject) => void): void {
    const object = this.get(resource, namespace, name);
    if (!object) throw new Error(`${resource} "${namespace}/${name}" not found`);
    change(object);
    this.write(resource, object);
  }

  delete(resource: string, namespace: string, name: string): KubeObject | undefined {
    const objects = this.objects.get(resource);
    const previous = objects?.get(`${namespace}/${name}`);
    if (!objects || !previous) return undefined;
    objects.delete(`${namespace}/${name}`);
    // The DELETED event carries the object at a new resourceVersion, as etcd's delete revision.
    const deleted = clone(previous);
    deleted.metadata.resourceVersion = String(++this.rv);
    this.record({ type: 'DELETED', resource, resourceVersion: this.rv, object: deleted, previous });
    return clone(deleted);
  }

  /** Forget the whole history, as etcd compaction does: every older resourceVersion becomes 410 Gone. */
  compact(): void {
    this.history.length = 0;
    this.compactedRv = this.rv;
  }

  subscribe(resource: string, listener: Listener): () => void {
    const set = this.listeners.get(resource) ?? new Set<Listener>();
    this.listeners.set(resource, set);
    set.add(listener);
    return () => set.delete(listener);
  }

  private record(change: Change): void {
    this.history.push(change);
    // Compacted in steps of a quarter of the limit, as etcd compacts periodically: one splice per
    // step instead of shifting the whole history on every write of a storm.
    if (this.history.length > this.historyLimit + Math.floor(this.historyLimit / 4)) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.compactedRv = dropped[dropped.length - 1]!.resourceVersion;
    }
    for (const listener of [...(this.listeners.get(change.resource) ?? [])]) listener(change);
  }
}

function key(object: KubeObject): string {
  return `${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

function sorted(objects: KubeObject[]): KubeObject[] {
  return objects.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
