// The Git facts behind a release's trust (src/core/release/trust.ts judges them): the committed copy
// of the release file, every commit that changed it with the file before and after and every other path
// it touched, the blobs of the release's paths at its `head`, and `git verify-commit` of the commits
// that recorded approvals. Read-only; a few git processes per release (one log, one cat-file batch,
// one ls-tree, and per approval commit two more when signatures are required).
import { parseReleaseFile } from '../../core/release/releaseFile';
import { judgeRelease, type ReleaseFileCommit, type TrustInput, type TrustReport } from '../../core/release/trust';
import type { Release } from '../../core/release/types';
import { createGitExec, type GitExec } from './gitExec';
import { parseLsTree } from './gitParse';
import type { GitRepository } from './gitRepository';

export type { TrustReport } from '../../core/release/trust';

export type TrustOptions = Omit<TrustInput, 'commits' | 'blobsAtHead' | 'blobsAtCreation'>;

const UNTRUSTED_SIGNATURES = 'signatures are not checked in an untrusted workspace (checking runs programs its Git configuration names)';

export class ReleaseTrust {
  private constructor(
    private readonly exec: GitExec,
    private readonly trusted: boolean,
  ) {}

  static open(repo: GitRepository): ReleaseTrust {
    return new ReleaseTrust(createGitExec(repo.root, { trusted: repo.trusted }), repo.trusted);
  }

  /** The release file's text at HEAD, or null when HEAD does not have it (never the working tree's copy). */
  async committedText(releasePath: string): Promise<string | null> {
    const result = await this.exec(['--no-optional-locks', 'cat-file', 'blob', `HEAD:${releasePath}`], { okCodes: [128] });
    return result.code === 0 ? result.stdout.toString('utf8') : null;
  }

  /** Whether the index or the working tree differ from HEAD for this file (staged or not). */
  async isModified(releasePath: string): Promise<boolean> {
    const args = ['--no-optional-locks', '--literal-pathspecs', 'diff', '--quiet', '--no-ext-diff', '--no-textconv', 'HEAD', '--', releasePath];
    return (await this.exec(args, { okCodes: [1, 128] })).code !== 0;
  }

  /** Judges `release` (the committed copy of `options.releasePath`) against its Git history. */
  async verify(release: Release, options: TrustOptions): Promise<TrustReport> {
    const commits = await this.fileCommits(options.releasePath, options.requireSignedCommits);
    const paths = release.changes.map((c) => c.path);
    const blobsAtHead = (await this.isCommit(release.head)) ? await this.blobsAt(release.head, paths) : undefined;
    const creation = [...commits].reverse().find((c) => c.before === null && c.after !== null);
    const blobsAtCreation = creation && creation.parent === release.head ? await this.blobsAt(creation.sha, paths) : undefined;
    return judgeRelease(release, { ...options, commits, blobsAtHead, ...(blobsAtCreation ? { blobsAtCreation } : {}) });
  }

