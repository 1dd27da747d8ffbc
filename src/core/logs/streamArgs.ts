// The arguments of `gitopshq.logs.stream`, checked before anything connects: a wrong type, an
// unknown duration or an invalid regular expression is refused with a message naming the field.
import { compileFilter, type LineFilter } from './filters';
import type { LogWindow } from './ports';
import { parseSince, parseSinceTime } from './since';

export interface StreamArgs {
  project: string;
  environment: string;
  workload: string;
  tenant?: string;
  pod?: string | string[];
  container?: string | string[];
  include?: string;
  exclude?: string;
  errorsOnly?: boolean;
  since?: string;
  sinceTime?: string;
  tail?: number;
  previous?: boolean;
  follow?: boolean;
  timestamps?: boolean;
}

export interface StreamPlan {
  project: string;
  environment: string;
  workload: string;
  tenant?: string;
  pods?: string[];
  containers?: string[];
  filter: LineFilter;
  window: LogWindow;
  previous: boolean;
  follow: boolean;
  timestamps: boolean;
}

/** Without since, sinceTime or tail: the last 100 lines of each container (kubectl's --tail default for selectors is 10; stern's is all). */
export const DEFAULT_TAIL = 100;

export class StreamArgsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StreamArgsError';
  }
}

function str(args: Record<string, unknown>, field: string, required: boolean): string | undefined {
  const value = args[field];
  if (value === undefined || value === null || value === '') {
    if (required) throw new StreamArgsError(`gitopshq.logs.stream needs "${field}" (a string).`);
    return undefined;
  }
  if (typeof value !== 'string') throw new StreamArgsError(`gitopshq.logs.stream: "${field}" must be a string.`);
  return value;
}

function list(args: Record<string, unknown>, field: string): string[] | undefined {
  const value = args[field];
  if (value === undefined || value === null || value === '' || value === 'all') return undefined;
  const items = Array.isArray(value) ? value : [value];
  if (items.length === 0) return undefined;
  if (!items.every((v) => typeof v === 'string' && v !== '')) throw new StreamArgsError(`gitopshq.logs.stream: "${field}" must be a name or a list of names.`);
  return items as string[];
}

function flag(args: Record<string, unknown>, field: string, fallback: boolean): boolean {
  const value = args[field];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'boolean') throw new StreamArgsError(`gitopshq.logs.stream: "${field}" must be true or false.`);
  return value;
}

/** Throws StreamArgsError or FilterError (invalid regex) with a message fit for the user. */
export function planStream(input: unknown): StreamPlan {
  if (!input || typeof input !== 'object' || Array.isArray(input)) throw new StreamArgsError('gitopshq.logs.stream takes { project, environment, workload, tenant?, ... }.');
  const args = input as Record<string, unknown>;
  const filter = compileFilter({
    ...(str(args, 'include', false) !== undefined ? { include: str(args, 'include', false)! } : {}),
    ...(str(args, 'exclude', false) !== undefined ? { exclude: str(args, 'exclude', false)! } : {}),
    errorsOnly: flag(args, 'errorsOnly', false),
  });
  const window: LogWindow = {};
  const since = str(args, 'since', false);
  const sinceTime = str(args, 'sinceTime', false);
  if (since !== undefined && sinceTime !== undefined) throw new StreamArgsError('gitopshq.logs.stream: give "since" or "sinceTime", not both.');
  if (since !== undefined) window.sinceSeconds = parseSince(since);
  if (sinceTime !== undefined) window.sinceTime = parseSinceTime(sinceTime);
  const tail = args.tail;
  if (tail !== undefined && tail !== null) {
    if (typeof tail !== 'number' || !Number.isInteger(tail) || tail < 0) throw new StreamArgsError('gitopshq.logs.stream: "tail" must be a whole number of lines (0 or more).');
    window.tailLines = tail;
  }
  if (since === undefined && sinceTime === undefined && window.tailLines === undefined) window.tailLines = DEFAULT_TAIL;
  const plan: StreamPlan = {
    project: str(args, 'project', true)!,
    environment: str(args, 'environment', true)!,
    workload: str(args, 'workload', true)!,
    filter,
    window,
    previous: flag(args, 'previous', false),
    follow: flag(args, 'follow', true),
    timestamps: flag(args, 'timestamps', false),
  };
  const tenant = str(args, 'tenant', false);
  if (tenant !== undefined) plan.tenant = tenant;
  const pods = list(args, 'pod');
  if (pods) plan.pods = pods;
  const containers = list(args, 'container');
  if (containers) plan.containers = containers;
  return plan;
}
