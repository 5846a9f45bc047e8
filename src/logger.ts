/** The core's small Logger interface, adapted to a VS Code LogOutputChannel; every line is redacted. */
import * as vscode from 'vscode';
import type { Logger } from './broker/logger';
import { redact } from './broker/redact';

export function channelLogger(channel: vscode.LogOutputChannel): Logger {
  return {
    debug: (m) => channel.debug(redact(m)),
    info: (m) => channel.info(redact(m)),
    warn: (m) => channel.warn(redact(m)),
    error: (m) => channel.error(redact(m)),
  };
}
