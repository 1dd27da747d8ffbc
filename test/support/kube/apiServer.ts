// A Kubernetes API server for tests and the demo, faithful enough for kubectl and
// @kubernetes/client-node: discovery, list/get/watch with selectors, resourceVersion semantics,
// pagination, server-side printing (Table), 410 Gone, Status errors and bearer-token auth.
// Plain Node https/http, no dependency: start it with startKubeApiServer().
import { writeFile } from 'node:fs/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import type { AddressInfo } from 'node:net';
import { makeCertificates } from './certs';
import * as discovery from './discovery';
import { kubeconfigYaml, type KubeconfigContext } from './kubeconfig';
import { PodLogs } from './podLogs';
import { Scenarios } from './scenarios';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector, SelectorError, type KubeObject } from './selectors';
import { ApiError, badRequest, expired, forbidden, noSuchPath, notFound, unauthorized } from './status';
import { Store, type Change } from './store';
import { toTable, wantsTable, type IncludeObject } from './table';

export interface TokenGrant {
  user: string;
  /** Requests this token may not make: a 403 naming the verb and resource. A rule without verb denies every verb. */
  deny?: Array<{ resource: string; verb?: string; namespace?: string }>;
}

export interface KubeApiServerOptions {
  /** Serve plain http:// (clients then need `insecure-skip-tls-verify`); default HTTPS with a fresh CA. */
  http?: boolean;
  tokens?: Record<string, TokenGrant>;
  /** Serve Argo CD's argoproj.io/v1alpha1 applications. */
  argo?: boolean;
  /** How long the server keeps a watch open when the client asks for no timeoutSeconds (real servers: 30-60 min). */
  watchTimeoutSeconds?: number;
  /** Interval of BOOKMARK events for watches that allow them (real servers: about a minute). */
  bookmarkIntervalMs?: number;
  /** Changes kept (at least; compacted in steps of a quarter) for watches from an older resourceVersion; older ones get 410 Gone. */
  historyLimit?: number;
  /** Time unit of the scripted scenarios (one controller step). */
  stepMs?: number;
  port?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  accept: string;
  user?: string;
  /** Date.now() when the request arrived. */
  at: number;
}

interface Target {
  type: discovery.ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
}

const JSON_TYPE = 'application/json';
const TABLE_TYPE = 'application/json;as=Table;v=v1;g=meta.k8s.io';
const PUBLIC_PATHS = new Set(['/version', '/healthz', '/livez', '/readyz']);

export class KubeApiServer {
  readonly store: Store;
  readonly scenario: Scenarios;
  /** Container logs (`pods/{name}/log`): append, generate load, cut or stall the streams. */
  readonly logs: PodLogs;
  /** Every request, in order: tests check what a client really asked for. */
  readonly requests: RecordedRequest[] = [];
  readonly tokens: Map<string, TokenGrant>;
  argo: boolean;
  url = '';
  /** Open watch streams, each with what releases its subscription and timers. */
  private readonly watches = new Map<http.ServerResponse, () => void>();
  private server!: http.Server;
  private readonly sockets = new Set<import('node:net').Socket>();

  constructor(
    private readonly options: KubeApiServerOptions,
    readonly caCert: string | undefined,
  ) {
    this.store = new Store(options.historyLimit);
    this.scenario = new Scenarios(this.store, { stepMs: options.stepMs ?? 250 });
    this.logs = new PodLogs(this.store);
    this.tokens = new Map(Object.entries(options.tokens ?? {}));
    this.argo = options.argo ?? false;
  }

