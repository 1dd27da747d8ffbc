// The running log streams in the status bar; a click lists them to show or stop one.
import * as vscode from 'vscode';
import type { LogStreamManager } from './logStreams';

export function registerLogStatusBar(manager: LogStreamManager): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('gitopshq.logs', vscode.StatusBarAlignment.Left, 10);
  item.name = 'GitOpsHQ Log Streams';
  item.command = 'gitopshq.logs.showStreams';
  const update = () => {
    const running = manager.list().filter((s) => s.running);
    if (running.length === 0) {
      item.hide();
      return;
    }
    item.text = `$(output) ${running.length} log stream${running.length === 1 ? '' : 's'}`;
    item.tooltip = running.map((s) => `${s.channel}: ${s.pods.length} pod${s.pods.length === 1 ? '' : 's'}, ${s.written.toLocaleString('en-US')} lines`).join('\n');
    item.show();
  };
  const subscription = manager.onDidChange(update);
  update();
  return {
    dispose: () => {
      subscription.dispose();
      item.dispose();
    },
  };
}
