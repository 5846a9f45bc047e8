/** The Brokers tree's per-refresh cache of reads (brokerSession.ts). */
/** A memo of promises for one generation; failed ones are forgotten so that Retry asks again. */
export class Memo {
  private readonly map = new Map<string, Promise<unknown>>();

  get<T>(key: string, load: () => Promise<T>): Promise<T> {
    let p = this.map.get(key) as Promise<T> | undefined;
    if (!p) {
      p = load();
      this.map.set(key, p);
      p.catch(() => { if (this.map.get(key) === p) { this.map.delete(key); } });
    }
    return p;
  }

  peek<T>(key: string): T | undefined {
    return (this.settled.get(key) as T | undefined);
  }

  /** Values of resolved promises, for synchronous getTreeItem (descriptions). */
  readonly settled = new Map<string, unknown>();

  track<T>(key: string, p: Promise<T>): Promise<T> {
    return p.then((v) => { this.settled.set(key, v); return v; });
  }

  clear(prefix?: string): void {
    for (const k of [...this.map.keys()]) { if (!prefix || k.startsWith(prefix)) { this.map.delete(k); } }
    for (const k of [...this.settled.keys()]) { if (!prefix || k.startsWith(prefix)) { this.settled.delete(k); } }
  }
}
