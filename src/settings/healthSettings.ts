/** The pool-health thresholds from settings (rabbitmqPools.health.*); unset or invalid values keep health.ts's defaults. */
import * as vscode from 'vscode';
import { CONFIG_SECTION } from '../constants';
import type { HealthThresholds } from '../broker/health';

export const HealthSettings = {
  stalledAfterSeconds: 'health.stalledAfterSeconds',
  slowRatio: 'health.slowRatio',
  consumerTimeoutSeconds: 'health.consumerTimeoutSeconds',
  windowSeconds: 'health.windowSeconds',
} as const;

export function healthThresholdsFromSettings(): Partial<HealthThresholds> {
  const c = vscode.workspace.getConfiguration(CONFIG_SECTION);
  const out: Partial<HealthThresholds> = {};
  for (const [k, name] of Object.entries(HealthSettings) as [keyof typeof HealthSettings, string][]) {
    const v = c.get<number>(name);
    if (typeof v === 'number' && Number.isFinite(v) && v > 0) { out[k] = v; }
  }
  return out;
}
