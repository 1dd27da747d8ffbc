import * as path from 'node:path';
import * as vscode from 'vscode';
import { GitOpsHqError } from '../../core/errors';
import { NAME_PATTERN } from '../../core/model/manifest';
import { buildManifest, inferLayout, slugify } from '../../core/model/scaffold';
import type { Services } from '../services';

const MANIFEST = 'gitopshq.yaml';
const MAX_FILES = 5000;
const DEFAULT_ENVIRONMENTS = ['dev', 'staging', 'production'];

/** The scripted form: every field optional; with an argument object nothing is asked. */
export interface InitProjectArgs {
  /** Absolute path of the folder that becomes the project root. */
  folder?: string;
  /** Display name; default: the folder's name. */
  name?: string;
  /** Environments in promotion order; default: the ones inferred, else dev, staging, production. */
  environments?: string[];
  /** Open the new manifest in an editor (default: true interactively, false when scripted). */
  open?: boolean;
}

/**
 * "GitOpsHQ: Initialize Project": writes a gitopshq.yaml inferred from the folder's charts and
 * values layout, asking only what cannot be inferred. Never overwrites an existing manifest.
 * Returns the path written, or undefined when the user cancelled.
 */
/** The command's body; it lives in dist/panels.js (a first project is scaffolded once), registered by lazyPanels.ts. */
export function runInitProjectCommand(s: Services, arg?: unknown): Promise<unknown> {
  // From the explorer's context menu the argument is the folder's Uri: interactive, folder known.
  if (arg instanceof vscode.Uri) return initProject(s, { folder: arg.fsPath }, true);
  // An argument object with any known field is a scripted run; anything else (a tree node, a
  // command link, the palette) is interactive.
  if (isArgs(arg)) return initProject(s, arg, false);
  return initProject(s, {}, true);
}

/** Whether the argument is the scripted form; throws when it looks like it but a field has the wrong type. */
function isArgs(arg: unknown): arg is InitProjectArgs {
  if (typeof arg !== 'object' || arg === null) return false;
  const a = arg as Record<string, unknown>;
  if (!['folder', 'name', 'environments', 'open'].some((k) => a[k] !== undefined)) return false;
  const valid =
    (a.folder === undefined || typeof a.folder === 'string') &&
    (a.name === undefined || typeof a.name === 'string') &&
    (a.environments === undefined || (Array.isArray(a.environments) && a.environments.every((e) => typeof e === 'string'))) &&
    (a.open === undefined || typeof a.open === 'boolean');
  if (!valid) {
    throw new GitOpsHqError(
      'manifest-invalid',
      'gitopshq.initProject expects { folder?: string, name?: string, environments?: string[], open?: boolean }.',
    );
  }
  return true;
}

async function initProject(s: Services, args: InitProjectArgs, interactive: boolean): Promise<string | undefined> {
  const log = s.logger.child('init');
  const folder = args.folder !== undefined ? await checkFolder(args.folder) : await pickFolder();
  if (!folder) return undefined;
  const manifest = vscode.Uri.joinPath(folder, MANIFEST);

  if (await exists(manifest)) {
    if (interactive) {
      // The user asked for something that is already done: offer the file instead of an error.
      void vscode.window
        .showWarningMessage(`${folder.fsPath} already has a ${MANIFEST}: GitOpsHQ never overwrites it.`, `Open ${MANIFEST}`)
        .then((choice) => (choice ? vscode.window.showTextDocument(manifest, { preview: false }) : undefined));
      return undefined;
    }
    throw alreadyExists(manifest);
  }

  const files = await listFiles(s, folder);
  if (files.length >= MAX_FILES) log.warn(`Only the first ${MAX_FILES} files of ${folder.fsPath} were used to infer the layout.`);
  const inference = inferLayout(files, { rootName: path.basename(folder.fsPath) });
  for (const note of inference.notes) log.info(note);

  const name = await projectName(args, folder, interactive);
  if (name === undefined) return undefined;
  const environments = await environmentNames(args, inference.environments, interactive);
  if (environments === undefined) return undefined;

  const text = buildManifest({
    name,
    slug: uniqueSlug(s, slugify(name)),
    environments,
    tenants: inference.tenants,
    workloads: inference.workloads,
  });

  // Re-check just before writing: the file may have appeared while the user was typing.
  if (await exists(manifest)) throw alreadyExists(manifest);
  await vscode.workspace.fs.writeFile(manifest, Buffer.from(text, 'utf8'));
  log.info(
    `Created ${manifest.fsPath}: ${environments.length} environment(s), ${inference.tenants.length} tenant(s), ${inference.workloads.length} workload(s).`,
  );

  if (args.open ?? interactive) {
    await vscode.window.showTextDocument(manifest, { preview: false });
  }
  if (interactive) {
    const found = inference.workloads.length === 0 ? 'no Helm chart was found: add your workloads' : `${inference.workloads.length} workload(s) found`;
    void vscode.window.showInformationMessage(`GitOpsHQ: created ${MANIFEST} (${found}). Review it, then commit it.`);
  }
  return manifest.fsPath;
}

function alreadyExists(manifest: vscode.Uri): GitOpsHqError {
  return new GitOpsHqError(
    'file-exists',
    `${manifest.fsPath} already exists: GitOpsHQ never overwrites a project manifest.`,
    'Open it to edit the project, or pick another folder.',
  );
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch (err) {
    if (err instanceof vscode.FileSystemError && err.code === 'FileNotFound') return false;
    throw err;
  }
}

