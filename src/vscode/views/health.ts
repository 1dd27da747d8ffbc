import * as vscode from 'vscode';
import type { Health } from '../../core/tree/treeModel';

/** The fleet colours: green healthy, yellow warning, red action needed; an outline when unknown. */
export function healthIcon(health: Health): vscode.ThemeIcon {
  switch (health) {
    case 'ok':
      return new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('charts.green'));
    case 'warning':
      return new vscode.ThemeIcon('warning', new vscode.ThemeColor('charts.yellow'));
    case 'error':
      return new vscode.ThemeIcon('error', new vscode.ThemeColor('charts.red'));
    default:
      return new vscode.ThemeIcon('circle-outline');
  }
}
