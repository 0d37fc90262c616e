/**
 * The browser session: the access token lives only in memory (this module); the refresh token is
 * an HttpOnly cookie the page can never read. A reload restores the session with one refresh.
 */
import { goto } from "$app/navigation";

export type User = { id: string; email: string };

type SessionBody = { access_token: string; expires_in?: number; user?: User };

/** Sent with every cookie-authenticated call: the API refuses those without it (CSRF). */
export const CSRF_HEADER = { "X-Requested-With": "ace-admin" } as const;

class Session {
  accessToken = $state<string | null>(null);
  user = $state<User | null>(null);
  /** True once the first restore attempt finished (signed in or not). */
  ready = $state(false);
}

export const session = new Session();

let refreshing: Promise<boolean> | null = null;

/**
 * A hint (not a secret) that this browser signed in before, so a first visit does not ask for a
 * refresh that can only fail. The refresh cookie itself is HttpOnly: scripts cannot see it.
 */
const HINT = "ace:signed-in";
const hint = {
  get: () => {
    try {
      return localStorage.getItem(HINT) === "1";
    } catch {
      return true; // storage blocked: just try
    }
  },
  set: (on: boolean) => {
    try {
      if (on) localStorage.setItem(HINT, "1");
      else localStorage.removeItem(HINT);
    } catch {
      // storage blocked: the hint is only an optimisation
    }
  },
};

async function loadMe(): Promise<void> {
  const response = await fetch("/v1/auth/me", {
    headers: { authorization: `Bearer ${session.accessToken}` },
  });
  if (response.ok) session.user = (await response.json()) as User;
}

/** Starts a session from a login/register/refresh answer. */
export async function adopt(body: SessionBody): Promise<void> {
  session.accessToken = body.access_token;
  hint.set(true);
  if (body.user) session.user = body.user;
  else await loadMe();
}

/**
 * Exchanges the refresh cookie for a new access token. Concurrent callers share one request: the
 * refresh token rotates, so two parallel refreshes would end the session (reuse detection).
 */
export function refresh(): Promise<boolean> {
  refreshing ??= (async () => {
    try {
      const response = await fetch("/v1/auth/refresh", {
        method: "POST",
        headers: { "content-type": "application/json", ...CSRF_HEADER },
        body: "{}",
        credentials: "same-origin",
      });
      if (!response.ok) return false;
      await adopt((await response.json()) as SessionBody);
      return true;
    } catch {
      return false;
    } finally {
      queueMicrotask(() => {
        refreshing = null;
      });
    }
  })();
  return refreshing;
}

/** On first load: a refresh cookie, if any, signs the person back in. */
export async function restore(): Promise<void> {
  if (!session.accessToken && hint.get() && !(await refresh())) hint.set(false);
  session.ready = true;
}

/** Forgets everything private held in memory. */
export function clear(): void {
  hint.set(false);
  session.accessToken = null;
  session.user = null;
}

/** Sends the person to sign in, remembering where they were. */
export async function toSignIn(): Promise<void> {
  clear();
  const here = `${location.pathname}${location.search}`;
  const next = here === "/" || here.startsWith("/signin") ? "" : `?next=${encodeURIComponent(here)}`;
  await goto(`/signin${next}`, { replaceState: true });
}

/**
 * Signs out this browser, or every session of the account (`everywhere`). Memory is cleared and
 * history replaced either way, so Back shows nothing private.
 */
export async function signOut(everywhere = false): Promise<void> {
  try {
    // logout-all ends every session (this one included) and clears the cookie; logout ends
    // this browser's session only.
    if (everywhere) {
      await fetch("/v1/auth/logout-all", {
        method: "POST",
        headers: { authorization: `Bearer ${session.accessToken}`, ...CSRF_HEADER },
        credentials: "same-origin",
      });
    } else {
      await fetch("/v1/auth/logout", {
        method: "POST",
        headers: { "content-type": "application/json", ...CSRF_HEADER },
        body: "{}",
        credentials: "same-origin",
      });
    }
  } finally {
    clear();
    await goto("/signin", { replaceState: true });
  }
}
