// The release file `.gitopshq/releases/<id>.yaml` (spec §4): read with zod and every problem placed on
// its YAML node, written in the spec's field order so that a release's history reads well in `git diff`.
//
// Every problem of a release file has the code `release-invalid` (YAML syntax errors included): the editor
// publishes them as one kind of diagnostic, and a broken file is reported, never thrown.
import * as path from 'node:path';
import { Document, isMap, isSeq, type Node } from 'yaml';
import { z } from 'zod';
import { API_VERSION, DATE_TIME_PATTERN, EMAIL_PATTERN, NAME_PATTERN } from '../model/manifest';
import type { Problem } from '../types';
import { parseFast } from '../yaml/valuesReader';
import { friendlyErrorMap, isStructurallySound, nodeAtPath, parseYaml, plainData, schemaProblems, spanOf } from '../yaml/yamlSource';
import type { Release } from './types';

/** Where release files live, relative to the project root. */
export const RELEASES_DIR = '.gitopshq/releases';

export const RELEASE_PROBLEM = 'release-invalid';

/** Crockford base32 (no I, L, O, U), the ULID alphabet. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const RELEASE_ID_PATTERN = /^rel_[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
/** A full object id: SHA-1 (40 hex) or SHA-256 (64 hex) repositories. */
const OBJECT_ID_PATTERN = /^([0-9a-f]{40}|[0-9a-f]{64})$/;

export function releaseFilePath(projectRoot: string, id: string): string {
  return path.join(projectRoot, RELEASES_DIR, `${id}.yaml`);
}

const objectId = (what: string) => z.string().regex(OBJECT_ID_PATTERN, `${what} must be a full Git object id (40 hexadecimal characters).`);
const dateTime = z.string().regex(DATE_TIME_PATTERN, 'Must be an ISO date-time with a zone, e.g. 2026-11-26T10:00:00Z.');
const identity = z
  .object({
    name: z.string().min(1),
    email: z.string().regex(EMAIL_PATTERN, 'Must be an email address.'),
  })
  .strict();
const state = z.enum(['draft', 'pending_approval', 'approved', 'deploying', 'deployed', 'failed', 'cancelled']);
const releaseId = z.string().regex(RELEASE_ID_PATTERN, 'A release id is "rel_" followed by a 26-character ULID, e.g. rel_01JDX4V6Q8K7E3M2N1P0R9S8T7.');
const nonEmpty = z.string().refine((s) => s.trim() !== '', 'Must not be empty.');
const tenant = z.string().regex(NAME_PATTERN, 'A tenant name is lowercase letters, digits and "-".');

export const releaseSchema = z
  .object({
    // Strings rather than literals: a missing key then reads "Missing required key", not "got an empty value".
    apiVersion: z.string().refine((v) => v === API_VERSION, `Expected "${API_VERSION}".`),
    kind: z.string().refine((v) => v === 'Release', 'Expected "Release".'),
    id: releaseId,
    title: nonEmpty,
    notes: nonEmpty,
    rollback: z.string().optional(),
    environment: z.string().regex(NAME_PATTERN, 'An environment name is lowercase letters, digits and "-".'),
    tenants: z.array(tenant).min(1),
    changes: z
      .array(
        z
          .object({
            path: z.string().min(1),
            workload: z.string().min(1).optional(),
            blob: objectId('blob').nullable(),
          })
          .strict(),
      )
      .min(1),
    base: objectId('base').nullable(),
    bases: z.record(tenant, objectId('A base').nullable()).optional(),
    head: objectId('head'),
    policy: z
      .object({
        required: z.number().int().min(0),
        approvers: z.array(z.string().min(1)),
        requesterCanApprove: z.boolean(),
      })
      .strict(),
    createdBy: identity,
    createdAt: dateTime,
    state,
    approvals: z
      .array(
        z
          .object({
            by: identity,
            decision: z.enum(['approve', 'reject']),
            at: dateTime,
            comment: z.string().default(''),
          })
          .strict(),
      )
      .default([]),
    history: z
      .array(
        z
          .object({
            state,
            at: dateTime,
            by: identity,
            comment: z.string().optional(),
          })
          .strict(),
      )
      .min(1, 'List at least the entry of the release\'s creation.'),
    deploy: z
      .object({
        commit: objectId('deploy.commit').nullable(),
        at: dateTime.nullable(),
        commits: z.record(tenant, objectId('A deployed commit')).optional(),
      })
      .strict()
      .default({ commit: null, at: null }),
    rollbackOf: releaseId.optional(),
  })
  .strict();

