// Entry of the lazily loaded Kubernetes bundle (dist/kube.js): the only module that imports
// @kubernetes/client-node, so activation never pays for it.
//
// Security: what leaves this module is names only. Tokens, passwords, client keys, certificates and
// exec/auth-provider settings stay inside KubeConfig, and nothing here calls an API, so no exec
// credential plugin ever runs.
import { readFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

export interface KubeContextInfo {
  name: string;
  cluster?: string;
  namespace?: string;
  user?: string;
}

export interface KubeContexts {
  /** The kubeconfig's `current-context`, when set. */
  current?: string;
  contexts: KubeContextInfo[];
}

/**
 * The contexts of a kubeconfig: `options.kubeconfig` when given, else the files listed in
 * $KUBECONFIG, else ~/.kube/config. Several files merge like kubectl does: missing files are
 * skipped, the first file that names a context (or a current-context) wins. No kubeconfig at all
 * gives no contexts. Throws an Error whose message names the file but never quotes its content.
 *
 * We do not use KubeConfig.loadFromDefault: without a kubeconfig it runs `wsl.exe` synchronously
 * on Windows or invents a `localhost:8080` context, and its merge throws on duplicate names.
 */
export async function kubeContexts(options: { kubeconfig?: string } = {}): Promise<KubeContexts> {
  const files = options.kubeconfig ? [options.kubeconfig] : defaultFiles();
  const result: KubeContexts = { contexts: [] };
  const seen = new Set<string>();
  for (const file of files) {
    // An explicitly chosen file must exist; the default locations are optional.
    const kc = await load(file, options.kubeconfig !== undefined);
    if (kc === undefined) continue;
    const current = kc.getCurrentContext() as string | undefined;
    if (current && result.current === undefined) result.current = current;
    for (const context of kc.getContexts()) {
      if (seen.has(context.name)) continue;
      seen.add(context.name);
      result.contexts.push(namesOnly(context));
    }
  }
  return result;
}

function defaultFiles(): string[] {
  const fromEnv = (process.env.KUBECONFIG ?? '').split(path.delimiter).filter((file) => file !== '');
  return fromEnv.length > 0 ? fromEnv : [path.join(os.homedir(), '.kube', 'config')];
}

/** Copy field by field: never spread a client-node object into our result. */
function namesOnly(context: { name: string; cluster?: string; namespace?: string; user?: string }): KubeContextInfo {
  const info: KubeContextInfo = { name: context.name };
  if (context.cluster) info.cluster = context.cluster;
  if (context.namespace) info.namespace = context.namespace;
  if (context.user) info.user = context.user;
  return info;
}

// 'filter' drops a broken entry (say, a user whose token-file is missing) instead of failing the
// whole file: listing contexts must not depend on every credential being readable.
const LOAD_OPTIONS = { onInvalidEntry: 'filter' } as const;

// The file is read here, asynchronously: KubeConfig.loadFromFile would block the extension host.
async function load(file: string, required: boolean): Promise<KubeConfig | undefined> {
  const kc = new KubeConfig();
  try {
    kc.loadFromString(await readFile(file, 'utf8'), LOAD_OPTIONS);
    return kc;
  } catch (err) {
    if (!required && (err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw kubeconfigError(file, err);
  }
}

/**
 * A YAML error's message quotes the offending lines, which may hold a token: keep only its first
 * line (the reason and position), and do not attach the original error as the cause.
 */
function kubeconfigError(file: string, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const firstLine = (err instanceof Error ? err.message : String(err)).split('\n')[0]?.trim() ?? '';
  const error = new Error(`Cannot read kubeconfig ${file}: ${code === 'ENOENT' ? 'file not found' : firstLine}`);
  error.name = 'KubeconfigError';
  return error;
}
