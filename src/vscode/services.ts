import * as vscode from 'vscode';
import type { Logger } from '../core/logger';
import { guarded } from './errors';
import type { DisposableStore } from './lifecycle';
import type { ProjectService } from './projectService';

/** What every feature's register function receives: the shared services and one way to add a command. */
export class Services {
  constructor(
    readonly context: vscode.ExtensionContext,
    readonly store: DisposableStore,
    readonly channel: vscode.LogOutputChannel,
    readonly logger: Logger,
    readonly projects: ProjectService,
  ) {}

  /** Registers a command whose failures are shown to the user with an actionable message. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  command(id: string, handler: (...args: any[]) => unknown): void {
    this.store.register(vscode.commands.registerCommand(id, guarded(this.logger, id, handler)));
  }
}
