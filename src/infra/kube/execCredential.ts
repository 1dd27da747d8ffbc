// Exec credential plugins (client.authentication.k8s.io), run by us rather than by client-node's
// ExecAuth: it spawns asynchronously too, but runs the plugin again on every request when the
// credential has no expiry (six informers starting = six logins), has no timeout, and throws the
// raw stderr. Here: one run at a time per user, cached until the credential expires or the server
// answers 401, killed after a timeout, stderr redacted by the caller.
import { spawn } from 'node:child_process';
import { execPluginError } from '../../core/cluster/clusterErrors';
import type { RawEntry } from './kubeconfig';

export interface ExecCredential {
  token?: string;
  /** PEM, as the plugin prints it. */
  clientCertificateData?: string;
  clientKeyData?: string;
  /** Epoch ms; undefined: valid until the server refuses it. */
  expiresAt?: number;
}

const EXPIRY_MARGIN_MS = 10_000;
const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_OUTPUT = 1024 * 1024;

export class ExecCredentialSource {
  private cached: ExecCredential | undefined;
  private running: Promise<ExecCredential> | undefined;

  constructor(
    private readonly context: string,
    private readonly server: string | undefined,
    private readonly exec: RawEntry,
    private readonly timeoutMs = DEFAULT_TIMEOUT_MS,
  ) {}

  get command(): string {
    return typeof this.exec.command === 'string' ? this.exec.command : '';
  }

  async credential(): Promise<ExecCredential> {
    if (this.cached && (this.cached.expiresAt === undefined || this.cached.expiresAt - EXPIRY_MARGIN_MS > Date.now())) return this.cached;
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    const credential = await this.running;
    this.cached = credential;
    return credential;
  }

  /** The server refused the credential: the next request runs the plugin again. */
  invalidate(): void {
    this.cached = undefined;
  }

  private run(): Promise<ExecCredential> {
    const command = this.command;
    const fail = (detail: string) => execPluginError(this.context, this.server, { command, detail });
    if (command === '') return Promise.reject(fail('the kubeconfig names no command'));
    const args = Array.isArray(this.exec.args) ? (this.exec.args as unknown[]).map(String) : [];
    const env: NodeJS.ProcessEnv = { ...process.env };
    if (Array.isArray(this.exec.env)) {
      for (const item of this.exec.env as unknown[]) {
        const { name, value } = (item ?? {}) as { name?: unknown; value?: unknown };
        if (typeof name === 'string') env[name] = typeof value === 'string' ? value : '';
      }
    }
    const apiVersion = typeof this.exec.apiVersion === 'string' ? this.exec.apiVersion : 'client.authentication.k8s.io/v1beta1';
    // Never interactive: nobody can answer a prompt from the extension host.
    env.KUBERNETES_EXEC_INFO = JSON.stringify({ apiVersion, kind: 'ExecCredential', spec: { interactive: false } });
    return new Promise<ExecCredential>((resolve, reject) => {
      let stdout = '';
      let stderr = '';
      let settled = false;
      const finish = (error: Error | undefined, credential?: ExecCredential) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (error) reject(error);
        else resolve(credential!);
      };
      const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        finish(fail(`no answer within ${Math.round(this.timeoutMs / 1000)} s`));
      }, this.timeoutMs);
      child.stdout.setEncoding('utf8');
      child.stderr.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        if (stdout.length < MAX_OUTPUT) stdout += chunk;
      });
      child.stderr.on('data', (chunk: string) => {
        if (stderr.length < MAX_OUTPUT) stderr += chunk;
      });
      child.on('error', (err: NodeJS.ErrnoException) => {
        finish(fail(err.code === 'ENOENT' ? 'command not found' : err.code ?? err.message));
      });
      child.on('close', (code, signal) => {
        if (code !== 0) {
          const said = stderr.trim().split('\n').filter((line) => line.trim() !== '').slice(-3).join(' ');
          finish(fail(`${said || 'no message'} (exit ${code ?? signal})`));
          return;
        }
        try {
          finish(undefined, parseCredential(stdout));
        } catch (err) {
          finish(fail((err as Error).message));
        }
      });
    });
  }
}

function parseCredential(stdout: string): ExecCredential {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch {
    throw new Error('its output is not an ExecCredential (JSON expected)');
  }
  const status = (doc as { status?: Record<string, unknown> } | null)?.status;
  if (!status || typeof status !== 'object') throw new Error('its ExecCredential has no status');
  const credential: ExecCredential = {};
  if (typeof status.token === 'string' && status.token !== '') credential.token = status.token;
  if (typeof status.clientCertificateData === 'string' && typeof status.clientKeyData === 'string') {
    credential.clientCertificateData = status.clientCertificateData;
    credential.clientKeyData = status.clientKeyData;
  }
  if (credential.token === undefined && credential.clientCertificateData === undefined) {
    throw new Error('its ExecCredential has neither a token nor a client certificate');
  }
  if (typeof status.expirationTimestamp === 'string') {
    const at = Date.parse(status.expirationTimestamp);
    if (!Number.isNaN(at)) credential.expiresAt = at;
  }
  return credential;
}
