import { api, unwrap } from "#lib/api/client.ts";

export interface Version {
  version_number: number;
  bullet_count: number;
  diff_summary: string | null;
  origin: string;
  created_by_job_id: string | null;
  created_at: string;
  /** Present once the API records who made a manual edit or restore (admin-api); null for evolutions. */
  author?: string | null;
}

export interface VersionDetail extends Version {
  content: string;
  change_log: Array<Record<string, unknown>>;
}

/** Every version, newest first (the API pages by 100 at most). */
export async function listVersions(id: string): Promise<Version[]> {
  const all: Version[] = [];
  let offset: number | null = 0;
  while (offset !== null) {
    const page: { items: unknown[]; next_offset: number | null } = await unwrap(
      api.GET("/v1/playbooks/{id}/versions", { params: { path: { id }, query: { limit: 100, offset } } }),
    );
    all.push(...(page.items as Version[]));
    offset = page.next_offset;
  }
  return all;
}

/** Version contents never change: one fetch per version for the page's lifetime. */
export function versionCache(id: string) {
  const cache = new Map<number, Promise<VersionDetail>>();
  return (v: number): Promise<VersionDetail> => {
    let hit = cache.get(v);
    if (!hit) {
      hit = unwrap(
        api.GET("/v1/playbooks/{id}/versions/{v}", { params: { path: { id, v: String(v) } } }),
      ).then((d) => d as VersionDetail);
      hit.catch(() => cache.delete(v));
      cache.set(v, hit);
    }
    return hit;
  };
}

export function authorOf(v: Version): string {
  if (v.author) return v.author;
  if (v.origin === "evolution") return "ACE evolution";
  if (v.origin === "starter_sync") return "Starter update";
  return "You";
}
