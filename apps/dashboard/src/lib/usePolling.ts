'use client';
// Live lists (jobs, catalog indexing) refresh on a timer while the tab is visible. Polling rather than the
// API's jobProgress subscription: one request covers every job on the page.
import { useCallback, useEffect, useRef, useState } from 'react';

/** `key` changes when what `load` asks for changes (filters); the list reloads at once then. */
export function usePolling<T>(load: () => Promise<T>, intervalMs: number, key: string) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const loader = useRef(load);
  loader.current = load;

  const refresh = useCallback(async () => {
    try {
      setData(await loader.current());
      setError(null);
    } catch (err) {
      setError((err as Error).message);
    }
  }, []);

  useEffect(() => {
    void refresh();
    const t = window.setInterval(() => {
      if (document.visibilityState === 'visible') void refresh();
    }, intervalMs);
    return () => window.clearInterval(t);
  }, [refresh, intervalMs, key]);

  return { data, error, refresh };
}
