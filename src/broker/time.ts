/** Waiting: the one abortable delay and the one timeout race of the core. */

/** Resolves after `ms`, or at once when `signal` aborts (or has already aborted). Never rejects. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) { resolve(); return; }
    const timer = setTimeout(done, ms);
    function done() { clearTimeout(timer); signal?.removeEventListener('abort', done); resolve(); }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** `p`, or a rejection with Error('timeout') after `ms`. The timer does not keep the process alive. */
export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => { t = setTimeout(() => reject(new Error('timeout')), ms); t.unref(); }),
  ]).finally(() => clearTimeout(t));
}
