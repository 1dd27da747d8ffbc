// The main bundle's side of dist/logs.js: the log commands exist from activation on (the timeline and
// the dashboard offer them), and the first one loads the stream manager.
import * as vscode from 'vscode';
import type { ClusterService } from '../cluster/clusterService';
import { lazyBundle } from '../lazyBundle';
import type { Services } from '../services';
import type * as LogsBundle from './index';
import type { LogCommand, LogsFeature } from './registerLogs';
import type { LogStreamManager } from './logStreams';

const loadLogs = lazyBundle<typeof LogsBundle>('logs');
const COMMANDS: LogCommand[] = ['stream', 'filter', 'stop', 'restart', 'export', 'showStreams'];

export interface LazyLogs {
  /** The manager once a log command ran (undefined before: nothing streams). */
  readonly manager: LogStreamManager | undefined;
  /** Loads the manager without starting a stream (tests, and whoever must read it). */
  load(): Promise<LogStreamManager>;
  readonly onDidLoad: vscode.Event<LogStreamManager>;
}

export function registerLazyLogs(s: Services, cluster: ClusterService): LazyLogs {
  const loaded = s.store.register(new vscode.EventEmitter<LogStreamManager>());
  let feature: LogsFeature | undefined;
  let loading: Promise<LogsFeature> | undefined;
  const load = () =>
    (loading ??= loadLogs().then((bundle) => {
      feature = bundle.createLogs(s, cluster);
      loaded.fire(feature.manager);
      return feature;
    }));
  for (const name of COMMANDS) s.command(`gitopshq.logs.${name}`, async (args?: unknown) => (await load()).run[name](args));
  return {
    get manager() {
      return feature?.manager;
    },
    load: async () => (await load()).manager,
    onDidLoad: loaded.event,
  };
}
