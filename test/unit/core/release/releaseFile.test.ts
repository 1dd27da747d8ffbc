import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { parse } from 'yaml';
import { newReleaseId, parseReleaseFile, releaseFilePath, serializeRelease, RELEASES_DIR } from '../../../../src/core/release/releaseFile';
import { applyAction, markDeployed } from '../../../../src/core/release/stateMachine';
import type { Release } from '../../../../src/core/release/types';
import type { Problem } from '../../../../src/core/types';
import { ctx, ID, release, RIO, SAM, SHA_1, SHA_3 } from './fixtures';

const FILE = `/ws/pay/.gitopshq/releases/${ID}.yaml`;
const BLOB = '3b18e51d4a6f0c1b2e3d4f5a6b7c8d9e0f1a2b3c';
const BASE = '9fceb02d0ae598e95dc970b74767f19372d61af8';
const HEAD = '1a410efbd13591db07496601ebc7a059dd55cfe9';

const SAMPLE = `apiVersion: gitopshq.io/v1alpha1
kind: Release
id: ${ID}
title: Enable new checkout flow for payment-api v2.5.0
notes: Why the change is made.
rollback: Set FEATURE_NEW_CHECKOUT to "false".
environment: staging
tenants: [ acme ]
changes:
  - { path: values/staging/payment-api.yaml, workload: payment-api, blob: ${BLOB} }
base: ${BASE}
head: ${HEAD}
policy: { required: 1, approvers: [ team:devops, team:sre ], requesterCanApprove: false }
createdBy: { name: Dana, email: dana@example.com }
createdAt: 2026-11-26T10:00:00Z
state: pending_approval
approvals:
  - { by: { name: Sam, email: sam@example.com }, decision: approve, at: 2026-11-26T10:20:00Z, comment: "" }
history:
  - { state: pending_approval, at: 2026-11-26T10:00:00Z, by: { name: Dana, email: dana@example.com } }
deploy: { commit: null, at: null }
`;

const LINES = SAMPLE.split('\n');
const lineOf = (prefix: string) => LINES.findIndex((l) => l.startsWith(prefix));
const span = (line: number, start: number, end: number): Problem['span'] => ({ start: { line, character: start }, end: { line, character: end } });

function only(text: string, file = FILE): Problem {
  const { release: r, problems } = parseReleaseFile(text, file);
  assert.equal(r, undefined);
  assert.equal(problems.length, 1, JSON.stringify(problems, null, 1));
  const problem = problems[0] as Problem;
  assert.equal(problem.code, 'release-invalid');
  assert.equal(problem.file, file);
  return problem;
}

