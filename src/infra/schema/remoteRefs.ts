// Remote `$ref`s of chart schemas (schema generators for Helm emit refs to Kubernetes definitions
// on the web), fetched over HTTPS only and cached: in memory for the session, and on disk when a
// cache folder is given, so that a window opened offline still validates with what it fetched
// before. A failure is a RemoteRefError whose message says which URL and why, for the diagnostic;
// failures are remembered for a short while so that typing does not refetch on every keystroke.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs/promises';
import * as https from 'node:https';
import * as path from 'node:path';

export interface RemoteRefsOptions {
  /** Folder of the disk cache (created on first write); none: memory only. */
  cacheDir?: string;
  /** Certificates to trust instead of the system's (tests: a local server's self-signed one). */
  ca?: string | Buffer;
  timeoutMs?: number;
  /** A larger document is refused (a schema, not a download). */
  maxBytes?: number;
  /** A disk copy older than this is fetched again (and still used when that fails). */
  maxAgeMs?: number;
  /** How long a failed fetch is answered from memory before it is tried again. */
  retryAfterMs?: number;
}

export class RemoteRefError extends Error {}

const MAX_REDIRECTS = 5;

export class RemoteRefs {
  private readonly memory = new Map<string, { at: number; result: Promise<object> }>();
  /** Network requests made (tests check the cache with it). */
  fetches = 0;

  constructor(private readonly options: RemoteRefsOptions = {}) {}

  /** The JSON document at `url` (its fragment ignored). */
  load(url: string): Promise<object> {
    const key = url.split('#')[0] ?? url;
    const cached = this.memory.get(key);
    if (cached) return cached.result;
    const entry = { at: Date.now(), result: this.read(key) };
    this.memory.set(key, entry);
    entry.result.catch(() => {
      setTimeout(() => {
        if (this.memory.get(key) === entry) this.memory.delete(key);
      }, this.options.retryAfterMs ?? 30_000).unref();
    });
    return entry.result;
  }

  private async read(url: string): Promise<object> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new RemoteRefError(`the remote $ref "${url}" is not a URL.`);
    }
    if (parsed.protocol !== 'https:') throw new RemoteRefError(`the remote $ref ${url} is not fetched: only https:// references are.`);
    const disk = await this.fromDisk(url);
    if (disk && Date.now() - disk.mtimeMs < (this.options.maxAgeMs ?? 7 * 24 * 3_600_000)) return disk.value;
    try {
      const text = await this.get(parsed, 0);
      const value = parseDocument(url, text);
      await this.toDisk(url, text);
      return value;
    } catch (err) {
      // Offline with an older copy: the older copy beats no validation.
      if (disk) return disk.value;
      throw err;
    }
  }

  private get(url: URL, redirects: number): Promise<string> {
    this.fetches++;
    const timeoutMs = this.options.timeoutMs ?? 10_000;
    const maxBytes = this.options.maxBytes ?? 20 * 1024 * 1024;
    return new Promise<string>((resolve, reject) => {
      const fail = (why: string) => reject(new RemoteRefError(`could not fetch the remote $ref ${url.href} (${why}).`));
      const requestOptions: https.RequestOptions = { timeout: timeoutMs, headers: { accept: 'application/schema+json, application/json' } };
      if (this.options.ca !== undefined) requestOptions.ca = this.options.ca;
      const req = https.get(url, requestOptions, (res) => {
        const status = res.statusCode ?? 0;
        const location = res.headers.location;
        if (status >= 300 && status < 400 && location) {
          res.resume();
          if (redirects >= MAX_REDIRECTS) return fail('too many redirects');
          const next = new URL(location, url);
          if (next.protocol !== 'https:') return fail(`redirected to ${next.protocol} which is not fetched`);
          this.get(next, redirects + 1).then(resolve, reject);
          return;
        }
        if (status !== 200) {
          res.resume();
          return fail(`HTTP ${status}`);
        }
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) {
            req.destroy();
            fail(`larger than ${Math.round(maxBytes / 1024 / 1024)} MB`);
          } else chunks.push(chunk);
        });
        res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        res.on('error', (err) => fail(err.message));
      });
      req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs / 1000} s: offline?`)));
      req.on('error', (err: NodeJS.ErrnoException) => fail(offlineHint(err)));
    });
  }

  private cachePath(url: string): string | undefined {
    const dir = this.options.cacheDir;
    return dir ? path.join(dir, `${createHash('sha256').update(url).digest('hex').slice(0, 32)}.json`) : undefined;
  }

  private async fromDisk(url: string): Promise<{ value: object; mtimeMs: number } | undefined> {
    const file = this.cachePath(url);
    if (!file) return undefined;
    try {
      const [text, stat] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(file)]);
      return { value: parseDocument(url, text), mtimeMs: stat.mtimeMs };
    } catch {
      return undefined;
    }
  }

  private async toDisk(url: string, text: string): Promise<void> {
    const file = this.cachePath(url);
    if (!file) return;
    try {
      await fs.mkdir(path.dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      await fs.writeFile(tmp, text);
      await fs.rename(tmp, file);
    } catch {
      // The cache is an optimisation: a read-only folder costs a fetch next time, nothing else.
    }
  }
}

function parseDocument(url: string, text: string): object {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new RemoteRefError(`the remote $ref ${url} is not JSON (${err instanceof Error ? err.message : String(err)}).`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RemoteRefError(`the remote $ref ${url} is not a JSON Schema object.`);
  return value;
}

function offlineHint(err: NodeJS.ErrnoException): string {
  const offline = ['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH', 'ETIMEDOUT', 'ECONNRESET'];
  return err.code && offline.includes(err.code) ? `${err.code}: offline, or the host cannot be reached` : err.message;
}
