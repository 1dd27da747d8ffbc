// Which commits a release's head contains (release attribution, docs/history.md), answered from the
// commit graph of the release heads' ancestors. A path-limited `git rev-list <head> -- <paths>` per
// release diffed the trees of every commit down to the root (0.4-0.9 s on 10,000 commits, for each
// page and each cold blame); the graph comes from one walk of commit objects only, and commits are
// immutable, so it only grows: a new release head adds the commits it has and the graph lacks.

/** A mark array is one byte per commit; more heads than this recompute theirs (a walk of the graph). */
const MAX_MARKED_HEADS = 64;

export class AncestryGraph {
  private readonly index = new Map<string, number>();
  private readonly parents: number[][] = [];
  private readonly reach = new Map<string, Uint8Array>();
  private readonly heads = new Set<string>();

  /** How many commits the graph holds. */
  get size(): number {
    return this.parents.length;
  }

  /** The heads walked so far: a new walk excludes their ancestors. */
  get walked(): string[] {
    return [...this.heads];
  }

  /** Whether all of `head`'s ancestors are in the graph (`addHeads` was called for it). */
  knows(head: string): boolean {
    return this.heads.has(head);
  }

  /**
   * One "<sha> <parent>…" line of `git rev-list --parents <new heads> --not <known heads>` (streamed).
   * Commits the walk leaves out are ancestors of known heads: already here with their parents.
   */
  addLine(line: string): void {
    const [sha, ...parents] = line.trim().split(' ');
    if (!sha) return;
    const i = this.id(sha);
    this.parents[i] = parents.filter((p) => p !== '').map((p) => this.id(p));
  }

  /**
   * Marks `heads` as walked: every ancestor's line was added (a head missing from the repository
   * contains nothing). Marks computed before stay right: the commits a walk adds are not ancestors
   * of heads known before it.
   */
  addHeads(heads: readonly string[]): void {
    for (const head of heads) this.heads.add(head);
  }

  /** Whether `sha` is `head` or one of its ancestors; false for a head not walked yet. */
  contains(head: string, sha: string): boolean {
    if (head === sha) return true;
    const target = this.index.get(sha);
    if (target === undefined || !this.heads.has(head) || !this.index.has(head)) return false;
    return this.marks(head)[target] === 1;
  }

  private marks(head: string): Uint8Array {
    let marks = this.reach.get(head);
    if (marks) return marks;
    marks = new Uint8Array(this.parents.length);
    const stack = [this.index.get(head) as number];
    while (stack.length > 0) {
      const i = stack.pop() as number;
      if (marks[i] === 1) continue;
      marks[i] = 1;
      for (const p of this.parents[i] ?? []) if (marks[p] !== 1) stack.push(p);
    }
    if (this.reach.size >= MAX_MARKED_HEADS) this.reach.delete(this.reach.keys().next().value as string);
    this.reach.set(head, marks);
    return marks;
  }

  private id(sha: string): number {
    let i = this.index.get(sha);
    if (i === undefined) {
      i = this.parents.length;
      this.index.set(sha, i);
      this.parents.push([]);
    }
    return i;
  }
}
