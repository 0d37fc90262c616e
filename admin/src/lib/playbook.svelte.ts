/**
 * The playbook shown under /playbooks/[id]: loaded once by its layout, shared with the tabs
 * through context, reloaded on live events (a new version, an evolution's progress).
 */
import { getContext, setContext } from "svelte";
import { api, unwrap } from "./api/client.ts";
import { ApiError } from "./api/errors.ts";
import type { paths } from "./api/schema.d.ts";

type Json<T> = T extends { content: { "application/json": infer B } } ? B : never;
export type PlaybookDetail = Exclude<Json<paths["/v1/playbooks/{id}"]["get"]["responses"][200]>, string>;
export type EvolutionJob = Json<
  paths["/v1/playbooks/{id}/evolutions"]["get"]["responses"][200]
>["items"][number];

/** Why Evolve now is unavailable, as GET …/evolutions/availability answers it. */
export type Availability = Json<paths["/v1/playbooks/{id}/evolutions/availability"]["get"]["responses"][200]>;

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
 * Whether Evolve now can run, and why not: the server's own answer
 * (`GET /v1/playbooks/{id}/evolutions/availability`, the trigger's checks without triggering).
 * A starter is refused there with a 403 whose message says what to do (copy it): shown as the
 * reason, like the other refusals.
 */
export async function evolveAvailability(playbook: PlaybookDetail): Promise<Availability> {
  try {
    return await unwrap(
      api.GET("/v1/playbooks/{id}/evolutions/availability", { params: { path: { id: playbook.id } } }),
    );
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 403)) throw error;
    return { available: false, reason: null, message: error.message, available_at: null };
  }
}

const KEY = Symbol("playbook");
export const providePlaybook = (state: PlaybookState) => setContext(KEY, state);
export const usePlaybook = () => getContext<PlaybookState>(KEY);
