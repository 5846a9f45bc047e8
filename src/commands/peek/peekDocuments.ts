/**
 * The read-only documents Peek Messages… opens: one virtual JSON document per peek on the `rabbitmq-pools-peek:` scheme,
 * its text kept in memory (the broker is not asked again when the editor re-reads it) and dropped when the document closes.
 */
import * as vscode from 'vscode';

export const PEEK_SCHEME = 'rabbitmq-pools-peek';

class PeekDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private seq = 0;

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '// This peek is gone (its document was closed). Peek the pool again.\n';
  }

  /** A new document's URI: the title names the pool (characters a file name cannot hold become "_"). */
  add(pool: string, text: string): vscode.Uri {
    const name = pool.replace(/[^\w.@-]+/g, '_').slice(0, 80) || 'pool';
    const uri = vscode.Uri.from({ scheme: PEEK_SCHEME, path: `/Peek ${name}.json`, query: `n=${++this.seq}` });
    this.texts.set(uri.toString(), text);
    return uri;
  }

  forget(uri: vscode.Uri): void { this.texts.delete(uri.toString()); }
}

let documents: PeekDocuments | undefined;

/** The provider, registered on first use (its registration is pushed to the extension's subscriptions). */
export function peekDocuments(context: vscode.ExtensionContext): PeekDocuments {
  if (!documents) {
    const d = new PeekDocuments();
    context.subscriptions.push(
      vscode.workspace.registerTextDocumentContentProvider(PEEK_SCHEME, d),
      vscode.workspace.onDidCloseTextDocument((doc) => { if (doc.uri.scheme === PEEK_SCHEME) { d.forget(doc.uri); } }),
      { dispose: () => { documents = undefined; } },
    );
    documents = d;
  }
  return documents;
}
