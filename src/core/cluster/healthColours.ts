// Spec §5 "Health colours": green healthy, yellow warning, red action needed, per workload and per
// environment (the worst of its workloads, its cluster connection and its Git state).
import type { ConnectionState } from './clusterErrors';
import type { Health, HealthReason } from './workloadHealth';

export type HealthColour = 'green' | 'yellow' | 'red';

const RANK: Record<HealthColour, number> = { green: 0, yellow: 1, red: 2 };

/**
 * Red exactly when the health is degraded (a Failed reason, or zero ready of desired > 0); yellow
 * for a rollout, fewer ready than desired, a missing object, a recent restart, and `unknown`
 * (nothing vouches for the workload yet).
 */
export function workloadColour(h: { health: Health; reason?: HealthReason }): HealthColour {
  switch (h.health) {
    case 'degraded':
      return 'red';
    case 'healthy':
      return h.reason === 'RecentRestarts' ? 'yellow' : 'green';
    default:
      return 'yellow';
  }
}

export function worstColour(colours: Iterable<HealthColour>): HealthColour {
  let worst: HealthColour = 'green';
  for (const c of colours) if (RANK[c] > RANK[worst]) worst = c;
  return worst;
}

/** The Git side of an environment (§4), computed elsewhere and passed in. */
export interface GitState {
  /** The deployed branch differs from what the repository says (warning). */
  drift?: boolean;
  /** Some placeholder does not resolve (action needed). */
  unresolvedValues?: boolean;
}

export interface EnvironmentColourInput {
  workloads: readonly { name: string; health: Health; reason?: HealthReason }[];
  /** Undefined when the environment has no cluster to ask (then only Git counts). */
  connection?: ConnectionState;
  git?: GitState;
}

export interface EnvironmentColour {
  colour: HealthColour;
  /** Why it is not green, worst first, e.g. `api: CrashLoopBackOff`, `drift`, `cluster: unreachable`. */
  causes: string[];
}

export function environmentColour(input: EnvironmentColourInput): EnvironmentColour {
  const causes: { colour: HealthColour; what: string }[] = [];
  if (input.git?.unresolvedValues) causes.push({ colour: 'red', what: 'unresolved values' });
  if (input.git?.drift) causes.push({ colour: 'yellow', what: 'drift' });
  // Without a connection the workloads' health is not known: the cluster problem is the warning.
  if (input.connection !== undefined && input.connection !== 'connected') {
    causes.push({ colour: 'yellow', what: `cluster: ${input.connection}` });
  } else {
    for (const w of input.workloads) {
      const colour = workloadColour(w);
      if (colour !== 'green') causes.push({ colour, what: `${w.name}: ${w.reason ?? w.health}` });
    }
  }
  causes.sort((a, b) => RANK[b.colour] - RANK[a.colour]);
  return { colour: worstColour(causes.map((c) => c.colour)), causes: causes.map((c) => c.what) };
}
