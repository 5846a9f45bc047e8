/**
 * The largest counts the tool accepts, in one place for the CLI, the commands and the Delivery Counts panel. No imports:
 * the panel's browser bundle reads this file too.
 */

/** Test notifications in one publish run. */
export const MAX_PUBLISH_COUNT = 10_000_000;

/**
 * Notifications in one delivery audit. The audit remembers every message id it published and, per pool, every id it
 * received (about 100 bytes each), so a million is already ~100 MB per pool counted exactly.
 */
export const MAX_AUDIT_COUNT = 1_000_000;