  /** Non-merge commits reachable from HEAD that changed the file, oldest first, each with every path it changed. */
  private async fileCommits(releasePath: string, signatures: boolean): Promise<(ReleaseFileCommit & { parent: string })[]> {
    const output = (
      await this.exec(
        ['--no-optional-locks', '--literal-pathspecs', 'log', '--no-merges', '--topo-order', '--reverse', '--full-diff', '--raw', '-z', '--no-renames', '--no-abbrev', '--format=%x1e%H%x00%P%x00%an%x00%ae', 'HEAD', '--', releasePath],
        { okCodes: [128] },
      )
    ).stdout.toString('utf8');
    const raw: { sha: string; parent: string; name: string; email: string; files: string[]; oldBlob: string | null; newBlob: string | null }[] = [];
    for (const record of output.split('\x1e')) {
      const tokens = record.split('\0');
      const [sha, parents, name, email] = tokens;
      if (!sha || parents === undefined || name === undefined || email === undefined) continue;
      const entry = { sha, parent: parents.split(' ')[0] ?? '', name, email, files: [] as string[], oldBlob: null as string | null, newBlob: null as string | null };
      for (let i = 4; i < tokens.length; i++) {
        const meta = tokens[i]?.trim();
        if (!meta?.startsWith(':')) continue;
        const file = tokens[++i];
        if (file === undefined) break;
        entry.files.push(file);
        if (file === releasePath) {
          const [, , oldBlob, newBlob] = meta.slice(1).split(' ');
          entry.oldBlob = oldBlob && !/^0+$/.test(oldBlob) ? oldBlob : null;
          entry.newBlob = newBlob && !/^0+$/.test(newBlob) ? newBlob : null;
        }
      }
      raw.push(entry);
    }
    const texts = await this.readBlobs(raw.flatMap((c) => [c.oldBlob, c.newBlob]).filter((b): b is string => b !== null));
    const parse = (blob: string | null): Release | null | 'invalid' => {
      if (blob === null) return null;
      const text = texts.get(blob);
      return text === undefined ? 'invalid' : (parseReleaseFile(text, releasePath).release ?? 'invalid');
    };
    const commits: (ReleaseFileCommit & { parent: string })[] = [];
    for (const c of raw) {
      const commit: ReleaseFileCommit & { parent: string } = { sha: c.sha, parent: c.parent, author: { name: c.name, email: c.email }, files: c.files, before: parse(c.oldBlob), after: parse(c.newBlob) };
      if (signatures && commit.before !== null) commit.signature = await this.signature(c.sha);
      commits.push(commit);
    }
    return commits;
  }

  private async signature(sha: string): Promise<{ ok: boolean; signer: string; detail: string }> {
    if (!this.trusted) return { ok: false, signer: '', detail: UNTRUSTED_SIGNATURES };
    const verified = await this.exec(['verify-commit', sha], { okCodes: [1, 128] });
    const detail = verified.stderr.split('\n').find((line) => line.trim() !== '')?.trim() ?? '';
    if (verified.code !== 0) return { ok: false, signer: '', detail: detail || `exit code ${verified.code}` };
    const signer = (await this.exec(['show', '-s', '--format=%GS', sha])).stdout.toString('utf8').trim();
    return { ok: true, signer, detail };
  }

  private async isCommit(sha: string): Promise<boolean> {
    return (await this.exec(['cat-file', '-e', `${sha}^{commit}`], { okCodes: [1, 128] })).code === 0;
  }

  private async blobsAt(commit: string, paths: string[]): Promise<Map<string, string | null>> {
    const blobs = new Map<string, string | null>(paths.map((p) => [p, null]));
    if (paths.length === 0) return blobs;
    const tree = parseLsTree((await this.exec(['--no-optional-locks', '--literal-pathspecs', 'ls-tree', '-r', '-z', commit, '--', ...paths])).stdout.toString('utf8'));
    for (const p of paths) blobs.set(p, tree.get(p)?.blob ?? null);
    return blobs;
  }

  private async readBlobs(blobs: string[]): Promise<Map<string, string>> {
    const unique = [...new Set(blobs)];
    const texts = new Map<string, string>();
    if (unique.length === 0) return texts;
    const output = (await this.exec(['cat-file', '--batch'], { input: `${unique.join('\n')}\n` })).stdout;
    // `<id> <type> <size>\n<content>\n` per object (`<id> missing\n` for an absent one).
    for (let offset = 0; offset < output.length; ) {
      const eol = output.indexOf(0x0a, offset);
      if (eol < 0) break;
      const [blob, type, size] = output.subarray(offset, eol).toString('utf8').split(' ');
      if (type === 'missing' || blob === undefined) {
        offset = eol + 1;
        continue;
      }
      const length = Number(size);
      if (!Number.isFinite(length)) break;
      texts.set(blob, output.subarray(eol + 1, eol + 1 + length).toString('utf8'));
      offset = eol + 1 + length + 1;
    }
    return texts;
  }
}
