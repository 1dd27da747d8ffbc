import * as assert from 'node:assert/strict';
import { z } from 'zod';
import { Dispatcher, message, ReplyNotification, request, type CommandType, type Message } from '../../../src/protocol/ipc';
import { DEFAULT_REQUEST_TIMEOUT_MS, errorText, RequestError, Requests } from '../../../webview-ui/shared/requests';

const Quick = request('quick', z.object({ n: z.number() }), z.number(), { timeoutMs: 80 });
const Default = request('default', z.object({}), z.string());

/** The webview's end of the channel: what it sends is recorded, replies are dispatched like the host's. */
function webview() {
  const sent: Message<{ id: number; params: unknown }>[] = [];
  const dropped: string[] = [];
  const dispatcher = new Dispatcher((reason) => dropped.push(reason));
  const sender = {
    dispatcher,
    send<M extends string, P>(type: CommandType<M, P>, params: P) {
      sent.push(message(type, params) as Message<{ id: number; params: unknown }>);
    },
  };
  const reply = (params: unknown) => dispatcher.dispatch(message(ReplyNotification, params as never));
  return { requests: new Requests(sender), sent, dropped, reply };
}

describe('webview requests', () => {
  it('resolves with the validated result of the reply naming its id', async () => {
    const w = webview();
    const first = w.requests.call(Quick, { n: 1 });
    const second = w.requests.call(Quick, { n: 2 });
    assert.deepEqual(w.sent.map((m) => [m.method, m.params.params]), [['quick', { n: 1 }], ['quick', { n: 2 }]]);
    const [a, b] = w.sent.map((m) => m.params.id);
    w.reply({ id: b, ok: true, result: 20 });
    w.reply({ id: a, ok: true, result: 10 });
    assert.deepEqual(await Promise.all([first, second]), [10, 20]);
    assert.equal(w.requests.outstanding, 0);
  });

  it('rejects with the host error, and when the result does not validate', async () => {
    const w = webview();
    const failing = w.requests.call(Quick, { n: 1 });
    const invalid = w.requests.call(Quick, { n: 2 });
    w.reply({ id: w.sent[0]!.params.id, ok: false, error: { message: 'No identity.', hint: 'Set user.email.', kind: 'git-identity' } });
    w.reply({ id: w.sent[1]!.params.id, ok: true, result: 'not a number' });
    await assert.rejects(failing, (err) => err instanceof RequestError && err.error.kind === 'git-identity');
    await failing.catch((err: unknown) => assert.deepEqual(errorText(err), { message: 'No identity.', hint: 'Set user.email.' }));
    await assert.rejects(invalid, /answer to quick is invalid/);
  });

  it('times out when the host never answers, and drops the late reply', async () => {
    const w = webview();
    const started = Date.now();
    const pending = w.requests.call(Quick, { n: 1 });
    await assert.rejects(pending, (err) => err instanceof RequestError && err.error.kind === 'timeout' && /did not answer quick/.test(err.message));
    assert.ok(Date.now() - started >= 70, 'not before its time-out');
    assert.equal(w.requests.outstanding, 0);
    // The late reply finds nothing to settle: no throw, nothing dropped as invalid.
    assert.equal(w.reply({ id: w.sent[0]!.params.id, ok: true, result: 1 }), true);
    assert.deepEqual(w.dropped, []);
  });

  it('waits the default time-out for a request that names none, and a reply clears the timer', async () => {
    assert.equal(Default.timeoutMs, undefined);
    assert.ok(DEFAULT_REQUEST_TIMEOUT_MS >= 30_000, 'long enough for a slow diff on a busy machine');
    const w = webview();
    const pending = w.requests.call(Default, {});
    w.reply({ id: w.sent[0]!.params.id, ok: true, result: 'done' });
    assert.equal(await pending, 'done');
    assert.equal(w.requests.outstanding, 0);
  });
});