/** Reads a release file. `release` is absent when the file has errors; warnings (file name) keep it. */
export function parseReleaseFile(text: string, file: string): { release?: Release; problems: Problem[] } {
  // The fast reader (see yaml/valuesReader.ts) handles the files we write, several times faster than building
  // a Document; anything it declines, and any file with a problem, goes through the positioned path.
  const fast = parseFast(text, file, 0);
  if (fast && fast.problems.length === 0) {
    const result = releaseSchema.safeParse(fast.value);
    if (result.success) {
      const release = fromData(result.data);
      if (release.history.at(-1)?.state === release.state && path.basename(file) === `${release.id}.yaml`) return { release, problems: [] };
    }
  }
  return parseWithPositions(text, file);
}

function parseWithPositions(text: string, file: string): { release?: Release; problems: Problem[] } {
  const parsed = parseYaml(text, file);
  const problems: Problem[] = parsed.problems.map((p) => ({ ...p, code: RELEASE_PROBLEM }));
  if (!isStructurallySound(parsed.doc)) return { problems };
  const raw: unknown = plainData(parsed.doc);
  if (raw === null || raw === undefined) {
    const span = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
    return { problems: [...problems, { file, span, severity: 'error', code: RELEASE_PROBLEM, message: `The release file is empty: it needs apiVersion: ${API_VERSION}, kind: Release and the release's fields.` }] };
  }
  const result = releaseSchema.safeParse(raw, { errorMap: friendlyErrorMap });
  if (!result.success) {
    const ctx = { doc: parsed.doc, lineCounter: parsed.lineCounter, text, file, code: RELEASE_PROBLEM, schema: releaseSchema };
    return { problems: [...problems, ...schemaProblems(result.error, ctx).map((s) => s.problem)] };
  }
  const release = fromData(result.data);
  const at = (p: (string | number)[], severity: Problem['severity'], message: string): Problem => {
    const { node, keyNode } = nodeAtPath(parsed.doc, p);
    return { file, span: spanOf((node ?? keyNode) as Node, parsed.lineCounter), severity, code: RELEASE_PROBLEM, message };
  };
  const last = release.history[release.history.length - 1];
  if (last && last.state !== release.state) {
    problems.push(at(['state'], 'error', `state is ${release.state} but the last history entry says ${last.state}: the history is appended with every transition, so the two must agree.`));
  }
  const expectedName = `${release.id}.yaml`;
  if (path.basename(file) !== expectedName) {
    problems.push(at(['id'], 'warning', `The file of release ${release.id} should be named ${expectedName}: the extension finds releases by their file name.`));
  }
  return problems.some((p) => p.severity === 'error') ? { problems } : { release, problems };
}

type ReleaseData = z.output<typeof releaseSchema>;

/** Builds the Release without `undefined` optional fields, so that parse(serialize(r)) deep-equals r. */
function fromData(d: ReleaseData): Release {
  const release: Release = {
    apiVersion: API_VERSION,
    kind: 'Release',
    id: d.id,
    title: d.title,
    notes: d.notes,
    environment: d.environment,
    tenants: d.tenants,
    changes: d.changes.map((c) => (c.workload === undefined ? { path: c.path, blob: c.blob } : { path: c.path, workload: c.workload, blob: c.blob })),
    base: d.base,
    head: d.head,
    policy: d.policy,
    createdBy: d.createdBy,
    createdAt: d.createdAt,
    state: d.state,
    approvals: d.approvals,
    history: d.history.map((h) => (h.comment === undefined ? { state: h.state, at: h.at, by: h.by } : { state: h.state, at: h.at, by: h.by, comment: h.comment })),
    deploy: d.deploy.commits === undefined ? { commit: d.deploy.commit, at: d.deploy.at } : { commit: d.deploy.commit, at: d.deploy.at, commits: d.deploy.commits },
  };
  if (d.rollback !== undefined) release.rollback = d.rollback;
  if (d.bases !== undefined) release.bases = d.bases;
  if (d.rollbackOf !== undefined) release.rollbackOf = d.rollbackOf;
  return release;
}

