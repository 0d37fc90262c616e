import { describe, expect, test } from "bun:test";
import { sql } from "slonik";
import { z } from "zod";
import { createTestApp } from "../support/app.ts";
import { bearer, signUp } from "../support/auth.ts";
import { useTestDatabase } from "../support/db.ts";
import { SAMPLE_PLAYBOOK } from "../support/evolution.ts";

/** Issue 14, History: each version says who wrote it (a person's email), or null for evolutions. */

const db = useTestDatabase();

describe("version author", () => {
  test("initial, manual and restore carry the author's email; an evolution's version has none", async () => {
    const app = createTestApp(db.pool);
    const ada = await signUp(app, "ada@example.com");
    const headers = bearer(ada.access_token);
    const created = await app.fetch("/v1/playbooks", {
      method: "POST",
      json: { name: "p", content: SAMPLE_PLAYBOOK },
      headers,
    });
    const id = ((await created.json()) as { id: string }).id;
    const edit = await app.fetch(`/v1/playbooks/${id}/versions`, {
      method: "POST",
      json: { content: `${SAMPLE_PLAYBOOK}[err-00009] helpful=0 harmful=0 :: Never commit .env files.\n` },
      headers,
    });
    expect(((await edit.json()) as { author: string }).author).toBe("ada@example.com");
    const restore = await app.fetch(`/v1/playbooks/${id}/versions/1/restore`, { method: "POST", headers });
    expect(((await restore.json()) as { author: string }).author).toBe("ada@example.com");
    // what the evolution worker writes: no user
    await db.pool.query(sql.unsafe`
      insert into playbook_versions (playbook_id, version_number, content, bullet_count, origin)
      values (${id}, 4, ${SAMPLE_PLAYBOOK}, 1, 'evolution')`);

    const list = (await (await app.fetch(`/v1/playbooks/${id}/versions`, { headers })).json()) as {
      items: Array<{ version_number: number; origin: string; author: string | null }>;
    };
    expect(list.items.map((v) => [v.version_number, v.origin, v.author])).toEqual([
      [4, "evolution", null],
      [3, "restore", "ada@example.com"],
      [2, "manual", "ada@example.com"],
      [1, "initial", "ada@example.com"],
    ]);
    const four = await app.fetch(`/v1/playbooks/${id}/versions/4`, { headers });
    expect(((await four.json()) as { author: string | null }).author).toBeNull();
    const count = await db.pool.oneFirst(sql.type(z.object({ n: z.number() }))`
      select count(*)::int as n from playbook_versions where playbook_id = ${id}`);
    expect(count).toBe(4);
  });
});
