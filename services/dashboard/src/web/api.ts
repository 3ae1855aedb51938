/** The browser's API client: the key in a header, responses remembered per URL (the server's ETags keep revalidation cheap). */
export class ApiError extends Error {
  constructor(readonly status: number, readonly title: string, readonly detail: string) { super(`${title}: ${detail}`); }
}

export class ApiClient {
  private readonly cache = new Map<string, Promise<unknown>>();
  constructor(private readonly key: string) {}

  async get<T>(path: string): Promise<T> {
    const hit = this.cache.get(path);
    if (hit) return hit as Promise<T>;
    const p = (async () => {
      const res = await fetch(path, { headers: { authorization: `Bearer ${this.key}`, accept: 'application/json' } });
      if (!res.ok) {
        const problem = await res.json().catch(() => ({})) as { title?: string; detail?: string };
        throw new ApiError(res.status, problem.title ?? res.statusText, problem.detail ?? '');
      }
      return res.json() as Promise<T>;
    })();
    this.cache.set(path, p);
    p.catch(() => this.cache.delete(path));
    return p;
  }

  report<T>(q: { indicator: string; cohortType: string; cohort: string; rules: string; by: string; asOf?: string }): Promise<T> {
    const p = new URLSearchParams({ cohortType: q.cohortType, ...(q.cohort ? { cohort: q.cohort } : {}), rules: q.rules, ...(q.by ? { by: q.by } : {}), ...(q.asOf ? { asOf: q.asOf } : {}) });
    return this.get<T>(`/api/indicators/${q.indicator}?${p}`);
  }

  compare<T>(q: { indicator: string; cohortType: string; cohort: string; by: string; rulesA: string; rulesB: string; asOf?: string }): Promise<T> {
    const p = new URLSearchParams({ cohortType: q.cohortType, cohort: q.cohort, rulesA: q.rulesA, rulesB: q.rulesB, ...(q.by ? { by: q.by } : {}), ...(q.asOf ? { asOf: q.asOf } : {}) });
    return this.get<T>(`/api/compare/${q.indicator}?${p}`);
  }
}
