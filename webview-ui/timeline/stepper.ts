// The stepper's model: the phases reached (with their times and the time since the phase before),
// then the phases still ahead on the way to Healthy. Failed ends the line. No DOM: unit-tested in Node.
import type { WirePhase, WireStep } from '../../src/protocol/timeline';

const HAPPY_PATH: readonly WirePhase[] = ['pending', 'in_progress', 'deployed', 'healthy'];
const LABELS: Record<WirePhase, string> = { pending: 'Pending', in_progress: 'In Progress', deployed: 'Deployed', healthy: 'Healthy', failed: 'Failed' };

export interface StepperItem {
  phase: WirePhase;
  /** done: passed; current: where the rollout is; failed; future: not reached. */
  status: 'done' | 'current' | 'failed' | 'future';
  reached: boolean;
  at?: string;
  /** Time since the phase before it (ms). */
  durationMs?: number;
  detail?: string;
}

export function phaseLabel(phase: WirePhase): string {
  return LABELS[phase];
}

export function stepperPhases(reached: readonly WireStep[], phase: WirePhase): StepperItem[] {
  const items: StepperItem[] = [];
  let before: number | undefined;
  reached.forEach((step, i) => {
    const at = Date.parse(step.at);
    const last = i === reached.length - 1;
    const status = step.phase === 'failed' ? 'failed' : last && step.phase !== 'healthy' ? 'current' : 'done';
    const item: StepperItem = { phase: step.phase, status, reached: true, at: step.at, detail: step.detail };
    if (before !== undefined && Number.isFinite(at)) item.durationMs = Math.max(0, at - before);
    if (Number.isFinite(at)) before = at;
    items.push(item);
  });
  if (phase !== 'failed') {
    for (const p of HAPPY_PATH) if (!items.some((i) => i.phase === p)) items.push({ phase: p, status: 'future', reached: false });
  }
  return items;
}

/** "4 s", "2 min 5 s", "1 h 3 min". */
export function durationText(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}
