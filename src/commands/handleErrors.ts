/** One wrapper for every command: a short, redacted message in a notification; the whole error in the log. */
import * as vscode from 'vscode';
import { describeError } from '../broker/errors';
import { redact } from '../broker/redact';
import type { Logger } from '../broker/logger';
import { Commands } from '../constants';

export function handleErrors<A extends unknown[]>(log: Logger, title: string, fn: (...args: A) => unknown): (...args: A) => Promise<unknown> {
  return async (...args: A) => {
    try {
      return await fn(...args);
    } catch (e) {
      if (e instanceof vscode.CancellationError) { return undefined; }
      const line = describeError(e);
      log.error(`${title}: ${line}${e instanceof Error && e.stack ? '\n' + redact(e.stack) : ''}`);
      void vscode.window.showErrorMessage(`${title}: ${line}`, 'Show Log').then((pick) => {
        if (pick) { void vscode.commands.executeCommand(Commands.showLog); }
      });
      return undefined;
    }
  };
}
