// ContainerTail against the fake API server over real HTTPS: resume without gaps or duplicates,
// waiting containers, idle connections, restarts, giving up, and closing on stop.
import * as assert from 'node:assert/strict';
import { ContainerTail, type TailEvent, type TailLine, type TailTuning } from '../../../../src/infra/kube/logStream';
import type { RequestTarget } from '../../../../src/infra/kube/credentials';
import { startKubeApiServer, type KubeApiServer } from '../../../support/kube/apiServer';
import * as build from '../../../support/kube/objects';

const NS = 'shop';
const TOKEN = 'tail-token';

async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs = 8000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const FAST: Partial<TailTuning> = { backoff: { initialMs: 20, maxMs: 100, jitter: 0 }, waitingRetryMs: 50, requestTimeoutMs: 2000 };

describe('infra/kube ContainerTail', function () {
  this.timeout(20_000);
  let server: KubeApiServer;
  let pod: string;
  let lines: TailLine[];
  let events: TailEvent[];
  let tail: ContainerTail | undefined;

  const target = async (): Promise<RequestTarget> => ({ server: new URL(server.url), options: { ca: server.caCert!, headers: { Authorization: `Bearer ${TOKEN}` } } });
  const texts = () => lines.map((l) => l.text);
  const make = (options: { pod?: string; follow?: boolean; start?: object; tuning?: Partial<TailTuning>; running?: () => boolean | undefined } = {}) => {
    tail = new ContainerTail(target, {
      context: 'test', namespace: NS, pod: options.pod ?? pod, container: 'app', follow: options.follow ?? true, previous: false,
      start: options.start ?? {}, tuning: { ...FAST, ...options.tuning },
    }, { lines: (l) => lines.push(...l), event: (e) => events.push(e) }, options.running);
    tail.start();
    return tail;
  };

  beforeEach(async () => {
    server = await startKubeApiServer({ stepMs: 30, tokens: { [TOKEN]: { user: 'admin' } } });
    server.scenario.deployment(NS, 'storefront', { image: 'shop/storefront:1.0', replicas: 1 });
    pod = server.store.list('pods', NS)[0]!.metadata.name;
    lines = [];
    events = [];
    tail = undefined;
  });

  afterEach(async () => {
    await tail?.stop();
    await server.close();
  });

  it('a cut mid-second resumes without losing or repeating a line, a line written twice stays twice', async () => {
    // Every byte its own network chunk: multi-byte characters and lines are split everywhere.
    server.logs.chunkBytes = 1;
    const second = '2024-05-01T10:00:01';
    server.logs.append(NS, pod, 'zero', { at: '2024-05-01T10:00:00.9Z' });
    server.logs.append(NS, pod, ['ünï 1', 'same  '], { at: `${second}.1Z` });
    make({ start: { tailLines: 100 } });
    await until('the first lines', () => texts().length === 3);
    server.logs.cut();
    // While disconnected: the same line again at the same time (really written twice), and more.
    server.logs.append(NS, pod, 'same  ', { at: `${second}.1Z` });
    server.logs.append(NS, pod, ['after 🚀', 'later'], { at: `${second}.5Z` });
    await until('the resumed lines', () => texts().length === 6);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(texts(), ['zero', 'ünï 1', 'same  ', 'same  ', 'after 🚀', 'later']);
    assert.ok(events.some((e) => e.kind === 'reconnecting'), JSON.stringify(events));
    const resumed = events.find((e) => e.kind === 'open' && e.resumed);
    assert.ok(resumed, 'a resumed open');
    const resumeRequest = server.requests.filter((r) => r.path.endsWith('/log')).at(-1)!;
    assert.equal(resumeRequest.query.sinceTime, `${second}Z`, 'resumed from the whole second of the last line');
    assert.equal(resumeRequest.query.tailLines, undefined);
  });

  it('lines split across chunks are reassembled, and the stream goes on after a cut', async () => {
    make();
    server.logs.append(NS, pod, 'one');
    await until('one', () => texts().length === 1);
    // Stall the stream, then cut it while a line is half sent: the client only ever sees whole lines.
    server.logs.chunkBytes = 7;
    server.logs.append(NS, pod, 'a rather long line that needs several chunks');
    await until('whole line', () => texts().length === 2);
    server.logs.cut();
    server.logs.append(NS, pod, 'three');
    await until('three', () => texts().length === 3);
    assert.deepEqual(texts(), ['one', 'a rather long line that needs several chunks', 'three']);
  });

  it('retries while the container is being created and streams the new pod from its first line', async () => {
    const rs = server.store.list('replicasets', NS)[0]!;
    const fresh = build.pod(rs, (rs.spec as { template: Parameters<typeof build.pod>[1] }).template);
    build.schedule(fresh);
    const name = server.store.create('pods', fresh as never).metadata.name;
    make({ pod: name });
    await until('waiting', () => events.some((e) => e.kind === 'waiting'));
    assert.match((events.find((e) => e.kind === 'waiting') as { reason: string }).reason, /is waiting to start: ContainerCreating/);
    server.store.modify('pods', NS, name, (p) => build.run(p, true));
    server.logs.append(NS, name, ['first', 'second']);
    await until('the lines', () => texts().length === 2);
    assert.deepEqual(texts(), ['first', 'second']);
    assert.equal(events.filter((e) => e.kind === 'failed').length, 0);
  });

  it('a stalled connection is dropped after the idle timeout and resumed', async () => {
    make({ tuning: { idleTimeoutMs: 300 } });
    server.logs.append(NS, pod, 'a');
    await until('a', () => texts().length === 1);
    server.logs.stall(true);
    server.logs.append(NS, pod, 'b');
    await until('a reconnect after the idle timeout', () => events.some((e) => e.kind === 'reconnecting' && /no data for/.test(e.reason)));
    server.logs.stall(false);
    await until('b', () => texts().length === 2);
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual(texts(), ['a', 'b']);
  });

  it('waits while the container is stopped and continues with the restarted one', async () => {
    let running = true;
    make({ running: () => running });
    server.logs.append(NS, pod, 'before crash');
    await until('line', () => texts().length === 1);
    running = false;
    server.store.modify('pods', NS, pod, (p) => build.crash(p));
    await until('waiting', () => events.some((e) => e.kind === 'waiting'));
    server.store.modify('pods', NS, pod, (p) => build.restart(p));
    server.logs.append(NS, pod, 'after restart');
    running = true;
    tail!.poke();
    await until('the restarted container\'s line', () => texts().length === 2);
    assert.deepEqual(texts(), ['before crash', 'after restart']);
  });

  it('gives up after its attempts, saying why; Retry starts again', async () => {
    make({ tuning: { maxAttempts: 2 } });
    server.logs.append(NS, pod, 'x');
    await until('x', () => texts().length === 1);
    server.tokens.delete(TOKEN);
    server.logs.cut();
    const failed = await until('failed', () => events.find((e) => e.kind === 'failed'));
    assert.match((failed as { reason: string }).reason, /gave up after 2 attempts: .*refused its credentials \(401 Unauthorized\)/);
    server.tokens.set(TOKEN, { user: 'admin' });
    server.logs.append(NS, pod, 'y');
    tail!.retry();
    await until('y', () => texts().length === 2);
  });

  it('stop closes the connection at once', async () => {
    make();
    await until('open', () => server.logs.openStreams === 1);
    const started = Date.now();
    await tail!.stop();
    await until('closed on the server', () => server.logs.openStreams === 0, 5000);
    assert.ok(Date.now() - started < 5000);
    assert.equal(tail!.open, false);
  });
});
