/**
 * The yardstick of bench:rest and bench:mcp: a bare `Bun.serve` + `pg` server that runs ONE
 * statement per route and answers the same rows and bytes as the app, with no auth, no
 * validation, no framework. Run as its own process: `bun bench/support/bare-server.ts <db url>`
 * prints `{"port":N}` once listening. Routes (the user id rides in the query string, there is no auth):
 * - GET  /select-1
 * - GET  /playbooks/:id?user=…            one SELECT of the playbook row and its current version
 * - POST /playbooks/:id/outcomes?user=…   one INSERT of the outcome
 */
import pg from "pg";

const url = Bun.argv[2];
if (!url) throw new Error("usage: bun bench/support/bare-server.ts <database url>");
const pool = new pg.Pool({ connectionString: url, max: 20 });

const GET = `
  select p.id, p.name, p.description, p.status, p.source, p.cloned_from_id, v.version_number,
    v.bullet_count, v.content, p.created_at, p.updated_at, p.last_evolved_at
  from playbooks p join playbook_versions v on v.id = p.current_version_id
  where p.id = $1 and p.user_id = $2`;
const INSERT = `
  insert into outcomes (playbook_id, user_id, task_description, status, reasoning_trace, notes, bullets_used)
  values ($1, $2, $3, $4, $5, $6, $7) returning id`;

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const iso = (d: Date | null) => (d ? d.toISOString() : null);

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  async fetch(request) {
    const u = new URL(request.url);
    const parts = u.pathname.split("/");
    const user = u.searchParams.get("user");
    if (u.pathname === "/select-1") return json({ one: (await pool.query("select 1 as one")).rows[0].one });
    if (parts[1] === "playbooks" && request.method === "GET" && parts.length === 3) {
      const row = (await pool.query(GET, [parts[2], user])).rows[0];
      if (!row) return json({ error: "not_found" }, 404);
      // The app's PlaybookDetail shape, so both answers carry the same bytes.
      return json({
        id: row.id,
        name: row.name,
        description: row.description,
        status: row.status,
        source: row.source,
        is_starter: false,
        version_number: row.version_number,
        bullet_count: row.bullet_count,
        outcome_count: 0,
        pending_outcomes: 0,
        created_at: iso(row.created_at),
        updated_at: iso(row.updated_at),
        last_evolved_at: iso(row.last_evolved_at),
        content: row.content,
        cloned_from_id: row.cloned_from_id,
        active_evolution: null,
        last_evolution: null,
      });
    }
    if (parts[1] === "playbooks" && parts[3] === "outcomes" && request.method === "POST") {
      const b = (await request.json()) as Record<string, unknown>;
      const id = (
        await pool.query(INSERT, [
          parts[2],
          user,
          b.task_description,
          b.outcome,
          b.reasoning_trace ?? null,
          b.notes ?? null,
          JSON.stringify(b.bullets_used ?? []),
        ])
      ).rows[0].id;
      return json(
        { outcome_id: id, status: "recorded", pending_outcomes: 0, queued_evolution_id: null },
        201,
      );
    }
    return json({ error: "no such route" }, 404);
  },
});
console.log(JSON.stringify({ port: server.port }));
