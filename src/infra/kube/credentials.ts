// How to reach the cluster of one context: the server URL and Node request options (agent with CA,
// client certificate, TLS settings, proxy; Authorization header). Files the kubeconfig points to
// (CA, client certificate and key, token file) are read asynchronously on every connection, so a
// rotated token file is picked up; client-node's KubeConfig then builds the agent and headers,
// with no file for it to read synchronously. Exec plugins run through ExecCredentialSource.
import { readFile } from 'node:fs/promises';
import * as http from 'node:http';
import type * as https from 'node:https';
import { KubeConfig } from '@kubernetes/client-node';
import { ClusterError, execPluginError, safeServer } from '../../core/cluster/clusterErrors';
import type { Logger } from '../../core/logger';
import { ExecCredentialSource } from './execCredential';
import type { Kubeconfig, RawEntry } from './kubeconfig';

export interface RequestTarget {
  server: URL;
  options: https.RequestOptions;
}

// Both run a command synchronously inside client-node (execSync): they would freeze the editor,
// and kubectl dropped them in 1.26 for exec plugins.
const BLOCKING_AUTH_PROVIDERS = new Set(['gcp', 'azure']);

export class ContextCredentials {
  readonly server: string | undefined;
  private readonly cluster: RawEntry;
  private readonly user: RawEntry;
  private readonly exec: ExecCredentialSource | undefined;
  private warnedPlainHttp = false;

  constructor(
    readonly context: string,
    config: Kubeconfig,
    private readonly allowExecPlugins: boolean,
    private readonly logger: Logger,
    execTimeoutMs?: number,
  ) {
    const ctx = config.contexts.get(context);
    this.cluster = (ctx?.cluster !== undefined ? config.clusters.get(ctx.cluster) : undefined) ?? {};
    this.user = (ctx?.user !== undefined ? config.users.get(ctx.user) : undefined) ?? {};
    this.server = typeof this.cluster.server === 'string' && this.cluster.server !== '' ? this.cluster.server : undefined;
    const exec = this.user.exec;
    if (exec && typeof exec === 'object') this.exec = new ExecCredentialSource(context, this.server, exec as RawEntry, execTimeoutMs);
  }

  get usesExec(): boolean {
    return this.exec !== undefined;
  }

  /** What fails before any request: no server, an exec plugin in an untrusted workspace, a blocking auth provider. */
  preflight(): ClusterError | undefined {
    if (this.server === undefined) {
      return new ClusterError('error', `The cluster of context "${this.context}" has no server in the kubeconfig.`, this.context, undefined,
        'Fix the kubeconfig, or choose another context.');
    }
    let url: URL;
    try {
      url = new URL(this.server);
    } catch {
      return new ClusterError('error', `The server of context "${this.context}" is not a URL.`, this.context);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      return new ClusterError('error', `The server of context "${this.context}" (${safeServer(this.server)}) is neither http:// nor https://.`, this.context, safeServer(this.server));
    }
    if (this.exec && !this.allowExecPlugins) {
      return execPluginError(this.context, this.server, { command: this.exec.command, untrusted: true });
    }
    const provider = (this.user['auth-provider'] as { name?: unknown } | undefined)?.name;
    if (typeof provider === 'string' && BLOCKING_AUTH_PROVIDERS.has(provider)) {
      return new ClusterError('error', `Context "${this.context}" uses the "${provider}" auth provider, which kubectl no longer supports.`, this.context, safeServer(this.server),
        `Switch the user to its exec plugin (${provider === 'gcp' ? 'gke-gcloud-auth-plugin' : 'kubelogin'}).`);
    }
    return undefined;
  }

  /** The server refused the credentials (401): an exec credential is fetched again next time. */
  refused(): void {
    this.exec?.invalidate();
  }

