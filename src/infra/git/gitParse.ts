// Parsers for the NUL-separated (-z) output of the plumbing commands the release side runs.

/** One `ls-tree` / `ls-files -s` entry. */
export interface TreeEntry {
  mode: string;
  blob: string;
  path: string;
}

/** `ls-tree -r -z <tree> -- …`: `<mode> SP <type> SP <object> TAB <path>`; only blobs (no submodules). */
export function parseLsTree(output: string): Map<string, TreeEntry> {
  const entries = new Map<string, TreeEntry>();
  for (const record of output.split('\0')) {
    const tab = record.indexOf('\t');
    if (tab < 0) continue;
    const [mode, type, blob] = record.slice(0, tab).split(' ');
    if (type !== 'blob' || mode === undefined || blob === undefined) continue;
    const path = record.slice(tab + 1);
    entries.set(path, { mode, blob, path });
  }
  return entries;
}

/** `ls-files -s -z -- …`: `<mode> SP <object> SP <stage> TAB <path>`, stage-0 entries only. */
export function parseLsFiles(output: string): Map<string, TreeEntry> {
  const entries = new Map<string, TreeEntry>();
  for (const record of output.split('\0')) {
    const tab = record.indexOf('\t');
    if (tab < 0) continue;
    const [mode, blob, stage] = record.slice(0, tab).split(' ');
    if (stage !== '0' || mode === undefined || blob === undefined) continue;
    const path = record.slice(tab + 1);
    entries.set(path, { mode, blob, path });
  }
  return entries;
}

/** One `diff-tree -r -z` / `log --raw -z` entry (renames off, so one path each). */
export interface RawChange {
  path: string;
  oldMode: string;
  newMode: string;
  /** null when the path is absent on that side. */
  oldBlob: string | null;
  newBlob: string | null;
}

/** Parses `:<old mode> <new mode> <old> <new> <status>` NUL `<path>` NUL pairs from `tokens`. */
export function parseRawTokens(tokens: string[], zeroOid: string): RawChange[] {
  const changes: RawChange[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const meta = tokens[i]?.trim();
    if (meta === undefined || !meta.startsWith(':')) continue;
    const path = tokens[++i];
    if (path === undefined) break;
    const [oldMode, newMode, oldBlob, newBlob] = meta.slice(1).split(' ');
    if (oldMode === undefined || newMode === undefined || oldBlob === undefined || newBlob === undefined) continue;
    // Submodules (mode 160000) are commits, not files: not ours to deploy.
    if (oldMode === '160000' || newMode === '160000') continue;
    changes.push({
      path,
      oldMode,
      newMode,
      oldBlob: oldBlob === zeroOid ? null : oldBlob,
      newBlob: newBlob === zeroOid ? null : newBlob,
    });
  }
  return changes;
}

/** One path of `status --porcelain=v2 -z`. */
export interface StatusEntry {
  path: string;
  kind: 'tracked' | 'untracked' | 'unmerged';
  /** `XY`: index vs HEAD, work tree vs index ('.' = unchanged); '??' for untracked. */
  xy: string;
  headMode?: string;
  worktreeMode?: string;
  headBlob?: string;
  indexBlob?: string;
}

export function parseStatusV2(output: string): StatusEntry[] {
  const entries: StatusEntry[] = [];
  const records = output.split('\0');
  for (let i = 0; i < records.length; i++) {
    const record = records[i];
    if (record === undefined || record === '') continue;
    const type = record[0];
    if (type === '?') {
      entries.push({ path: record.slice(2), kind: 'untracked', xy: '??' });
    } else if (type === '1' || type === '2') {
      // 1 XY sub mH mI mW hH hI path  |  2 XY sub mH mI mW hH hI Xscore path NUL origPath
      const fields = record.split(' ');
      const fixed = type === '1' ? 8 : 9;
      const [, xy, , headMode, , worktreeMode, headBlob, indexBlob] = fields;
      if (xy === undefined || headMode === undefined || worktreeMode === undefined || headBlob === undefined || indexBlob === undefined) continue;
      entries.push({ path: fields.slice(fixed).join(' '), kind: 'tracked', xy, headMode, worktreeMode, headBlob, indexBlob });
      if (type === '2') i++;
    } else if (type === 'u') {
      // u XY sub m1 m2 m3 mW h1 h2 h3 path
      const fields = record.split(' ');
      entries.push({ path: fields.slice(10).join(' '), kind: 'unmerged', xy: fields[1] ?? 'UU' });
    }
  }
  return entries;
}
