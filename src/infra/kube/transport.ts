// GET requests and watch streams with Node's http/https, on the options credentials.ts builds.
// Objects stay raw JSON (client-node's API classes would turn timestamps into Dates and rename
// nothing we need), and we own every socket: an AbortSignal ends it, no timer outlives it.
import * as http from 'node:http';
import * as https from 'node:https';
import { performance } from 'node:perf_hooks';
import type { RequestTarget } from './credentials';

/** An HTTP answer other than 2xx, with the server's Status object when it sent one. */
export class HttpStatusError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${statusCode}`);
    this.name = 'HttpStatusError';
  }
}

export interface WatchEvent {
  type: string;
  object: { metadata?: { name?: string; namespace?: string; resourceVersion?: string }; code?: number; [key: string]: unknown };
}

const MAX_ERROR_BODY = 64 * 1024;
const SLICE_MS = 8;
const MAX_QUEUED_LINES = 2000;

export function requestJson(target: RequestTarget, path: string, query: Record<string, string>, signal: AbortSignal, timeoutMs: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = send(target, path, query, signal, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 299) return reject(new HttpStatusError(status, parseJson(text.slice(0, MAX_ERROR_BODY))));
        try {
          resolve(JSON.parse(text));
        } catch {
          reject(new Error(`the server's answer to ${path} is not JSON`));
        }
      });
    }, reject);
    // An idle socket for this long: the server is not answering (a black-holed address).
    req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
  });
}

/**
 * Streams watch events, calling `onEvents` once per chunk with every complete line in it (one batch,
 * one onChange). Resolves when the server ends the stream, rejects on an HTTP or socket error.
 */
export function watchStream(
  target: RequestTarget,
  path: string,
  query: Record<string, string>,
  signal: AbortSignal,
  options: { connectTimeoutMs: number; deadlineMs: number; onOpen: () => void },
  onEvents: (events: WatchEvent[]) => void,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    // Called only from request events, which all come after `deadline` is set below.
    const settle = (err?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      if (err) reject(err);
      else resolve();
    };
    const req = send(target, path, query, signal, (res) => {
      req.setTimeout(0);
      const status = res.statusCode ?? 0;
      if (status < 200 || status > 299) {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', settle);
        res.on('end', () => settle(new HttpStatusError(status, parseJson(Buffer.concat(chunks).toString('utf8').slice(0, MAX_ERROR_BODY)))));
        return;
      }
      options.onOpen();
      // Lines are parsed and applied in slices of at most SLICE_MS, yielding between slices: a
      // backlog (libuv reads up to 2 MB from a socket in one callback) must not hold the event loop.
      // The response is paused while the queue is long. Lines still queued when the connection
      // fails are dropped: the next watch replays them from the last applied resourceVersion.
      let rest = '';
      const queue: string[] = [];
      let head = 0;
      let scheduled: NodeJS.Immediate | undefined;
      let ended = false;
      const drain = () => {
        scheduled = undefined;
        if (settled) return;
        const start = performance.now();
        const events: WatchEvent[] = [];
        while (head < queue.length && performance.now() - start < SLICE_MS) {
          const event = parseJson(queue[head++]!) as WatchEvent | undefined;
          if (event && typeof event.type === 'string' && event.object && typeof event.object === 'object') events.push(event);
        }
        if (head === queue.length) {
          queue.length = 0;
          head = 0;
        }
        if (events.length > 0) {
          try {
            onEvents(events);
          } catch (err) {
            // The caller ends the watch (an ERROR event): its reason wins over the cut this causes.
            settle(err as Error);
            req.destroy();
            return;
          }
        }
        if (queue.length > 0) scheduled = setImmediate(drain);
        else if (ended) settle();
        else if (res.isPaused()) res.resume();
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const lines = (rest + chunk).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) if (line.trim() !== '') queue.push(line);
        if (queue.length - head > MAX_QUEUED_LINES) res.pause();
        if (queue.length > 0) scheduled ??= setImmediate(drain);
      });
      // A response that closes without 'end' was cut (the socket died): an error, not a clean end.
      res.on('end', () => {
        ended = true;
        if (scheduled === undefined && queue.length === 0) settle();
      });
      res.on('error', settle);
      res.on('close', () => {
        if (!ended) {
          if (scheduled) clearImmediate(scheduled);
          settle(Object.assign(new Error('the watch connection was cut'), { code: 'ECONNRESET' }));
        }
      });
    }, settle);
    req.setTimeout(options.connectTimeoutMs, () => req.destroy(Object.assign(new Error('no answer from the server'), { code: 'ETIMEDOUT' })));
    // The server ends a watch at timeoutSeconds; a connection that silently died would not: give up a little later.
    const deadline = setTimeout(() => req.destroy(Object.assign(new Error('the watch outlived its timeout'), { code: 'ETIMEDOUT' })), options.deadlineMs);
  });
}

/** One GET with the target's TLS settings and headers; the caller handles the response. */
export function send(
  target: RequestTarget,
  path: string,
  query: Record<string, string>,
  signal: AbortSignal,
  onResponse: (res: http.IncomingMessage) => void,
  onError: (err: Error) => void,
): http.ClientRequest {
  const url = new URL(target.server.href.replace(/\/+$/, '') + path);
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
  const headers = { ...(target.options.headers as Record<string, string> | undefined), Accept: 'application/json' };
  const options: https.RequestOptions = {
    ...target.options,
    method: 'GET',
    protocol: url.protocol,
    hostname: url.hostname.replace(/^\[|\]$/g, ''),
    port: url.port,
    path: `${url.pathname}${url.search}`,
    headers,
    signal,
  };
  const req = url.protocol === 'http:' ? http.request(options, onResponse) : https.request(options, onResponse);
  req.on('error', onError);
  req.on('socket', (socket) => socket.setKeepAlive(true, 30_000));
  req.end();
  return req;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
