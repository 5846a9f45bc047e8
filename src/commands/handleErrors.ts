/**
 * One wrapper for every command: a short, redacted message in a notification; the whole error in the log. A command run
 * from a tree row that the view was redrawing at that moment gets `undefined` for the row (VS Code cannot resolve its
 * handle during a refresh): it says so instead of running as from the palette, with its pickers, or on nothing.
 */
import * as vscode from 'vscode';
import { describeError } from '../broker/errors';
import { redact } from '../broker/redact';
import type { Logger } from '../broker/logger';
import { Commands } from '../constants';
import { vanishedTreeItem } from './treeArgs';

export function handleErrors<A extends unknown[]>(log: Logger, title: string, fn: (...args: A) => unknown): (...args: A) => Promise<unknown> {
  return async (...args: A) => {
    if (vanishedTreeItem(args)) {
      log.info(`${title}: the tree row it was run from was being redrawn; not run`);
      void vscode.window.showInformationMessage(`${title}: the row you chose was being redrawn (a refresh) just as you chose it. Choose it again.`);
      return undefined;
    }
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

