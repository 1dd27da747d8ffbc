import * as assert from 'node:assert/strict';
import { compileFilter, FilterError, isErrorLine } from '../../../../src/core/logs/filters';
import { LineAssembler } from '../../../../src/core/logs/lineAssembler';
import { LogBuffer, type SourceLine } from '../../../../src/core/logs/logBuffer';
import { linePrefix, markerLine, shortPodName } from '../../../../src/core/logs/prefixes';
import { ResumeDedupe } from '../../../../src/core/logs/resumeDedupe';
import { RingBuffer } from '../../../../src/core/logs/ringBuffer';
import { parseSince, parseSinceTime } from '../../../../src/core/logs/since';
import { keyOfTime, splitTimestamp, wholeSecond } from '../../../../src/core/logs/timestamps';

describe('core/logs', () => {
  describe('timestamps', () => {
    it('splits RFC3339Nano with trimmed fractions and keeps the text exactly', () => {
      const a = splitTimestamp('2024-05-01T10:00:00Z  two spaces and trailing  ');
      assert.deepEqual(a, { ts: '2024-05-01T10:00:00Z', key: '2024-05-01T10:00:00.000000000', text: ' two spaces and trailing  ' });
      const b = splitTimestamp('2024-05-01T10:00:00.1Z x')!;
      const c = splitTimestamp('2024-05-01T10:00:00.09Z x')!;
      assert.ok(c.key < b.key, 'a shorter fraction is not a later time: .09 < .1');
      assert.equal(splitTimestamp('no stamp here'), undefined);
      assert.equal(splitTimestamp('2024-05-01T12:00:00.5+02:00 y')!.key, '2024-05-01T10:00:00.500000000');
      assert.equal(wholeSecond(b.key), '2024-05-01T10:00:00Z');
      assert.equal(keyOfTime('2024-05-01T10:00:00.25Z'), '2024-05-01T10:00:00.250000000');
      assert.equal(keyOfTime(Date.UTC(2024, 4, 1, 10, 0, 0, 7)), '2024-05-01T10:00:00.007000000');
    });
  });

  describe('LineAssembler', () => {
    it('reassembles lines and multi-byte characters split across chunks', () => {
      const bytes = Buffer.from('héllo wörld 🚀 ok\nsecond line  \nthird');
      const assembler = new LineAssembler();
      const lines: string[] = [];
      // Every byte its own chunk: each multi-byte character is split.
      for (const byte of bytes) lines.push(...assembler.push(Uint8Array.of(byte)));
      assert.deepEqual(lines, ['héllo wörld 🚀 ok', 'second line  ']);
      assert.deepEqual(assembler.finish(), ['third']);
    });

    it('forgets a partial last line on reset (it comes again on resume)', () => {
      const assembler = new LineAssembler();
      assert.deepEqual(assembler.push(Buffer.from('a\npart')), ['a']);
      assembler.reset();
      assert.deepEqual(assembler.push(Buffer.from('partial whole\n')), ['partial whole']);
    });

    it('cuts a line longer than the cap instead of growing without bound', () => {
      const assembler = new LineAssembler(10);
      const lines = assembler.push(Buffer.from('x'.repeat(25)));
      assert.deepEqual(lines, ['x'.repeat(10), 'x'.repeat(10)]);
      assert.equal(assembler.cuts, 2);
      assert.equal(assembler.pending, 5);
    });
  });

  describe('ResumeDedupe', () => {
    const t = (s: string) => `2024-05-01T10:00:0${s}`;

    it('drops exactly the replayed lines of the last second, keeping a line really written twice', () => {
      const d = new ResumeDedupe();
      // First connection: two lines in second 1, the second of two identical lines not yet received.
      assert.ok(d.accept(t('0.100000000'), 'old'));
      assert.ok(d.accept(t('1.100000000'), 'same'));
      assert.ok(d.accept(t('1.200000000'), 'dup'));
      d.resume();
      // The server replays second 1 from its start (whole-second sinceTime).
      const replay: Array<[string, string]> = [[t('1.100000000'), 'same'], [t('1.200000000'), 'dup'], [t('1.200000000'), 'dup'], [t('2.000000000'), 'new']];
      assert.deepEqual(replay.map(([k, text]) => d.accept(k, text)), [false, false, true, true]);
    });

    it('keeps lines with equal timestamps and different text, and resumes twice in a row', () => {
      const d = new ResumeDedupe();
      const k = t('3.000000000');
      assert.ok(d.accept(k, 'a'));
      assert.ok(d.accept(k, 'b'));
      d.resume();
      assert.deepEqual([d.accept(k, 'a'), d.accept(k, 'b'), d.accept(k, 'c')], [false, false, true]);
      d.resume();
      assert.deepEqual([d.accept(k, 'a'), d.accept(k, 'b'), d.accept(k, 'c'), d.accept(k, 'c')], [false, false, false, true]);
      assert.equal(d.last, k);
    });

    it('without a resume, identical lines are all new', () => {
      const d = new ResumeDedupe();
      assert.deepEqual([d.accept(t('1'), 'x'), d.accept(t('1'), 'x')], [true, true]);
    });
  });

  describe('filters', () => {
    it('include and exclude', () => {
      const f = compileFilter({ include: 'GET|POST', exclude: '/healthz' });
      assert.deepEqual(['GET /api 200', 'GET /healthz 200', 'DELETE /x'].map((l) => f.accepts('p/c', l)), [true, false, false]);
    });

    it('refuses an invalid regular expression with the engine\'s reason', () => {
      assert.throws(() => compileFilter({ include: '(unclosed' }), (err: unknown) => err instanceof FilterError && /Invalid include regular expression \/\(unclosed\/: .*(Unterminated group|unterminated)/i.test(err.message));
      assert.throws(() => compileFilter({ exclude: '[z-a]' }), FilterError);
    });

    it('errors only: the usual error shapes', () => {
      for (const line of ['ERROR something', 'panic: runtime error', 'level=error msg="x"', '{"level":"error","msg":"x"}', 'E0501 10:00:00.000000 1 reflector.go:1] failed', 'java.lang.IllegalStateException: boom', 'FATAL: db gone']) {
        assert.ok(isErrorLine(line), line);
      }
      for (const line of ['level=info msg="GET / 200"', 'I0501 10:00:00 ok', 'mirrors synced', 'terrors']) assert.ok(!isErrorLine(line), line);
    });

    it('errors only keeps the stack trace that follows, per source', () => {
      const f = compileFilter({ errorsOnly: true });
      const a = [
        ['a', 'level=info starting'],
        ['a', 'Exception in thread "main" java.lang.NullPointerException: x'],
        ['b', 'level=info request ok'],
        ['a', '\tat com.shop.Checkout.run(Checkout.java:42)'],
        ['a', 'Caused by: java.io.IOException: closed'],
        ['a', '\t... 3 more'],
        ['a', 'level=info recovered'],
        ['a', '    at not.after.a.plain.line()'],
        ['b', 'panic: runtime error: index out of range'],
        ['b', 'goroutine 1 [running]:'],
        ['b', 'main.main()'],
        ['b', '\t/app/main.go:12 +0x1d'],
        ['b', 'Traceback (most recent call last):'],
      ] as const;
      const kept = a.filter(([source, text]) => f.accepts(source, text)).map(([, text]) => text);
      assert.deepEqual(kept, [
        'Exception in thread "main" java.lang.NullPointerException: x',
        '\tat com.shop.Checkout.run(Checkout.java:42)',
        'Caused by: java.io.IOException: closed',
        '\t... 3 more',
        'panic: runtime error: index out of range',
        'goroutine 1 [running]:',
        'main.main()',
        '\t/app/main.go:12 +0x1d',
        'Traceback (most recent call last):',
      ]);
    });
  });

  describe('prefixes', () => {
    it('short pod names and container prefixes', () => {
      assert.equal(shortPodName('checkout-web-7d4b9c8f6d-xk2lp', 'checkout-web-7d4b9c8f6d-'), 'xk2lp');
      assert.equal(shortPodName('checkout-web-7d4b9c8f6d-xk2lp'), 'xk2lp');
      assert.equal(shortPodName('ledger-worker-0'), 'ledger-worker-0');
      assert.equal(linePrefix('xk2lp', 'app', true), '[xk2lp/app]');
      assert.equal(linePrefix('xk2lp', 'app', false), '[xk2lp]');
      assert.equal(markerLine('resumed'), '── resumed ──');
    });
  });

  describe('since', () => {
    it('durations and ISO times', () => {
      assert.deepEqual(['30s', '5m', '1h', '1h30m'].map(parseSince), [30, 300, 3600, 5400]);
      assert.throws(() => parseSince('5 minutes'), /not a duration/);
      assert.throws(() => parseSince('0s'), /longer than 0/);
      assert.equal(parseSinceTime('2025-01-31T09:30:00Z'), '2025-01-31T09:30:00Z');
      assert.throws(() => parseSinceTime('yesterday'), /not an ISO time/);
    });
  });

  describe('RingBuffer', () => {
    it('keeps the newest N and counts what it dropped', () => {
      const ring = new RingBuffer<number>(3);
      for (let i = 1; i <= 5; i++) ring.push(i);
      assert.deepEqual(ring.toArray(), [3, 4, 5]);
      assert.equal(ring.dropped, 2);
      assert.throws(() => new RingBuffer(0), RangeError);
    });
  });

  describe('LogBuffer', () => {
    function make(capacity = 100, filter = compileFilter({})) {
      const appended: string[] = [];
      const replaced: string[] = [];
      let clock = 0;
      const buffer = new LogBuffer({ capacity, filter, mask: (s) => s.replace(/hunter22/g, '••••••'), timestamps: false, append: (t) => appended.push(t), replace: (t) => replaced.push(t), flushMs: 100, now: () => clock });
      return { buffer, appended, replaced, tick: (ms: number) => (clock += ms) };
    }
    const line = (text: string, key = '2024-05-01T10:00:01.000000000', source = 'p/app'): SourceLine => ({ source, prefix: '[p]', key, ts: '2024-05-01T10:00:01Z', text });

    it('batches, masks secrets, places a timed marker among pending lines, and announces its cap', () => {
      const { buffer, appended } = make(3);
      buffer.lines([line('one', '2024-05-01T10:00:01.000000000'), line('password hunter22', '2024-05-01T10:00:03.000000000')]);
      buffer.marker('rel_1 Storefront 3.2.0: In Progress', '2024-05-01T10:00:02.000000000');
      assert.equal(appended.length, 0, 'nothing is written before the flush');
      buffer.flush();
      assert.deepEqual(appended, ['[p] one\n── rel_1 Storefront 3.2.0: In Progress ──\n[p] password ••••••\n']);
      buffer.lines([line('four'), line('five')]);
      buffer.flush();
      const retained = buffer.retained();
      assert.equal(retained.length, 3);
      assert.match(retained[2]!, /more than 3 lines: only the newest are kept for export \(setting gitopshq\.logs\.bufferLines\)/);
    });

    it('a filter change applies from the next line, without losing lines in between', () => {
      const { buffer, appended } = make();
      buffer.lines([line('GET /a'), line('POST /b')]);
      buffer.setFilter(compileFilter({ include: 'POST' }));
      buffer.lines([line('GET /c'), line('POST /d')]);
      buffer.flush();
      assert.deepEqual(appended.join('').split('\n').filter(Boolean), ['[p] GET /a', '[p] POST /b', '[p] POST /d']);
      assert.deepEqual([buffer.written, buffer.filteredOut], [3, 1]);
    });

    it('trims the channel once it got more than twice the cap, saying where the rest is', () => {
      const { buffer, replaced, appended } = make(4);
      for (let i = 0; i < 10; i++) {
        buffer.lines([line(`l${i}`)]);
        buffer.flush();
      }
      assert.equal(replaced.length, 1, 'one rewrite for 10 lines past a cap of 4');
      const rewritten = replaced[0]!.split('\n').filter(Boolean);
      assert.match(rewritten[0]!, /^── channel trimmed to the newest 4 lines; Export Log Stream writes the newest 4 ──$/);
      assert.deepEqual(rewritten.slice(-1), ['[p] l7'], 'rewritten at the flush that passed twice the cap');
      assert.equal(appended.at(-1), '[p] l9\n');
      assert.deepEqual(buffer.retained().slice(-2), ['[p] l8', '[p] l9']);
    });
  });
});

describe('core/logs planStream', () => {
  // Imported here so the describe above stays about the pure pieces.
  const { planStream, DEFAULT_TAIL } = require('../../../../src/core/logs/streamArgs') as typeof import('../../../../src/core/logs/streamArgs');
  const base = { project: 'shop', environment: 'dev', workload: 'api' };

  it('defaults: the last 100 lines, then follow, no timestamps', () => {
    const plan = planStream(base);
    assert.deepEqual(plan.window, { tailLines: DEFAULT_TAIL });
    assert.deepEqual([plan.follow, plan.previous, plan.timestamps, plan.filter.passesAll], [true, false, false, true]);
  });

  it('since, sinceTime, tail, pods and containers', () => {
    assert.deepEqual(planStream({ ...base, since: '5m' }).window, { sinceSeconds: 300 });
    assert.deepEqual(planStream({ ...base, sinceTime: '2025-01-31T09:30:00Z', tail: 10 }).window, { sinceTime: '2025-01-31T09:30:00Z', tailLines: 10 });
    const plan = planStream({ ...base, pod: 'api-1', container: ['app', 'proxy'], tenant: 'acme' });
    assert.deepEqual([plan.pods, plan.containers, plan.tenant], [['api-1'], ['app', 'proxy'], 'acme']);
    assert.equal(planStream({ ...base, pod: 'all' }).pods, undefined);
  });

  it('refuses bad arguments before anything streams', () => {
    assert.throws(() => planStream({ ...base, include: '(' }), /Invalid include regular expression/);
    assert.throws(() => planStream({ ...base, since: '5m', sinceTime: '2025-01-31T09:30:00Z' }), /not both/);
    assert.throws(() => planStream({ ...base, tail: -1 }), /whole number/);
    assert.throws(() => planStream({ project: 'shop', environment: 'dev' }), /needs "workload"/);
    assert.throws(() => planStream({ ...base, follow: 'yes' }), /"follow" must be true or false/);
  });
});
