/**
 * The Delivery Counts panel's Health section, host side: while the panel is visible, reads the selection's pools' health
 * every statistics interval (5 s: reading faster shows nothing new) into one HealthTracker and hands the page a
 * HealthView. The pools are those the counts source shows; failures become the view's `error`, never a notification.
 */
import { describeError } from '../broker/errors';
import { HealthThresholds, HealthTracker, fetchHealthSnapshot } from '../broker/health';
import type { ManagementClient } from '../broker/management';
import type { HealthView } from '../viewModel/panelProtocol';

export const HEALTH_POLL_MS = 5000;

export class PanelHealthFeed {
  private readonly tracker = new HealthTracker();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  latest: HealthView | undefined;

  constructor(private readonly client: ManagementClient, private readonly vhost: string, private readonly pools: () => string[],
    private readonly thresholds: () => Partial<HealthThresholds>, private readonly onView: (v: HealthView) => void) {}

  setVisible(visible: boolean): void {
    if (visible && !this.timer) {
      void this.poll();
      this.timer = setInterval(() => void this.poll(), HEALTH_POLL_MS);
    } else if (!visible && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  async poll(): Promise<void> {
    if (this.running) { return; }
    const names = new Set(this.pools());
    // No pools yet (the counts source has not listed them): nothing to judge, and no whole-vhost read for it.
    if (!names.size) { return; }
    this.running = true;
    try {
      // A few pools: each read by name (PER_POOL_MAX, a few at a time); more: the vhost's list.
      this.tracker.ingest(await fetchHealthSnapshot(this.client, this.vhost, { pools: [...names] }));
      const r = this.tracker.assess(this.thresholds());
      this.latest = {
        at: r.at, note: r.note,
        pools: r.pools.filter((p) => names.has(p.name)).map((p) => ({
          name: p.name, verdict: p.verdict, capacity: p.capacity, ready: p.ready, unacked: p.unacked, publishRate: p.publishRate, ackRate: p.ackRate,
          oldestAgeSeconds: p.oldestAgeSeconds, history: p.history.slice(-60), rates: p.rateHistory.slice(-60),
          dataAgeSeconds: p.dataAgeSeconds, resolutionSeconds: p.resolutionSeconds,
          workers: p.workers.map((w) => ({
            consumerTag: w.consumerTag, application: w.application, unacked: w.unacked, prefetch: w.prefetch, ackRate: w.ackRate,
            lastAckSecondsAgo: w.lastAckSecondsAgo, state: w.state, why: w.why,
          })),
        })),
      };
    } catch (e) {
      this.latest = { at: Date.now(), note: '', pools: this.latest?.pools ?? [], error: describeError(e) };
    } finally {
      this.running = false;
    }
    this.onView(this.latest);
  }

  dispose(): void {
    if (this.timer) { clearInterval(this.timer); }
    this.timer = undefined;
  }
}