  /** @internal used by startKubeApiServer */
  async listen(tls?: { cert: string; key: string }): Promise<void> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => void this.handle(req, res);
    this.server = tls ? https.createServer({ cert: tls.cert, key: tls.key }, handler) : http.createServer(handler);
    // Every socket, including ones still in their TLS handshake: close() must not wait for a client
    // that opened a watch at the last moment (client-node's informer can, after stop()).
    this.server.on('connection', (socket: import('node:net').Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port ?? 0, '127.0.0.1', () => resolve());
    });
    const { port } = this.server.address() as AddressInfo;
    this.url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  }

  /** A kubeconfig naming this server, with one context (and token) per entry. */
  kubeconfig(contexts: KubeconfigContext[], currentContext?: string): string {
    return kubeconfigYaml({ server: this.url, ...(this.caCert !== undefined ? { caCert: this.caCert } : {}), contexts, ...(currentContext ? { currentContext } : {}) });
  }

  async writeKubeconfig(file: string, contexts: KubeconfigContext[], currentContext?: string): Promise<void> {
    await writeFile(file, this.kubeconfig(contexts, currentContext), { mode: 0o600 });
  }

  get openWatches(): number {
    return this.watches.size;
  }

  /** End every watch stream cleanly, as a server does at its request timeout. Returns how many. */
  closeWatches(): number {
    const count = this.watches.size;
    for (const res of [...this.watches.keys()]) res.end();
    return count;
  }

  /** Cut every watch connection without a clean end, as a dying load balancer does. Returns how many. */
  dropWatches(): number {
    const count = this.watches.size;
    for (const [res, cleanup] of [...this.watches]) {
      res.socket?.destroy();
      cleanup();
    }
    return count;
  }

  async close(): Promise<void> {
    this.scenario.stop();
    this.logs.stopLoads();
    this.logs.cut();
    this.dropWatches();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://server');
    const query = Object.fromEntries(url.searchParams);
    const accept = req.headers.accept ?? '';
    const recorded: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query, accept, at: Date.now() };
    this.requests.push(recorded);
    try {
      const path = url.pathname.replace(/\/+$/, '') || '/';
      if (PUBLIC_PATHS.has(path)) return send(res, 200, path === '/version' ? discovery.versionInfo() : 'ok');
      const grant = this.authenticate(req);
      recorded.user = grant.user;
      const doc = this.discoveryDocument(path);
      if (doc !== undefined) return send(res, 200, doc);
      const target = this.resolve(path);
      if (!target) throw noSuchPath();
      await this.serveResource(req, res, url.searchParams, target, grant);
    } catch (err) {
      if (err instanceof ApiError) return send(res, err.code, err.toStatus());
      if (err instanceof SelectorError) return send(res, 400, badRequest(err.message).toStatus());
      send(res, 500, new ApiError(500, 'InternalError', `Internal error occurred: ${(err as Error).message}`).toStatus());
    }
  }

  private authenticate(req: http.IncomingMessage): TokenGrant {
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const grant = m ? this.tokens.get(m[1]!) : undefined;
    if (!grant) throw unauthorized();
    return grant;
  }

  private discoveryDocument(path: string): object | undefined {
    const options = { argo: this.argo };
    if (path === '/api') return discovery.coreVersions(this.url.replace(/^https?:\/\//, ''));
    if (path === '/api/v1') return discovery.resourceList(options, '', 'v1');
    if (path === '/apis') return discovery.groupList(options);
    const m = /^\/apis\/([^/]+)(?:\/([^/]+))?$/.exec(path);
    if (!m) return undefined;
    const doc = m[2] === undefined ? discovery.group(options, m[1]!) : discovery.resourceList(options, m[1]!, m[2]);
    if (doc === undefined) throw noSuchPath();
    return doc;
  }

  /** /api/v1[/namespaces/{ns}]/{resource}[/{name}[/{subresource}]] and the same under /apis/{group}/{version}. */
  private resolve(path: string): Target | undefined {
    const segments = path.split('/').filter((s) => s !== '').map(decodeURIComponent);
    let group: string;
    let version: string;
    let rest: string[];
    if (segments[0] === 'api' && segments[1] === 'v1') [group, version, rest] = ['', 'v1', segments.slice(2)];
    else if (segments[0] === 'apis' && segments.length >= 3) [group, version, rest] = [segments[1]!, segments[2]!, segments.slice(3)];
    else return undefined;
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    if (rest.length < 1 || rest.length > 3) return undefined;
    const type = discovery.findType({ argo: this.argo }, group, version, rest[0]!);
    if (!type) return undefined;
    return { type, ...(namespace !== undefined ? { namespace } : {}), ...(rest[1] !== undefined ? { name: rest[1] } : {}), ...(rest[2] !== undefined ? { subresource: rest[2] } : {}) };
  }

  private async serveResource(req: http.IncomingMessage, res: http.ServerResponse, params: URLSearchParams, target: Target, grant: TokenGrant): Promise<void> {
    const { type, namespace, name, subresource } = target;
    const watching = params.get('watch') === 'true' || params.get('watch') === '1';
    const verb = req.method === 'GET' ? (name !== undefined ? 'get' : watching ? 'watch' : 'list') : verbOf(req.method);
    const denied = (grant.deny ?? []).some((rule) => rule.resource === type.name && (rule.verb === undefined || rule.verb === verb) && (rule.namespace === undefined || rule.namespace === namespace));
    if (denied) throw forbidden(grant.user, verb, type.group, type.name, namespace, name);
    if (subresource !== undefined) {
      if (type.name !== 'pods' || subresource !== 'log' || verb !== 'get' || namespace === undefined) throw noSuchPath();
      // RBAC names the subresource: a rule on `pods/log` denies the logs and nothing else.
      if ((grant.deny ?? []).some((rule) => rule.resource === 'pods/log' && (rule.namespace === undefined || rule.namespace === namespace))) {
        throw forbidden(grant.user, 'get', '', 'pods/log', namespace, name);
      }
      return this.logs.serve(req, res, namespace, name!, params);
    }
    const table = wantsTable(req.headers.accept);
    const include = (params.get('includeObject') ?? 'Metadata') as IncludeObject;
    if (verb === 'get') {
      const object = this.store.get(type.name, namespace ?? '', name!);
      if (!object) throw notFound(type.group, type.name, name!);
      const typed = withTypeMeta(type, object);
      return table ? send(res, 200, toTable(type.kind, [typed], { resourceVersion: object.metadata.resourceVersion }, include), TABLE_TYPE) : send(res, 200, typed);
    }
    if (verb === 'list') return this.list(res, params, target, table, include);
    if (verb === 'watch') return this.watch(req, res, params, target, table, include);
    if (verb === 'update' && name !== undefined) return this.replace(req, res, target);
    throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
  }

  private filter(params: URLSearchParams, type: discovery.ResourceType): (o: KubeObject) => boolean {
    const labels = parseLabelSelector(params.get('labelSelector') ?? '');
    const fields = parseFieldSelector(params.get('fieldSelector') ?? '', type.kind);
    return (o) => matchesLabels(labels, o.metadata.labels) && matchesFields(fields, o);
  }

  private list(res: http.ServerResponse, params: URLSearchParams, target: Target, table: boolean, include: IncludeObject): void {
    const { type, namespace } = target;
    const matches = this.filter(params, type);
    const current = this.store.resourceVersion;
    const rvParam = params.get('resourceVersion') ?? '';
    const match = params.get('resourceVersionMatch') ?? '';
    const continueToken = params.get('continue') ?? '';
    let at = current;
    let after = '';
    if (continueToken !== '') {
      const token = decodeContinue(continueToken);
      if (token.rv < this.store.oldestResourceVersion) {
        throw expired('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
      }
      [at, after] = [token.rv, token.start];
    } else if (match !== '' && rvParam === '') {
      throw badRequest('resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
    } else if (match === 'Exact') {
      at = Number(rvParam);
      if (at < this.store.oldestResourceVersion) throw expired(`The resourceVersion for the provided list is too old.`);
    } else if (rvParam !== '' && rvParam !== '0' && Number(rvParam) > current) {
      throw new ApiError(504, 'Timeout', `Timeout: Too large resource version: ${rvParam}, current: ${current}`);
    }
    if (at > current) throw new ApiError(504, 'Timeout', `Timeout: Too large resource version: ${at}, current: ${current}`);
    const all = (at === current ? this.store.list(type.name, namespace) : this.store.listAt(type.name, at, namespace)) ?? [];
    let items = all.filter(matches).filter((o) => after === '' || itemKey(o) > after);
    const limit = Number(params.get('limit') ?? '0');
    const metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number } = { resourceVersion: String(at) };
    if (limit > 0 && items.length > limit) {
      const remaining = items.length - limit;
      items = items.slice(0, limit);
      metadata.continue = encodeContinue({ rv: at, start: itemKey(items[items.length - 1]!) });
      // The real server only counts what is left when no selector filters the list.
      if (!params.get('labelSelector') && !params.get('fieldSelector')) metadata.remainingItemCount = remaining;
    }
    if (table) return send(res, 200, toTable(type.kind, items.map((o) => withTypeMeta(type, o)), metadata, include), TABLE_TYPE);
    send(res, 200, {
      kind: type.listKind,
      apiVersion: discovery.apiVersionOf(type),
      metadata,
      // Like a real server, items of built-in types carry no kind/apiVersion (kubernetes#3030); custom resources do.
      items: type.group === discovery.ARGO_GROUP ? items.map((o) => withTypeMeta(type, o)) : items.map(withoutTypeMeta),
    });
  }

  private watch(req: http.IncomingMessage, res: http.ServerResponse, params: URLSearchParams, target: Target, table: boolean, include: IncludeObject): void {
    const { type, namespace } = target;
    const matches = this.filter(params, type);
    const inScope = (o: KubeObject) => namespace === undefined || o.metadata.namespace === namespace;
    res.writeHead(200, { 'Content-Type': table ? TABLE_TYPE : JSON_TYPE, 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    let first = true;
    const write = (eventType: string, object: object) => {
      const payload = table && eventType !== 'ERROR' && eventType !== 'BOOKMARK'
        ? toTable(type.kind, [object as KubeObject], { resourceVersion: (object as KubeObject).metadata.resourceVersion }, include, first)
        : object;
      if (payload !== object) first = false;
      // A timer (a bookmark) can fire after end() and before 'finish' cleans it up: a real server writes nothing then.
      if (res.writableEnded || res.destroyed) return;
      res.write(`${JSON.stringify({ type: eventType, object: payload })}\n`);
    };
    const deliver = (change: Change) => {
      if (!inScope(change.object)) return;
      const now = change.type !== 'DELETED' && matches(change.object);
      const before = change.previous !== undefined && matches(change.previous);
      const object = withTypeMeta(type, change.object);
      if (change.type === 'ADDED' && now) write('ADDED', object);
      else if (change.type === 'DELETED' && before) write('DELETED', object);
      else if (change.type === 'MODIFIED') {
        // A watch with a selector sees an object enter or leave it as ADDED or DELETED, as the watch cache does.
        if (now && before) write('MODIFIED', object);
        else if (now) write('ADDED', object);
        else if (before) write('DELETED', object);
      }
    };
    const rvParam = params.get('resourceVersion') ?? '';
    if (rvParam === '' || rvParam === '0') {
      for (const o of this.store.list(type.name, namespace).filter(matches)) write('ADDED', withTypeMeta(type, o));
    } else {
      const changes = this.store.changesSince(type.name, Number(rvParam));
      if (!changes) {
        // A real server answers 200 and one ERROR event, then ends the stream.
        write('ERROR', expired(`too old resource version: ${rvParam} (${this.store.oldestResourceVersion})`).toStatus());
        res.end();
        return;
      }
      for (const change of changes) deliver(change);
    }
    const unsubscribe = this.store.subscribe(type.name, deliver);
    const timers: NodeJS.Timeout[] = [];
    const requested = Number(params.get('timeoutSeconds') ?? '0');
    const timeout = requested > 0 ? requested : (this.options.watchTimeoutSeconds ?? 1800);
    timers.push(setTimeout(() => res.end(), timeout * 1000));
    if (params.get('allowWatchBookmarks') === 'true') {
      timers.push(setInterval(() => {
        write('BOOKMARK', { kind: type.kind, apiVersion: discovery.apiVersionOf(type), metadata: { resourceVersion: String(this.store.resourceVersion) } });
      }, this.options.bookmarkIntervalMs ?? 60_000));
    }
    const cleanup = () => {
      unsubscribe();
      for (const timer of timers) clearTimeout(timer);
      this.watches.delete(res);
    };
    this.watches.set(res, cleanup);
    res.on('close', cleanup);
    res.on('finish', cleanup);
    req.on('close', cleanup);
  }

  /** PUT: replace an object; a stale metadata.resourceVersion is a 409 Conflict, as optimistic concurrency wants. */
  private async replace(req: http.IncomingMessage, res: http.ServerResponse, target: Target): Promise<void> {
    const { type, namespace, name } = target;
    const existing = this.store.get(type.name, namespace ?? '', name!);
    if (!existing) throw notFound(type.group, type.name, name!);
    let body: KubeObject;
    try {
      body = JSON.parse(await readBody(req)) as KubeObject;
    } catch (err) {
      throw badRequest(`the body of the request was in an unknown format: ${(err as Error).message}`);
    }
    if (body.metadata?.resourceVersion && body.metadata.resourceVersion !== existing.metadata.resourceVersion) {
      throw new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${type.name}${type.group ? `.${type.group}` : ''} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
        { name: name!, group: type.group, kind: type.name });
    }
    body.metadata = { ...body.metadata, name: name!, namespace: namespace ?? '' };
    send(res, 200, withTypeMeta(type, this.store.update(type.name, body)));
  }
}

function verbOf(method: string | undefined): string {
  return ({ POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' } as Record<string, string>)[method ?? ''] ?? (method ?? '').toLowerCase();
}

function withTypeMeta(type: discovery.ResourceType, object: KubeObject): KubeObject {
  const { apiVersion: _a, kind: _k, ...rest } = object;
  return { apiVersion: discovery.apiVersionOf(type), kind: type.kind, ...rest } as KubeObject;
}

function withoutTypeMeta(object: KubeObject): KubeObject {
  const { apiVersion: _a, kind: _k, ...rest } = object;
  return rest as KubeObject;
}

function itemKey(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

function encodeContinue(token: { rv: number; start: string }): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: token.rv, start: token.start })).toString('base64url');
}

function decodeContinue(value: string): { rv: number; start: string } {
  try {
    const token = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as { rv?: unknown; start?: unknown };
    if (typeof token.rv === 'number' && typeof token.start === 'string') return { rv: token.rv, start: token.start };
  } catch {
    // fall through to the error below
  }
  throw badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: http.ServerResponse, code: number, body: object | string, contentType = JSON_TYPE): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': typeof body === 'string' ? 'text/plain; charset=utf-8' : contentType, 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** Start a server (HTTPS with a fresh self-signed CA unless `http: true`). Close it with `close()`. */
export async function startKubeApiServer(options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const certs = options.http ? undefined : await makeCertificates();
  const server = new KubeApiServer(options, certs?.caCert);
  await server.listen(certs);
  return server;
}
