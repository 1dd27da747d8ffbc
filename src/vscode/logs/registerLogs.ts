// The log commands' bodies (scriptable, each with a quick pick when called without arguments), the
// status bar item, and the stream manager whose streams all end with the extension. This is
// dist/logs.js: lazyLogs.ts registers the commands at activation and loads it on the first one.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ClusterService } from '../cluster/clusterService';
import type { Services } from '../services';
import { pickStream, pickStreamId } from './logPicks';
import { registerLogStatusBar } from './logStatusBar';
import { LogStreamManager } from './logStreams';

export type LogCommand = 'stream' | 'filter' | 'stop' | 'restart' | 'export' | 'showStreams';

export interface LogsFeature {
  manager: LogStreamManager;
  run: Record<LogCommand, (args?: unknown) => Promise<unknown>>;
}

export function createLogs(s: Services, cluster: ClusterService): LogsFeature {
  const manager = s.store.register(new LogStreamManager(s.projects, cluster, s.logger.child('logs')));
  s.store.register(registerLogStatusBar(manager));
  // The palette offers filter/stop/restart/export once there is a stream to act on.
  let known = false;
  s.store.register(manager.onDidChange(() => {
    const any = manager.list().length > 0;
    if (any !== known) void vscode.commands.executeCommand('setContext', 'gitopshq.logStreams', (known = any));
  }));

  const run: LogsFeature['run'] = {} as LogsFeature['run'];
  run.stream = async (args?: unknown) => {
    const input = isArgs(args) ? args : await pickStream(s.projects, cluster);
    if (!input) return undefined;
    return manager.start(input);
  };

  run.filter = async (raw?: unknown) => {
    const args = raw as { id?: string; include?: string; exclude?: string; errorsOnly?: boolean } | undefined;
    const id = await pickStreamId(manager.list(), args?.id, 'Filter which log stream?');
    if (!id) return;
    if (args && ('include' in args || 'exclude' in args || 'errorsOnly' in args)) {
      manager.filter({ ...args, id });
      return;
    }
    const include = await vscode.window.showInputBox({ title: 'Include lines matching (regular expression; empty: all)', validateInput: regexProblem });
    if (include === undefined) return;
    const exclude = await vscode.window.showInputBox({ title: 'Exclude lines matching (regular expression; empty: none)', validateInput: regexProblem });
    if (exclude === undefined) return;
    manager.filter({ id, include, exclude });
  };

  run.stop = async (raw?: unknown) => {
    const args = raw as { id?: string } | undefined;
    if (args?.id === undefined && manager.list().filter((x) => x.running).length > 1) {
      const id = await pickStreamId(manager.list(), undefined, 'Stop which log stream?');
      if (id) await manager.stop(id);
      return;
    }
    await manager.stop(args?.id);
  };

  run.restart = async (raw?: unknown) => {
    const args = raw as { id?: string } | undefined;
    const id = await pickStreamId(manager.list(), args?.id, 'Restart which log stream?');
    return id ? manager.restart(id) : undefined;
  };

  run.export = async (raw?: unknown) => {
    const args = raw as { id?: string; path?: string } | undefined;
    const id = await pickStreamId(manager.list(), args?.id, 'Export which log stream?');
    if (!id) return undefined;
    let file = args?.path;
    if (!file) {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      const name = `${manager.channelName(id).replace(/^GitOpsHQ Logs: /, '').replace(/[^\w.-]+/g, '-').replace(/-+$/, '')}.log`;
      const uri = await vscode.window.showSaveDialog({ title: 'Export log stream', ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {}), filters: { Logs: ['log', 'txt'] } });
      if (!uri) return undefined;
      file = uri.fsPath;
    }
    const lines = manager.retained(id);
    await vscode.workspace.fs.writeFile(vscode.Uri.file(path.resolve(file)), Buffer.from(lines.length > 0 ? `${lines.join('\n')}\n` : '', 'utf8'));
    return path.resolve(file);
  };

  run.showStreams = async () => {
    const streams = manager.list();
    const items = streams.flatMap((st) => [
      { label: `$(output) Show ${st.channel}`, description: st.running ? `${st.pods.length} pods` : 'stopped', run: () => manager.showChannel(st.id) },
      ...(st.running ? [{ label: `$(debug-stop) Stop ${st.channel}`, description: '', run: () => void manager.stop(st.id) }] : []),
    ]);
    if (streams.some((st) => st.running)) items.push({ label: '$(debug-stop) Stop all log streams', description: '', run: () => void manager.stop() });
    const picked = await vscode.window.showQuickPick(items, { title: 'GitOpsHQ log streams' });
    picked?.run();
  };

  return { manager, run };
}

function isArgs(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && 'workload' in value;
}

function regexProblem(value: string): string | undefined {
  if (value === '') return undefined;
  try {
    new RegExp(value);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
