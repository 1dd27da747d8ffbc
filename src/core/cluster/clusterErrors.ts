// Typed cluster failures. Callers branch on `kind`, never on message text (as GitOpsHqError in
// ../errors). Messages name the kubeconfig context and the server; they never quote a token, key
// or certificate: text from outside (Status messages, a credential plugin's stderr) is redacted, and
// the original error is not kept as `cause`, since its message or headers may carry credentials.
import type { KubeStatus } from './kubeTypes';

export type ClusterErrorKind = 'no-context' | 'unreachable' | 'unauthorized' | 'forbidden' | 'tls' | 'exec-plugin' | 'error';

/** What the tree and `clusterStatus` report for an environment's cluster. */
export type ConnectionState = 'connected' | ClusterErrorKind;

export class ClusterError extends Error {
  constructor(
    readonly kind: ClusterErrorKind,
    message: string,
    readonly context: string,
    /** The server URL without user info or query. */
    readonly server?: string,
    /** What the user can do about it, shown beside the message. */
    readonly hint?: string,
    /** The HTTP status, when the server answered. */
    readonly status?: number,
    /** The Node error code, e.g. ECONNREFUSED, when the request failed below HTTP. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'ClusterError';
  }

  /** By shape, not instanceof: the lazily loaded kube bundle carries its own copy of this class. */
  static is(err: unknown, kind?: ClusterErrorKind): err is ClusterError {
    if (!(err instanceof Error) || err.name !== 'ClusterError' || typeof (err as { kind?: unknown }).kind !== 'string') return false;
    return kind === undefined || (err as ClusterError).kind === kind;
  }
}

/** The request that failed, as far as the caller knows it. */
export interface ClusterRequest {
  context: string;
  server?: string;
  /** e.g. `list`, `watch`, `get`. */
  verb?: string;
  /** e.g. `pods`, `deployments.apps`. */
  resource?: string;
  namespace?: string;
  /** `auth`: the failure came from getting credentials (an exec plugin), not from the server. */
  stage?: 'auth' | 'request';
  /** The HTTP status when the caller has it apart from the error. */
  status?: number;
  /** The response body (a Status object, or its JSON text) when the caller has it apart from the error. */
  body?: unknown;
}

const UNREACHABLE = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN', 'ENETDOWN',
  'EPIPE', 'ESOCKETTIMEDOUT', 'ECONNABORTED', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT',
]);

const UNREACHABLE_WORDS: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'DNS lookup failed',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
};

const TLS = new Set([
  'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'ERR_TLS_CERT_ALTNAME_INVALID', 'EPROTO', 'CERT_REVOKED', 'CERT_UNTRUSTED',
]);

const TLS_WORDS: Record<string, string> = {
  CERT_HAS_EXPIRED: "the server's certificate has expired",
  DEPTH_ZERO_SELF_SIGNED_CERT: "the server's certificate is self-signed and not trusted",
  SELF_SIGNED_CERT_IN_CHAIN: "the server's certificate chain ends in an untrusted CA",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the server's certificate cannot be verified",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the CA of the server's certificate is not known",
  ERR_TLS_CERT_ALTNAME_INVALID: "the server's certificate is for another host name",
  EPROTO: 'the TLS handshake failed',
};

export function classifyClusterError(err: unknown, request: ClusterRequest): ClusterError {
  const server = safeServer(request.server);
  const at = server ? ` (${server})` : '';
  const ctx = `"${request.context}"`;
  if (ClusterError.is(err)) return err;
  if (request.stage === 'auth') {
    return execPluginError(request.context, request.server, { detail: errorText(err) });
  }
  const status = request.status ?? httpStatus(err);
  const body = statusObject(request.body ?? (err as { body?: unknown } | undefined)?.body);
  if (status === 401) {
    return new ClusterError('unauthorized', `The cluster of context ${ctx}${at} refused its credentials (401 Unauthorized).`, request.context, server,
      'The token or client certificate of the context\'s user may have expired: log in again, or choose another context.', status);
  }
  if (status === 403) {
    const refused = refusedAction(request, body);
    return new ClusterError('forbidden', `Context ${ctx}${at} may not ${refused} (403 Forbidden).`, request.context, server,
      'Ask for a role that grants it, or choose another context.', status);
  }
  if (status !== undefined && status >= 400) {
    const said = body?.message ? `: ${redactCredentials(body.message)}` : '';
    return new ClusterError('error', `The cluster of context ${ctx}${at} answered ${status}${body?.reason ? ` ${body.reason}` : ''}${said}`, request.context, server, undefined, status);
  }
  const code = nodeCode(err);
  if (code !== undefined && isTls(code)) {
    const why = TLS_WORDS[code] ?? 'the TLS connection failed';
    return new ClusterError('tls', `TLS failed with the cluster of context ${ctx}${at}: ${why} (${code}).`, request.context, server,
      "Check the context's certificate-authority-data (or insecure-skip-tls-verify) in the kubeconfig.", undefined, code);
  }
  if ((code !== undefined && UNREACHABLE.has(code)) || isTimeout(err)) {
    const why = code ? `${UNREACHABLE_WORDS[code] ?? 'the connection failed'} (${code})` : 'timed out';
    return new ClusterError('unreachable', `Cannot reach the cluster of context ${ctx}${at}: ${why}.`, request.context, server,
      'Check that the cluster is running and that you are on its network (VPN), then Retry.', undefined, code);
  }
  const said = errorText(err);
  return new ClusterError('error', `The cluster of context ${ctx}${at} failed${said ? `: ${said}` : '.'}`, request.context, server, undefined, status, code);
}