/** The release as YAML in the spec's field order; list items and small mappings on one line each. */
export function serializeRelease(release: Release): string {
  const ordered: Record<string, unknown> = {
    apiVersion: release.apiVersion,
    kind: release.kind,
    id: release.id,
    title: release.title,
    notes: release.notes,
    ...(release.rollback !== undefined ? { rollback: release.rollback } : {}),
    environment: release.environment,
    tenants: release.tenants,
    changes: release.changes.map((c) => ({ path: c.path, ...(c.workload !== undefined ? { workload: c.workload } : {}), blob: c.blob })),
    base: release.base,
    ...(release.bases !== undefined ? { bases: release.bases } : {}),
    head: release.head,
    policy: { required: release.policy.required, approvers: release.policy.approvers, requesterCanApprove: release.policy.requesterCanApprove },
    createdBy: identityData(release.createdBy),
    createdAt: release.createdAt,
    state: release.state,
    approvals: release.approvals.map((a) => ({ by: identityData(a.by), decision: a.decision, at: a.at, comment: a.comment })),
    history: release.history.map((h) => ({ state: h.state, at: h.at, by: identityData(h.by), ...(h.comment !== undefined ? { comment: h.comment } : {}) })),
    deploy: { commit: release.deploy.commit, at: release.deploy.at, ...(release.deploy.commits !== undefined ? { commits: release.deploy.commits } : {}) },
    ...(release.rollbackOf !== undefined ? { rollbackOf: release.rollbackOf } : {}),
  };
  const doc = new Document(ordered);
  for (const key of ['tenants', 'bases', 'policy', 'createdBy', 'deploy']) flow(doc.get(key, true));
  for (const key of ['changes', 'approvals', 'history']) {
    const list = doc.get(key, true);
    if (isSeq(list)) for (const item of list.items) flow(item);
  }
  // lineWidth 0: long titles and flow mappings stay on one line (folded lines make noisy diffs).
  return doc.toString({ lineWidth: 0 });
}

function identityData(identity: { name: string; email: string }): { name: string; email: string } {
  return { name: identity.name, email: identity.email };
}

function flow(node: unknown): void {
  if (isMap(node) || isSeq(node)) node.flow = true;
}

// ---------------------------------------------------------------------------------------------
// ULIDs: 48-bit millisecond time + 80 bits of randomness, Crockford base32, 26 characters. Within one
// millisecond (or if the clock steps back) the previous random part is incremented, so ids created in a
// row sort in creation order, like the release files in the folder.

let lastTime = -1;
let lastRandom: number[] = [];

export function newReleaseId(now: Date = new Date(), random: () => number = cryptoRandom): string {
  const time = now.getTime();
  if (time <= lastTime) {
    lastRandom = increment(lastRandom);
  } else {
    lastTime = time;
    lastRandom = Array.from({ length: 16 }, () => Math.min(31, Math.floor(random() * 32)));
  }
  return `rel_${encodeTime(lastTime)}${lastRandom.map((d) => CROCKFORD[d]).join('')}`;
}

function encodeTime(time: number): string {
  let out = '';
  let rest = time;
  for (let i = 0; i < 10; i++) {
    out = (CROCKFORD[rest % 32] as string) + out;
    rest = Math.floor(rest / 32);
  }
  return out;
}

function increment(digits: number[]): number[] {
  const next = [...digits];
  for (let i = next.length - 1; i >= 0; i--) {
    if ((next[i] as number) < 31) {
      next[i] = (next[i] as number) + 1;
      return next;
    }
    next[i] = 0;
  }
  // 2^80 ids in one millisecond: not reachable, but never return a duplicate.
  throw new Error('ULID random part overflow');
}

function cryptoRandom(): number {
  return (globalThis.crypto.getRandomValues(new Uint32Array(1))[0] as number) / 2 ** 32;
}
