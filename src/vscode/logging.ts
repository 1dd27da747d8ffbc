import * as vscode from 'vscode';
import type { Logger } from '../core/logger';
import { LOG_MASKING, LogExcerpt, sanitizeLog, secretMasker } from '../core/secrets/mask';

/** Backs the logger port with the "GitOpsHQ" LogOutputChannel; every line passes through `sanitizeLog`. */
export class ChannelLogger implements Logger {
  constructor(
    private readonly channel: vscode.LogOutputChannel,
    private readonly secrets: () => readonly string[],
    private readonly component?: string,
  ) {}

  trace(message: string, ...args: unknown[]): void {
    this.channel.trace(this.format(message, args));
  }
  debug(message: string, ...args: unknown[]): void {
    this.channel.debug(this.format(message, args));
  }
  info(message: string, ...args: unknown[]): void {
    this.channel.info(this.format(message, args));
  }
  warn(message: string, ...args: unknown[]): void {
    this.channel.warn(this.format(message, args));
  }
  error(message: string | Error, ...args: unknown[]): void {
    const text = message instanceof Error ? (message.stack ?? message.message) : message;
    this.channel.error(this.format(text, args));
  }
  child(component: string): Logger {
    return new ChannelLogger(this.channel, this.secrets, this.component ? `${this.component}/${component}` : component);
  }

  private format(message: string, args: unknown[]): string {
    const masker = secretMasker(this.secrets(), LOG_MASKING);
    const rest = args.map((a) =>
      a instanceof Error ? (a.stack ?? a.message) : typeof a === 'string' ? a : a instanceof LogExcerpt ? sanitizeLog(safeJson(a.value), masker, a.maxLength) : safeJson(a),
    );
    const line = [this.component ? `[${this.component}] ${message}` : message, ...rest].join(' ');
    return sanitizeLog(line, masker);
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}