export function noContextError(context: string, kubeconfig: string): ClusterError {
  return new ClusterError('no-context', `Context "${context}" is not in the kubeconfig (${kubeconfig}).`, context, undefined,
    'Select Context... to choose one of the kubeconfig\'s contexts for this environment, or open the kubeconfig.');
}

/**
 * The credential plugin of a context failed, or may not run: exec plugins run only in a trusted
 * workspace, since a repository could otherwise pick a context whose plugin runs any command.
 */
export function execPluginError(context: string, server: string | undefined, options: { command?: string; untrusted?: boolean; detail?: string }): ClusterError {
  const plugin = options.command ? `"${basename(options.command)}" ` : '';
  const safe = safeServer(server);
  const at = safe ? ` (${safe})` : '';
  if (options.untrusted) {
    return new ClusterError('exec-plugin', `Context "${context}"${at} gets its credentials from the plugin ${plugin.trim() || 'of its user'}, which runs only in a trusted workspace.`,
      context, safe, 'Trust this workspace to connect, or choose a context without an exec plugin.');
  }
  const detail = options.detail ? `: ${redactCredentials(options.detail)}` : '.';
  return new ClusterError('exec-plugin', `The credential plugin ${plugin}of context "${context}"${at} failed${detail}`, context, safe,
    'Run the plugin in a terminal to see what it needs (often a fresh login).');
}

/** Hides what looks like a credential in text from outside; keeps the rest readable. */
export function redactCredentials(text: string): string {
  const oneLine = text
    .replace(/-----BEGIN [^-]*-----[\s\S]*?(-----END [^-]*-----|$)/g, '[redacted]')
    .replace(/\b(bearer|basic)\s+[^\s"',;]+/gi, '$1 [redacted]')
    .replace(/\b((?:client-key|client-certificate|certificate-authority)(?:-data)?|token|password|passwd|secret|authorization|api[-_]?key|access[-_]?key)(["']?\s*[:=]\s*["']?)[^\s"',;}]+/gi, '$1$2[redacted]')
    .replace(/\beyJ[\w-]+\.[\w-]+\.[\w-]*/g, '[redacted]')
    .replace(/[A-Za-z0-9+/_-]{32,}={0,2}/g, (run) => (looksLikePath(run) ? run : '[redacted]'))
    .replace(/\s+/g, ' ')
    .trim();
  return oneLine.length > 300 ? `${oneLine.slice(0, 299)}…` : oneLine;
}

/** The server URL as it may be shown: no user info, no query, no fragment. */
export function safeServer(server: string | undefined): string | undefined {
  if (!server) return undefined;
  try {
    const url = new URL(server);
    return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  } catch {
    return redactCredentials(server);
  }
}

// A URL path has short segments; a base64 blob with a slash in it has long ones.
function looksLikePath(run: string): boolean {
  return run.includes('/') && run.split('/').every((segment) => segment.length < 24);
}

function refusedAction(request: ClusterRequest, body: KubeStatus | undefined): string {
  // "pods is forbidden: User "x" cannot list resource "pods" in API group "" in the namespace "y""
  const said = body?.message ? /cannot (\w+) resource "([^"]+)"(?: in API group "([^"]*)")?/.exec(body.message) : null;
  const verb = request.verb ?? said?.[1] ?? 'access';
  const group = said?.[3] ? `.${said[3]}` : '';
  const resource = request.resource ?? (said ? `${said[2]}${group}` : (body?.details?.kind ?? 'the resource'));
  const namespace = request.namespace ? ` in namespace "${request.namespace}"` : '';
  return `${verb} ${resource}${namespace}`;
}

function httpStatus(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown; status?: unknown; response?: { statusCode?: unknown; status?: unknown } } | undefined;
  for (const candidate of [e?.statusCode, e?.response?.statusCode, e?.response?.status, typeof e?.code === 'number' ? e.code : undefined, e?.status]) {
    if (typeof candidate === 'number' && candidate >= 100 && candidate < 600) return candidate;
  }
  return undefined;
}

function statusObject(body: unknown): KubeStatus | undefined {
  let value = body;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as KubeStatus) : undefined;
}

// node-fetch puts the system error's code on the FetchError; undici and others nest it in `cause`.
function nodeCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    const errno = (current as { errno?: unknown }).errno;
    if (typeof errno === 'string' && errno !== '') return errno;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function isTls(code: string): boolean {
  return TLS.has(code) || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_') || code.startsWith('ERR_OSSL_') || code.startsWith('CERT_');
}

function isTimeout(err: unknown): boolean {
  const e = err as { name?: unknown; type?: unknown } | undefined;
  return e?.name === 'AbortError' || e?.name === 'TimeoutError' || e?.type === 'request-timeout';
}

function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : typeof err === 'string' ? err : '';
  const first = text.split('\n').find((line) => line.trim() !== '') ?? '';
  return first ? redactCredentials(first) : '';
}

function basename(command: string): string {
  return command.split(/[\\/]/).pop() ?? command;
}
