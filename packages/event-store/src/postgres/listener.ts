import pg from 'pg';
import type { WakeSignal } from '../polling-subscription.js';

const RECONNECT_MS = 1000;

export interface AppendListener extends WakeSignal {
  /** Connects and LISTENs if not yet done; safe to call repeatedly. */
  start(): void;
  close(): Promise<void>;
}

/**
 * One dedicated connection (LISTEN needs a session of its own, not a pooled
 * one) that turns NOTIFYs of appends into wake-ups for sleeping
 * subscriptions. It is only a shortcut: subscriptions poll regardless, so a
 * lost connection or a dropped notification delays delivery by at most a
 * poll interval and loses nothing. A lost connection is re-established.
 */
export function appendListener(connectionString: string, channel: string): AppendListener {
  const listeners = new Set<() => void>();
  let client: pg.Client | null = null;
  let started = false;
  let closed = false;
  let retry: NodeJS.Timeout | null = null;

  const wakeAll = () => {
    for (const l of [...listeners]) l();
  };

  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString });
    client = c;
    const lost = () => {
      if (client !== c) return;
      client = null;
      c.removeAllListeners('notification');
      void c.end().catch(() => undefined);
      if (!closed) retry = setTimeout(() => void connect(), RECONNECT_MS);
    };
    // Without an 'error' listener a dropped connection would crash the process.
    c.on('error', lost);
    c.on('end', lost);
    c.on('notification', wakeAll);
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
      // Appends that committed before LISTEN took effect sent their notification to nobody.
      wakeAll();
    } catch {
      lost();
    }
  };

  return {
    onWake(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    start() {
      if (started || closed) return;
      started = true;
      void connect();
    },
    async close() {
      closed = true;
      if (retry !== null) clearTimeout(retry);
      const c = client;
      client = null;
      await c?.end().catch(() => undefined);
    },
  };
}
