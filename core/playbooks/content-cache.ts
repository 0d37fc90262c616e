import type { CommonQueryMethods } from "slonik";
import { findVersionContent } from "./queries.ts";

/**
 * Version contents by version id. A version is never modified, so a cached entry can never be
 * stale; only the byte budget evicts (least recently used first). Saves fetching up to 100 KB
 * per `get_playbook`, the platform's hottest read.
 */
const MAX_BYTES = 64 * 1024 * 1024;
const cache = new Map<string, string>();
let bytes = 0;

function remember(versionId: string, content: string): void {
  const size = content.length * 2;
  if (size > MAX_BYTES / 8) return;
  cache.set(versionId, content);
  bytes += size;
  for (const [id, old] of cache) {
    if (bytes <= MAX_BYTES) break;
    cache.delete(id);
    bytes -= old.length * 2;
  }
}

/** The content of a version, from memory when possible. Returns null for an unknown id. */
export async function versionContent(db: CommonQueryMethods, versionId: string): Promise<string | null> {
  const hit = cache.get(versionId);
  if (hit !== undefined) {
    cache.delete(versionId); // re-insert: Map order doubles as recency order
    cache.set(versionId, hit);
    return hit;
  }
  const content = await findVersionContent(db, versionId);
  if (content !== null) remember(versionId, content);
  return content;
}