describe('release file', () => {
  it('releaseFilePath is <root>/.gitopshq/releases/<id>.yaml', () => {
    assert.equal(RELEASES_DIR, '.gitopshq/releases');
    assert.equal(releaseFilePath('/ws/pay', ID), path.join('/ws/pay', '.gitopshq', 'releases', `${ID}.yaml`));
  });

  it('reads the spec example (with full object ids)', () => {
    const { release: r, problems } = parseReleaseFile(SAMPLE, FILE);
    assert.deepEqual(problems, []);
    assert.ok(r);
    assert.equal(r.state, 'pending_approval');
    assert.deepEqual(r.changes, [{ path: 'values/staging/payment-api.yaml', workload: 'payment-api', blob: BLOB }]);
    assert.deepEqual(r.policy, { required: 1, approvers: ['team:devops', 'team:sre'], requesterCanApprove: false });
    assert.deepEqual(r.approvals[0]?.by, { name: 'Sam', email: 'sam@example.com' });
    assert.equal(r.createdAt, '2026-11-26T10:00:00Z');
    assert.equal(r.rollback, 'Set FEATURE_NEW_CHECKOUT to "false".');
    assert.deepEqual(r.deploy, { commit: null, at: null });
  });

  it('serializes in the spec field order, one line per change, approval and history entry', () => {
    const r = parseReleaseFile(SAMPLE, FILE).release as Release;
    const text = serializeRelease(r);
    assert.deepEqual(
      Object.keys(parse(text) as object),
      ['apiVersion', 'kind', 'id', 'title', 'notes', 'rollback', 'environment', 'tenants', 'changes', 'base', 'head', 'policy', 'createdBy', 'createdAt', 'state', 'approvals', 'history', 'deploy'],
    );
    assert.ok(text.includes(`  - { path: values/staging/payment-api.yaml, workload: payment-api, blob: ${BLOB} }\n`), text);
    assert.ok(text.includes('deploy: { commit: null, at: null }\n'), text);
    assert.ok(text.includes('policy: { required: 1, approvers: [ team:devops, team:sre ], requesterCanApprove: false }\n'), text);
    assert.equal(serializeRelease(parseReleaseFile(text, FILE).release as Release), text, 'stable');
  });

  it('round-trips a release through its whole life (multi-line notes, comments, several tenants, rollbackOf)', () => {
    let r: Release = { ...release('pending_approval'), notes: 'Line one: why.\nLine two: "quotes" and # hash.\n', tenants: ['acme', 'globex'], bases: { acme: SHA_1, globex: null }, rollbackOf: 'rel_01JDX4V6Q8K7E3M2N1P0R9S8T6' };
    r = applyAction(r, 'approve', ctx(SAM, { comment: 'yes: ship it' }));
    r = applyAction(r, 'deploy', ctx(RIO));
    r = markDeployed(r, { acme: SHA_1, globex: SHA_3 }, ctx(RIO));
    const text = serializeRelease(r);
    const back = parseReleaseFile(text, FILE);
    assert.deepEqual(back.problems, []);
    assert.deepEqual(back.release, r);
    // An anchor makes the fast reader decline: the positioned path must read the same release.
    assert.deepEqual(parseReleaseFile(text.replace('tenants: ', 'tenants: &t '), FILE).release, r);
    const noWorkload: Release = { ...r, changes: [{ path: '.gitopshq/variables.yaml', blob: null }], rollback: 'true' };
    assert.deepEqual(parseReleaseFile(serializeRelease(noWorkload), FILE).release, noWorkload);
  });

  describe('invalid files are problems at the node, never exceptions', () => {
    const required = ['apiVersion', 'kind', 'id', 'title', 'notes', 'environment', 'tenants', 'changes', 'base', 'head', 'policy', 'createdBy', 'createdAt', 'state', 'history'];
    for (const key of required) {
      it(`missing ${key}: reported on the first line`, () => {
        // A list's items go with its key.
        const text = SAMPLE.replace(new RegExp(`^${key}:.*\\n(  - .*\\n)*`, 'm'), '');
        const problem = only(text);
        assert.equal(problem.message, `Missing required key "${key}".`);
        assert.deepEqual(problem.span, span(0, 0, (text.split('\n')[0] as string).length));
      });
    }

    /** The span of `needle` in the edited text (its first occurrence). */
    const at = (text: string, needle: string): Problem['span'] => {
      const line = text.split('\n').findIndex((l) => l.includes(needle));
      const start = (text.split('\n')[line] as string).indexOf(needle);
      return span(line, start, start + needle.length);
    };
    const cases: [string, string, string, string, string][] = [
      ['a bad state', 'state: pending_approval', 'state: done', 'state: Expected one of draft, pending_approval, approved, deploying, deployed, failed, cancelled; got "done".', 'done'],
      ['a bad id', `id: ${ID}`, 'id: rel_123', 'id: A release id is "rel_" followed by a 26-character ULID, e.g. rel_01JDX4V6Q8K7E3M2N1P0R9S8T7.', 'rel_123'],
      ['a lowercase id', `id: ${ID}`, `id: ${ID.toLowerCase()}`, 'id: A release id is "rel_" followed by a 26-character ULID, e.g. rel_01JDX4V6Q8K7E3M2N1P0R9S8T7.', ID.toLowerCase()],
      ['a short blob', `blob: ${BLOB} }`, 'blob: 3b18e51 }', 'changes[0].blob: blob must be a full Git object id (40 hexadecimal characters).', '3b18e51'],
      ['an empty title', 'title: Enable new checkout flow for payment-api v2.5.0', 'title: "  "', 'title: Must not be empty.', '"  "'],
      ['a misspelt key', 'rollback:', 'rolback:', 'Unknown key "rolback". Did you mean "rollback"?', 'rolback'],
      ['a wrong kind', 'kind: Release', 'kind: Project', 'kind: Expected "Release".', 'Project'],
      ['a bad email', '{ name: Dana, email: dana@example.com }\ncreatedAt', '{ name: Dana, email: dana }\ncreatedAt', 'createdBy.email: Must be an email address.', 'dana'],
      ['a bad date', 'createdAt: 2026-11-26T10:00:00Z', 'createdAt: yesterday', 'createdAt: Must be an ISO date-time with a zone, e.g. 2026-11-26T10:00:00Z.', 'yesterday'],
      ['no tenants', 'tenants: [ acme ]', 'tenants: []', 'tenants: List at least 1 item(s).', '[]'],
      ['a negative quorum', 'required: 1', 'required: -1', 'policy.required: Must be 0 or more.', '-1'],
      ['an unknown decision', 'decision: approve', 'decision: maybe', 'approvals[0].decision: Expected one of approve, reject; got "maybe".', 'maybe'],
    ];
    for (const [what, from, to, message, needle] of cases) {
      it(`${what}: ${message}`, () => {
        assert.ok(SAMPLE.includes(from), from);
        const text = SAMPLE.replace(from, to);
        const problem = only(text);
        assert.equal(problem.message, message);
        assert.deepEqual(problem.span, at(text, needle));
      });
    }

    it('a state that contradicts the history is an error at the state', () => {
      const problem = only(SAMPLE.replace('state: pending_approval', 'state: approved'));
      assert.match(problem.message, /state is approved but the last history entry says pending_approval/);
      assert.deepEqual(problem.span, span(lineOf('state:'), 7, 15));
    });

    it('a file not named after its id is a warning and the release is still read', () => {
      const { release: r, problems } = parseReleaseFile(SAMPLE, '/ws/pay/.gitopshq/releases/copy.yaml');
      assert.ok(r);
      assert.deepEqual(problems.map((p) => [p.severity, p.message, p.span]), [['warning', `The file of release ${ID} should be named ${ID}.yaml: the extension finds releases by their file name.`, span(2, 4, 34)]]);
    });

    it('syntax errors, an empty file, a list and odd scalars give problems, not exceptions', () => {
      const syntax = only('apiVersion: gitopshq.io/v1alpha1\nkind: [Release\n');
      assert.equal(syntax.severity, 'error');
      assert.match(only('').message, /The release file is empty/);
      assert.match(only('- a\n- b\n').message, /Expected a mapping, got a list/);
      for (const text of ['~', '42', 'a: b: c', '{', SAMPLE + '---\nx: 1\n', SAMPLE.replace('tenants: [ acme ]', 'tenants: &t [ acme ]\nbases: *t')]) {
        const { problems } = parseReleaseFile(text, FILE);
        assert.ok(problems.length > 0 && problems.every((p) => p.code === 'release-invalid'), text);
      }
    });
  });

  describe('newReleaseId', () => {
    // Far-future times: ids are monotonic per process, and other suites may have made ids "now".
    const base = Date.parse('2200-01-01T00:00:00Z');
    const decodeTime = (id: string) => [...id.slice(4, 14)].reduce((n, c) => n * 32 + '0123456789ABCDEFGHJKMNPQRSTVWXYZ'.indexOf(c), 0);

    it('is rel_ + 26 Crockford base32 characters: 48-bit time, 80-bit randomness', () => {
      const id = newReleaseId(new Date(base));
      assert.match(id, /^rel_[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
      assert.equal(decodeTime(id), base);
      const other = newReleaseId(new Date(base + 1));
      assert.notEqual(other.slice(14), id.slice(14), 'fresh randomness in a new millisecond');
    });

    it('uses the random source per character and increments within the same millisecond', () => {
      const a = newReleaseId(new Date(base + 10), () => 0);
      assert.equal(a.slice(14), '0000000000000000');
      const b = newReleaseId(new Date(base + 10), () => 0.5);
      assert.equal(b.slice(14), '0000000000000001');
      const c = newReleaseId(new Date(base + 9));
      assert.equal(c.slice(14), '0000000000000002', 'a clock step back keeps the order');
      assert.equal(decodeTime(c), base + 10);
      const d = newReleaseId(new Date(base + 11), () => 31 / 32);
      assert.equal(d.slice(14), 'ZZZZZZZZZZZZZZZZ');
    });

    it('ids made in a burst are distinct and sorted', () => {
      const ids = Array.from({ length: 1000 }, () => newReleaseId(new Date(base + 20)));
      assert.equal(new Set(ids).size, ids.length);
      assert.deepEqual([...ids].sort(), ids);
      assert.ok(ids.every((id) => /^rel_[0-7][0-9A-HJKMNP-TV-Z]{25}$/.test(id)));
      for (const id of ids.filter((_, i) => i % 100 === 0)) assert.deepEqual(parseReleaseFile(SAMPLE.replace(ID, id), `/r/${id}.yaml`).problems, []);
    });

    it('the default source is crypto: ids made now are valid and unique', () => {
      const ids = new Set(Array.from({ length: 200 }, (_, i) => newReleaseId(new Date(base + 1000 + i))));
      assert.equal(ids.size, 200);
    });
  });
});
