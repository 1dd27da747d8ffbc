// The kubeconfig as kubectl reads it: which files (setting, $KUBECONFIG, ~/.kube/config), merged
// the way kubectl merges them (missing files skipped, the first file that defines a name wins, the
// first current-context wins), relative paths resolved against the file that holds them. Files are
// read asynchronously: KubeConfig.loadFromFile and its token-file lookup read synchronously.
//
// Entries are kept as raw kubeconfig maps; only credentials.ts turns one into request options.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadYaml } from '@kubernetes/client-node';

export type RawEntry = Record<string, unknown>;

export interface KubeconfigContext {
  name: string;
  cluster?: string;
  user?: string;
  namespace?: string;
}

export interface Kubeconfig {
  /** The files that exist and were read, in merge order. */
  files: string[];
  /** Every file looked at (to watch them; a missing one may appear later). */
  candidates: string[];
  current?: string;
  contexts: Map<string, KubeconfigContext>;
  clusters: Map<string, RawEntry>;
  users: Map<string, RawEntry>;
}

/** A kubeconfig that cannot be used: the message names the file, never quotes its content. */
export class KubeconfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KubeconfigError';
  }
}

export interface KubeconfigSource {
  /** The `gitopshq.kubeconfig` setting; `~` is expanded. */
  kubeconfig?: string;
  env?: Readonly<Record<string, string | undefined>>;
}

/** The files to read and whether they must exist (an explicitly chosen file must). */
export function kubeconfigFiles(source: KubeconfigSource): { files: string[]; explicit: boolean } {
  const env = source.env ?? process.env;
  const home = homeDir(env);
  if (source.kubeconfig !== undefined && source.kubeconfig.trim() !== '') {
    return { files: [expandHome(source.kubeconfig.trim(), home)], explicit: true };
  }
  const fromEnv = (env.KUBECONFIG ?? '').split(path.delimiter).filter((file) => file !== '').map((file) => expandHome(file, home));
  return { files: fromEnv.length > 0 ? fromEnv : [path.join(home, '.kube', 'config')], explicit: false };
}

export async function loadKubeconfig(source: KubeconfigSource): Promise<Kubeconfig> {
  const { files, explicit } = kubeconfigFiles(source);
  const texts = await Promise.all(files.map((file) => readOptional(file, explicit)));
  const config: Kubeconfig = { files: [], candidates: files, contexts: new Map(), clusters: new Map(), users: new Map() };
  files.forEach((file, index) => {
    const text = texts[index];
    if (text === undefined) return;
    config.files.push(file);
    mergeFile(config, file, parse(file, text));
  });
  return config;
}

/**
 * What a connection through `context` depends on: its context, cluster and user entries and the
 * file list. Equal digests mean an informer can keep running across a reload.
 */
export function contextDigest(config: Kubeconfig, context: string, extra: string): string {
  const ctx = config.contexts.get(context);
  const material = JSON.stringify([
    config.files,
    ctx ?? null,
    ctx?.cluster !== undefined ? (config.clusters.get(ctx.cluster) ?? null) : null,
    ctx?.user !== undefined ? (config.users.get(ctx.user) ?? null) : null,
    extra,
  ]);
  return createHash('sha256').update(material).digest('hex').slice(0, 32);
}

export function expandHome(file: string, home: string): string {
  if (file === '~') return home;
  if (file.startsWith('~/') || file.startsWith('~\\')) return path.join(home, file.slice(2));
  return file;
}

function homeDir(env: Readonly<Record<string, string | undefined>>): string {
  return env.HOME || env.USERPROFILE || os.homedir();
}

async function readOptional(file: string, required: boolean): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!required && (code === 'ENOENT' || code === 'ENOTDIR')) return undefined;
    throw new KubeconfigError(`Cannot read kubeconfig ${file}: ${code === 'ENOENT' ? 'file not found' : (code ?? 'read failed')}`);
  }
}

// A YAML error's message quotes the offending lines, which may hold a token: only its first line.
function parse(file: string, text: string): RawEntry {
  let doc: unknown;
  try {
    doc = loadYaml<unknown>(text);
  } catch (err) {
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0]?.trim() ?? '';
    throw new KubeconfigError(`Cannot read kubeconfig ${file}: ${first}`);
  }
  if (doc === undefined || doc === null) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new KubeconfigError(`Cannot read kubeconfig ${file}: not a kubeconfig (a mapping expected)`);
  return doc as RawEntry;
}

function mergeFile(config: Kubeconfig, file: string, doc: RawEntry): void {
  const current = doc['current-context'];
  if (config.current === undefined && typeof current === 'string' && current !== '') config.current = current;
  const dir = path.dirname(file);
  for (const { name, value } of namedEntries(doc.clusters, 'cluster')) {
    if (!config.clusters.has(name)) config.clusters.set(name, resolvePaths(value, dir, ['certificate-authority']));
  }
  for (const { name, value } of namedEntries(doc.users, 'user')) {
    if (!config.users.has(name)) config.users.set(name, resolveUser(value, dir));
  }
  for (const { name, value } of namedEntries(doc.contexts, 'context')) {
    if (config.contexts.has(name)) continue;
    const context: KubeconfigContext = { name };
    if (typeof value.cluster === 'string' && value.cluster !== '') context.cluster = value.cluster;
    if (typeof value.user === 'string' && value.user !== '') context.user = value.user;
    if (typeof value.namespace === 'string' && value.namespace !== '') context.namespace = value.namespace;
    config.contexts.set(name, context);
  }
}

function namedEntries(list: unknown, field: string): Array<{ name: string; value: RawEntry }> {
  if (!Array.isArray(list)) return [];
  const entries: Array<{ name: string; value: RawEntry }> = [];
  for (const item of list as unknown[]) {
    if (!item || typeof item !== 'object') continue;
    const { name, [field]: value } = item as Record<string, unknown>;
    if (typeof name !== 'string' || name === '') continue;
    entries.push({ name, value: value && typeof value === 'object' && !Array.isArray(value) ? (value as RawEntry) : {} });
  }
  return entries;
}

// As client-go's ResolveLocalPaths: file references are relative to the kubeconfig holding them,
// and an exec command only when it names a path (a bare name is looked up on PATH).
function resolveUser(user: RawEntry, dir: string): RawEntry {
  const resolved = resolvePaths(user, dir, ['client-certificate', 'client-key', 'token-file']);
  const exec = user.exec as RawEntry | undefined;
  if (exec && typeof exec === 'object' && typeof exec.command === 'string' && /[\\/]/.test(exec.command) && !path.isAbsolute(exec.command)) {
    resolved.exec = { ...exec, command: path.resolve(dir, exec.command) };
  }
  return resolved;
}

function resolvePaths(entry: RawEntry, dir: string, fields: string[]): RawEntry {
  const copy: RawEntry = { ...entry };
  for (const field of fields) {
    const value = copy[field];
    if (typeof value === 'string' && value !== '' && !path.isAbsolute(value)) copy[field] = path.resolve(dir, value);
  }
  return copy;
}
