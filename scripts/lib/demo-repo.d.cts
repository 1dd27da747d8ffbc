// Declarations for demo-repo.cjs: builds the demo GitOps repository (demo/) as a real Git repository.

export interface DemoPerson {
  name: string;
  email: string;
}

export interface DemoCommit {
  /** Stable key of the commit in the demo history, e.g. `staging-2.4.1`. */
  key: string;
  /** Full commit id. */
  sha: string;
  subject: string;
  author: DemoPerson;
  /** Author and committer date, ISO 8601 UTC. */
  date: string;
}

export interface DemoHistory {
  /** The commits of `main`, oldest first. */
  commits: DemoCommit[];
  /** Deployed branch name (`gitopshq/deployed/<tenant>/<env>`) → commit id. Absent branches were never deployed. */
  deployed: Record<string, string>;
  /** The repository's local `user.name` / `user.email`. */
  identity: DemoPerson;
}

export interface BuildHistoryOptions {
  /** The demo content (the tip of `main`). Default: the project's demo/ folder (the nearest `demo/gitopshq.yaml` above the module). */
  source?: string | undefined;
  /** "Now" for the relative commit dates; a fixed value makes every commit id reproducible. Default: the current time. */
  now?: Date | number | string | undefined;
}

export interface PrepareDemoRepoOptions extends BuildHistoryOptions {
  /** Where to build the repository (must be empty or absent). Default: a fresh `gitopshq-demo-*` folder under the OS temp dir. */
  dir?: string | undefined;
}

export interface DemoRepo extends DemoHistory {
  /** Absolute path of the repository (the project root: it holds gitopshq.yaml). */
  dir: string;
  /** Removes `dir`. */
  cleanup(): Promise<void>;
}

/** Copies demo/ into a fresh folder and makes it a Git repository with history and deployed branches. */
export function prepareDemoRepo(options?: PrepareDemoRepoOptions): Promise<DemoRepo>;

/** Builds the demo history in `dir` (empty, absent, or a plain copy of demo/ without .git). */
export function buildHistory(dir: string, options?: BuildHistoryOptions): Promise<DemoHistory>;

/** Dana Developer <dana@example.com>, a member of team devops. */
export const DEMO_IDENTITY: Readonly<DemoPerson>;

/** The history definition, oldest first (read-only; for tests that want to name commits). */
export const HISTORY: ReadonlyArray<{
  readonly key: string;
  readonly by: string;
  readonly daysAgo: number;
  readonly at: string;
  readonly message: string;
  readonly deploy?: ReadonlyArray<readonly [tenant: string, env: string]>;
}>;
