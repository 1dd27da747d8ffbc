// What the dashboard needs beyond the model: the columns (every shown project's environments merged
// in promotion order) and, between two fleets, whether only some tiles changed (then the panel
// replaces those tiles alone) or the layout did (then it renders again).
import type { Fleet, FleetTile } from './types';

/**
 * The environment names of every project, merged so that each project's promotion order holds where
 * the projects agree: a name first seen is placed right after its predecessor in its own project.
 */
export function mergedColumns(orders: readonly (readonly string[])[]): string[] {
  const columns: string[] = [];
  for (const order of orders) {
    order.forEach((name, i) => {
      if (columns.includes(name)) return;
      const before = i > 0 ? columns.indexOf(order[i - 1]!) : -1;
      columns.splice(before + 1, 0, name);
    });
  }
  return columns;
}

/** The shape the panel lays out: projects, their environments and which tiles show, in order. */
export function layoutKey(fleet: Fleet): string {
  const parts: string[] = [];
  for (const p of fleet.projects) {
    parts.push(`p:${p.slug}:${p.name}:${p.mine ? 1 : 0}`);
    for (const e of p.environments) parts.push(`e:${e.name}:${e.tenants.map((t) => t.id).join(',')}`);
  }
  for (const b of fleet.broken) parts.push(`b:${b.manifestPath}:${b.errors}`);
  return parts.join('\n');
}

/** The tiles of `next` whose content differs from the same tile in `previous` (by `key`, e.g. JSON). */
export function changedTiles(previous: ReadonlyMap<string, string>, next: Fleet, key: (t: FleetTile) => string): FleetTile[] {
  const out: FleetTile[] = [];
  for (const p of next.projects) for (const e of p.environments) for (const t of e.tenants) if (previous.get(t.id) !== key(t)) out.push(t);
  return out;
}
