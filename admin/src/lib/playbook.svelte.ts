/**
 * The playbook shown under /playbooks/[id]: loaded once by its layout, shared with the tabs
 * through context, reloaded on live events (a new version, an evolution's progress).
 */
import { getContext, setContext } from "svelte";
import { api, raw, unwrap } from "./api/client.ts";
import { ApiError } from "./api/errors.ts";
import type { paths } from "./api/schema.d.ts";

type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;
export type PlaybookDetail = Exclude<Json<paths["/v1/playbooks/{id}"]["get"]["responses"][200]>, string>;
export type EvolutionJob = Json<
  paths["/v1/playbooks/{id}/evolutions"]["get"]["responses"][200]
>["items"][number];

/** Why Evolve now is unavailable, as GET …/evolutions/availability answers it. */
export type Availability = {
  available: boolean;
  reason: string | null;
  message: string | null;
  available_at: string | null;
};

export class PlaybookState {
  playbook = $state<PlaybookDetail | null>(null);
  error = $state<unknown>(null);
  evolutions = $state<EvolutionJob[]>([]);
  availability = $state<Availability | null>(null);

  id = $state("");

  /** Shows another playbook: forgets the previous one (nothing stale flashes) and loads. */
  show(id: string): Promise<void> {
    if (id === this.id) return Promise.resolve();
    this.id = id;
    this.playbook = null;
    this.error = null;
    this.evolutions = [];
    this.availability = null;
    return this.load();
  }

  async load(): Promise<void> {
    const id = this.id;
    try {
      const [playbook, evolutions] = await Promise.all([
        // JSON (the route also answers text/markdown, hence the union in the generated type)
        unwrap(
          api.GET("/v1/playbooks/{id}", { params: { path: { id: this.id } } }),
        ) as Promise<PlaybookDetail>,
        unwrap(
          api.GET("/v1/playbooks/{id}/evolutions", {
            params: { path: { id: this.id }, query: { limit: 10 } },
          }),
        ),
      ]);
      if (id !== this.id) return; // answered after moving to another playbook
      this.playbook = playbook;
      this.evolutions = evolutions.items;
      this.error = null;
      this.availability = await evolveAvailability(playbook);
    } catch (error) {
      this.error = error;
    }
  }

  /** True while an evolution is queued or running (the page then watches it closely). */
  get evolving(): boolean {
    return Boolean(this.playbook?.active_evolution);
  }
}

/**
 * Whether Evolve now can run, and why not. Uses the server's own answer
 * (`GET /v1/playbooks/{id}/evolutions/availability`); a server without that route gets the
 * reasons this page can see for itself (the rate limit is then only known when it refuses).
 */
export async function evolveAvailability(playbook: PlaybookDetail): Promise<Availability> {
  try {
    return await raw<Availability>("GET", `/v1/playbooks/${playbook.id}/evolutions/availability`);
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 404 && /no such route/i.test(error.message)))
      throw error;
  }
  const no = (reason: string, message: string): Availability => ({
    available: false,
    reason,
    message,
    available_at: null,
  });
  if (playbook.is_starter) return no("starter", "Starters are read-only: copy it to evolve your own.");
  if (playbook.status === "archived")
    return no("archived", "Archived playbooks do not evolve. Bring it back first.");
  if (playbook.active_evolution) return no("already_running", "An evolution is already running.");
  if (playbook.pending_outcomes === 0)
    return no("nothing_pending", "Nothing to learn from yet: no outcomes are pending.");
  return { available: true, reason: null, message: null, available_at: null };
}

const KEY = Symbol("playbook");
export const providePlaybook = (state: PlaybookState) => setContext(KEY, state);
export const usePlaybook = () => getContext<PlaybookState>(KEY);