  /** Throws a ClusterError (exec-plugin for a failing plugin, error for an unreadable file). */
  async target(): Promise<RequestTarget> {
    const failure = this.preflight();
    if (failure) throw failure;
    const server = new URL(this.server!);
    const skipTls = this.cluster['insecure-skip-tls-verify'] === true;
    if (server.protocol === 'http:' && !skipTls) {
      // As kubectl: no credentials over plain http unless the kubeconfig accepts an insecure
      // connection (client-node refuses such a cluster outright).
      if (!this.warnedPlainHttp) {
        this.warnedPlainHttp = true;
        this.logger.warn(`Context "${this.context}" uses plain http:// without insecure-skip-tls-verify: connecting without credentials.`);
      }
      return { server, options: { agent: new http.Agent(), headers: {} } };
    }
    const [caData, certData, keyData, fileToken, execCredential] = await Promise.all([
      this.fileData(this.cluster, 'certificate-authority', 'CA file'),
      this.fileData(this.user, 'client-certificate', 'client certificate file'),
      this.fileData(this.user, 'client-key', 'client key file'),
      this.tokenFromFile(),
      this.exec?.credential(),
    ]);
    const user: Record<string, unknown> = { name: 'user' };
    const token = execCredential?.token ?? string(this.user.token) ?? fileToken;
    if (token !== undefined) user.token = token;
    const cert = execCredential?.clientCertificateData !== undefined ? Buffer.from(execCredential.clientCertificateData).toString('base64') : certData;
    const key = execCredential?.clientKeyData !== undefined ? Buffer.from(execCredential.clientKeyData).toString('base64') : keyData;
    if (cert !== undefined) user.certData = cert;
    if (key !== undefined) user.keyData = key;
    if (string(this.user.username) !== undefined) {
      user.username = this.user.username;
      user.password = string(this.user.password) ?? '';
    }
    if (this.user['auth-provider'] && typeof this.user['auth-provider'] === 'object') user.authProvider = this.user['auth-provider'];
    if (string(this.user.as) !== undefined) user.impersonateUser = this.user.as;
    const cluster: Record<string, unknown> = { name: 'cluster', server: this.server, skipTLSVerify: skipTls };
    if (caData !== undefined) cluster.caData = caData;
    if (string(this.cluster['tls-server-name']) !== undefined) cluster.tlsServerName = this.cluster['tls-server-name'];
    if (string(this.cluster['proxy-url']) !== undefined) cluster.proxyUrl = this.cluster['proxy-url'];
    const kc = new KubeConfig();
    kc.loadFromOptions({ clusters: [cluster], users: [user], contexts: [{ name: 'context', cluster: 'cluster', user: 'user' }], currentContext: 'context' });
    const options: https.RequestOptions = {};
    try {
      await kc.applyToHTTPSOptions(options);
    } catch (err) {
      throw new ClusterError('error', `The credentials of context "${this.context}" (${safeServer(this.server)}) cannot be used: ${firstLine(err)}`, this.context, safeServer(this.server));
    }
    return { server, options };
  }

  private async fileData(entry: RawEntry, field: string, what: string): Promise<string | undefined> {
    const inline = string(entry[`${field}-data`]);
    if (inline !== undefined) return inline;
    const file = string(entry[field]);
    if (file === undefined) return undefined;
    try {
      return (await readFile(file)).toString('base64');
    } catch (err) {
      throw this.unreadable(what, file, err);
    }
  }

  private async tokenFromFile(): Promise<string | undefined> {
    const file = string(this.user['token-file']);
    if (file === undefined || string(this.user.token) !== undefined) return undefined;
    try {
      return (await readFile(file, 'utf8')).trim();
    } catch (err) {
      throw this.unreadable('token file', file, err);
    }
  }

  private unreadable(what: string, file: string, err: unknown): ClusterError {
    const code = (err as NodeJS.ErrnoException).code ?? 'read failed';
    return new ClusterError('error', `Context "${this.context}": cannot read its ${what} ${file} (${code}).`, this.context, safeServer(this.server),
      'Fix the path in the kubeconfig, or choose another context.');
  }
}

function string(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

// Only the reason: client-node's messages do not quote credentials, but keep it to one line anyway.
function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]?.slice(0, 200) ?? '';
}
