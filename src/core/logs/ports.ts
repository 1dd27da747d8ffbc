// The port between the log feature (src/vscode/logs) and the Kubernetes bundle: a session streams
// every pod of a workload, attaching pods as they appear. Types only.
import type { ScopeRequest } from '../cluster/placement';
import type { Labels } from '../cluster/kubeTypes';
import type { SourceLine } from './logBuffer';

export interface LogWindow {
  tailLines?: number;
  sinceSeconds?: number;
  /** RFC3339; the API counts it in whole seconds. */
  sinceTime?: string;
}

export interface LogSessionRequest {
  scope: ScopeRequest;
  /** The workload's pod selector (spec §5). */
  selector: Labels;
  /** When tenants share the namespace, pods carrying `gitopshq.io/tenant` are narrowed to this one. */
  tenant?: { name: string; shared: boolean };
  /** Only these pods (names); absent: every pod of the workload, new ones included. */
  pods?: readonly string[];
  /** Only these containers; absent: all. */
  containers?: readonly string[];
  follow: boolean;
  /** The last terminated container instead of the running one. */
  previous: boolean;
  /** The window of the pods there at the start; pods that appear later stream from their first line. */
  start: LogWindow;
  /** Pods attached at most (a setting); more are announced and left out. */
  maxPods: number;
  /** Test knobs of each container's tail. */
  tuning?: { idleTimeoutMs?: number; maxAttempts?: number; backoffInitialMs?: number; backoffMaxMs?: number };
}

export interface LogSessionSink {
  lines(batch: SourceLine[]): void;
  marker(text: string): void;
  /** A container's stream gave up (or could not start): the editor offers Retry. */
  failed(reason: string): void;
  /** The session ended by itself (the context changed, the kubeconfig cannot be read). */
  ended(reason: string): void;
}

export interface LogSessionHandle {
  /** Resolves once every connection is closed. */
  stop(): Promise<void>;
  /** Skips every back-off and restarts what gave up. */
  retry(): void;
  /** HTTP connections open now. */
  readonly openConnections: number;
  /** The pods streamed now. */
  readonly pods: readonly string[];
}