async function checkFolder(folder: string): Promise<vscode.Uri> {
  if (!path.isAbsolute(folder)) {
    throw new GitOpsHqError('project-not-found', `The folder must be an absolute path (got "${folder}").`);
  }
  const uri = vscode.Uri.file(folder);
  let stat: vscode.FileStat | undefined;
  try {
    stat = await vscode.workspace.fs.stat(uri);
  } catch {
    stat = undefined;
  }
  if (!stat || (stat.type & vscode.FileType.Directory) === 0) {
    throw new GitOpsHqError('project-not-found', `${folder} is not a folder.`);
  }
  return uri;
}

async function pickFolder(): Promise<vscode.Uri | undefined> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    throw new GitOpsHqError('project-not-found', 'Open a folder first: the project manifest is written at its root.');
  }
  if (folders.length === 1) return folders[0]?.uri;
  const picked = await vscode.window.showQuickPick(
    folders.map((f) => ({ label: f.name, description: f.uri.fsPath, uri: f.uri })),
    { title: 'GitOpsHQ: Initialize Project', placeHolder: `The workspace folder that gets a ${MANIFEST}` },
  );
  return picked?.uri;
}

/** Folder-relative posix paths of every file below the folder (node_modules and .git excluded). */
async function listFiles(s: Services, folder: vscode.Uri): Promise<string[]> {
  let uris: readonly vscode.Uri[];
  try {
    uris = await vscode.workspace.findFiles(new vscode.RelativePattern(folder, '**/*'), '**/{node_modules,.git}/**', MAX_FILES);
  } catch (err) {
    // File search can be unavailable (a host without ripgrep, a folder outside the workspace): walk instead.
    s.logger.child('init').warn(`File search failed, listing ${folder.fsPath} directly: ${String(err)}`);
    uris = await walk(folder);
  }
  const root = folder.fsPath;
  return uris
    .map((u) => path.relative(root, u.fsPath))
    .filter((rel) => rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel))
    .map((rel) => rel.split(path.sep).join('/'));
}

async function walk(folder: vscode.Uri): Promise<vscode.Uri[]> {
  const found: vscode.Uri[] = [];
  const queue = [folder];
  while (queue.length > 0 && found.length < MAX_FILES) {
    const dir = queue.shift()!;
    for (const [name, type] of await vscode.workspace.fs.readDirectory(dir)) {
      if (name === 'node_modules' || name === '.git') continue;
      const child = vscode.Uri.joinPath(dir, name);
      if (type & vscode.FileType.Directory) queue.push(child);
      else if (type & vscode.FileType.File) found.push(child);
    }
  }
  return found.slice(0, MAX_FILES);
}

async function projectName(args: InitProjectArgs, folder: vscode.Uri, interactive: boolean): Promise<string | undefined> {
  const fallback = path.basename(folder.fsPath);
  if (args.name !== undefined) {
    if (args.name.trim() === '') throw new GitOpsHqError('manifest-invalid', 'The project name must not be empty.');
    return args.name.trim();
  }
  if (!interactive) return fallback;
  const name = await vscode.window.showInputBox({
    title: 'GitOpsHQ: Initialize Project',
    prompt: 'Project name (shown in the GitOpsHQ view; the slug is derived from it)',
    value: fallback,
    validateInput: (v) => (v.trim() === '' ? 'The project name must not be empty.' : undefined),
  });
  return name?.trim();
}

async function environmentNames(args: InitProjectArgs, inferred: string[], interactive: boolean): Promise<string[] | undefined> {
  if (args.environments !== undefined) {
    const problem = environmentProblem(args.environments);
    if (problem) throw new GitOpsHqError('manifest-invalid', problem);
    return args.environments;
  }
  if (inferred.length > 0) return inferred;
  if (!interactive) return DEFAULT_ENVIRONMENTS;
  const answer = await vscode.window.showInputBox({
    title: 'GitOpsHQ: Initialize Project',
    prompt: 'No environment folders were found. Environments, in promotion order, comma-separated',
    value: DEFAULT_ENVIRONMENTS.join(', '),
    validateInput: (v) => environmentProblem(splitList(v)),
  });
  return answer === undefined ? undefined : splitList(answer);
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
}

function environmentProblem(names: string[]): string | undefined {
  if (names.length === 0) return 'Name at least one environment.';
  const bad = names.find((n) => !NAME_PATTERN.test(n));
  if (bad !== undefined) return `"${bad}" is not a valid environment name: use lowercase letters, digits and dashes (e.g. "staging").`;
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) return `"${dup}" is listed twice.`;
  return undefined;
}

/** Slugs are unique in the workspace: add -2, -3... when another project already uses it. */
function uniqueSlug(s: Services, slug: string): string {
  const taken = new Set(s.projects.index.projects().flatMap((e: { project?: { slug: string } | undefined }) => (e.project ? [e.project.slug] : [])));
  if (!taken.has(slug)) return slug;
  for (let i = 2; ; i++) {
    const suffix = `-${i}`;
    const candidate = `${slug.slice(0, 63 - suffix.length).replace(/-+$/, '')}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}
