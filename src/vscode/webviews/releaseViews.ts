// What the release panels send, built from the service's data: per-file diffs with secrets masked,
// candidates merged across tenants, audit filter options. Pure (no `vscode`), unit-tested in
// test/unit/protocol/releaseViews.test.ts.
import { structuredPatch } from 'diff';
import { isScalar, parseDocument, visit } from 'yaml';
import { SECRET_MASK } from '../../protocol/compare';
import type { WireCandidate } from '../../protocol/createRelease';
import type { WireAuditEntry } from '../../protocol/audit';
import type { WireFileDiff } from '../../protocol/release';

/** Lines of diff sent at most per file: more is cut (the message stays small, the webview fast). */
export const MAX_DIFF_LINES = 2000;

/**
 * The text with the value of every `secret: true` variable replaced by the mask (structurally:
 * any YAML mapping with `secret: true` has its `value` masked), then, belt and braces, every known
 * secret value wherever it still appears.
 */
export function maskSecretText(text: string, secretValues: readonly string[]): { text: string; masked: boolean } {
  const ranges: [number, number][] = [];
  if (/\bsecret\s*:/.test(text)) {
    const doc = parseDocument(text);
    visit(doc, {
      Map(_key, map) {
        if (map.get('secret') !== true) return;
        const pair = map.items.find((p) => isScalar(p.key) && p.key.value === 'value');
        const node = pair?.value as { range?: [number, number, number] } | null | undefined;
        if (node?.range) ranges.push([node.range[0], node.range[1]]);
      },
    });
  }
  let out = text;
  for (const [start, end] of ranges.sort((a, b) => b[0] - a[0])) out = `${out.slice(0, start)}${SECRET_MASK}${out.slice(end)}`;
  for (const secret of secretValues) if (secret.length > 0) out = out.split(secret).join(SECRET_MASK);
  return { text: out, masked: out !== text };
}

/** The unified diff of one file (3 lines of context) as the panels show it, secrets masked on both sides. */
export function fileDiff(path: string, before: string, after: string, secretValues: readonly string[]): WireFileDiff {
  const b = maskSecretText(before, secretValues);
  const a = maskSecretText(after, secretValues);
  const patch = structuredPatch(`a/${path}`, `b/${path}`, b.text, a.text, '', '', { context: 3 });
  let budget = MAX_DIFF_LINES;
  let truncated = false;
  let added = 0;
  let removed = 0;
  const hunks: WireFileDiff['hunks'] = [];
  for (const h of patch.hunks) {
    for (const line of h.lines) {
      if (line.startsWith('+')) added++;
      else if (line.startsWith('-')) removed++;
    }
    if (budget <= 0) {
      truncated = true;
      continue;
    }
    const lines = h.lines.length > budget ? h.lines.slice(0, budget) : h.lines;
    if (lines.length < h.lines.length) truncated = true;
    budget -= lines.length;
    hunks.push({ oldStart: h.oldStart, oldLines: h.oldLines, newStart: h.newStart, newLines: h.newLines, lines });
  }
  return { path, hunks, added, removed, masked: a.masked || b.masked, truncated };
}

/** Per tenant candidates, as the contract's CandidateView gives them. */
export interface TenantCandidates {
  tenant: string;
  changes: { path: string; status: WireCandidate['status']; workload?: string; kind: WireCandidate['kind']; uncommitted: boolean }[];
}

/** One row per path across the selected tenants (the first tenant's status), grouped order: workload, then path. */
export function mergeCandidates(views: readonly TenantCandidates[]): WireCandidate[] {
  const byPath = new Map<string, WireCandidate>();
  for (const view of views) {
    for (const c of view.changes) {
      const known = byPath.get(c.path);
      if (known) {
        known.tenants.push(view.tenant);
        known.uncommitted ||= c.uncommitted;
        continue;
      }
      byPath.set(c.path, {
        path: c.path,
        status: c.status,
        ...(c.workload !== undefined ? { workload: c.workload } : {}),
        kind: c.kind,
        uncommitted: c.uncommitted,
        tenants: [view.tenant],
      });
    }
  }
  return [...byPath.values()].sort((a, b) => (a.workload ?? '\uffff').localeCompare(b.workload ?? '\uffff') || a.path.localeCompare(b.path));
}

/** The values the audit panel's filter dropdowns offer. */
export function auditOptions(entries: readonly Pick<WireAuditEntry, 'environment' | 'environments' | 'workloads' | 'who' | 'action'>[]): {
  environments: string[];
  workloads: string[];
  people: { email: string; name: string }[];
  actions: WireAuditEntry['action'][];
} {
  const environments = new Set<string>();
  const workloads = new Set<string>();
  const people = new Map<string, string>();
  const actions = new Set<WireAuditEntry['action']>();
  for (const e of entries) {
    if (e.environment) environments.add(e.environment);
    for (const env of e.environments ?? []) environments.add(env);
    for (const w of e.workloads) workloads.add(w);
    const key = (e.who.email || e.who.name).toLowerCase();
    if (key && !people.has(key)) people.set(key, e.who.name);
    actions.add(e.action);
  }
  const sorted = (s: Iterable<string>) => [...s].sort((a, b) => a.localeCompare(b));
  return {
    environments: sorted(environments),
    workloads: sorted(workloads),
    people: [...people.entries()].map(([email, name]) => ({ email, name })).sort((a, b) => (a.name || a.email).localeCompare(b.name || b.email)),
    actions: [...actions].sort(),
  };
}

/** An audit entry with any secret value that slipped into its text masked. */
export function maskAuditEntry<E extends { summary: string; releaseTitle?: string }>(entry: E, secretValues: readonly string[]): E {
  const mask = (s: string) => secretValues.reduce((acc, secret) => (secret ? acc.split(secret).join(SECRET_MASK) : acc), s);
  return { ...entry, summary: mask(entry.summary), ...(entry.releaseTitle !== undefined ? { releaseTitle: mask(entry.releaseTitle) } : {}) };
}
