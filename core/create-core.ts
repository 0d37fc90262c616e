import type { DatabasePool } from "slonik";
import { type ListAuditEventsQuery, listAuditEvents } from "./audit/index.ts";
import type { Caller } from "./auth/caller.ts";
import {
  type AccessTokenPolicy,
  type ClientInfo,
  type CreateApiKeyInput,
  type Credentials,
  chargeRefusedRequest,
  createApiKey,
  createApiKeyRegistry,
  createSessionRegistry,
  getCurrentUser,
  type LoginInput,
  listUserApiKeys,
  loginUser,
  logoutEverywhere,
  logoutSession,
  type RegisterInput,
  refreshSession,
  registerUser,
  renameUserApiKey,
  resolveCaller,
  revokeUserApiKey,
} from "./auth/index.ts";
import type { Config } from "./config.ts";
import type { Notifications } from "./db/notifications.ts";
import {
  createLiveEventHub,
  issueStreamToken,
  type LiveStreamHandlers,
  openLiveStream,
} from "./events/index.ts";
import {
  type EvolvePayload,
  evolutionAvailability,
  getEvolution,
  listEvolutions,
  reconcileEvolutionJobs,
  runEvolution,
  sweepDueEvolutions,
  triggerEvolution,
} from "./evolution/index.ts";
import { checkReadiness } from "./health.ts";
import type { LlmClient } from "./llm/index.ts";
import type { Logger } from "./logger.ts";
import { pruneExpiredState } from "./maintenance.ts";
import { countingAuthFailures, instrumentLlm, observeEvolutionRun } from "./metrics/index.ts";
import {
  createOutcomeWriter,
  type ListOutcomesQuery,
  listOutcomes,
  type ReportOutcome,
  reportOutcome,
} from "./outcomes/index.ts";
import type { Pagination } from "./pagination.ts";
import {
  archivePlaybook,
  type CreatePlaybook,
  type CreateVersion,
  createPlaybook,
  createVersion,
  diffVersions,
  getPlaybook,
  getVersion,
  type ListPlaybooksQuery,
  listPlaybooks,
  listVersions,
  readPlaybook,
  restoreVersion,
  seedStarters,
  type UpdatePlaybook,
  updatePlaybook,
} from "./playbooks/index.ts";
import { createRateCounter } from "./rate-limit/index.ts";
import { settingsFrom } from "./settings.ts";
import { summarizeUsage, type UsageQuery } from "./usage/index.ts";
import { forgetWorkers, heartbeat, reapStaleWorkers } from "./workers/liveness.ts";

/** What the composition root hands `createCore`. */
export interface CoreDeps {
  config: Config;
  pool: DatabasePool;
  llm: LlmClient;
  logger: Logger;
  /** The process's LISTEN/NOTIFY connection (core/db/notifications.ts), shared by every core in it. */
  notifications: Notifications;
  /** Present when a queue worker runs in this process: readiness then includes it. */
  workerRunning?: () => boolean;
}

type Version = string | number;
type AuthOptions = { client?: ClientInfo; now?: Date };

/**
 * The domain, wired: every use-case with its settings (limits, thresholds, rate rules, token
 * budget, auth settings) bound from config once, grouped by feature. Adapters pass only the
 * caller and the input, e.g. `core.outcomes.report(caller, id, input, { idempotencyKey })`.
 * Each use-case's own doc comment (in its feature folder) says what it guarantees and throws.
 */
export function createCore({ config, pool, logger, notifications, workerRunning, ...deps }: CoreDeps) {
  const settings = settingsFrom(config);
  const llm = instrumentLlm(deps.llm);
  const { limits, rateRules } = settings;
  const evolveNow = { rateRule: rateRules.evolutions, llmConfigured: deps.llm.configured !== false };
  const maxBytes = limits.playbookBytes;
  const sessions = createSessionRegistry(pool, notifications);
  // Subscribes only when a stream opens, so a worker-only core never LISTENs for it.
  const liveEvents = createLiveEventHub(notifications, { ...settings.events, logger });
  const keys = createApiKeyRegistry(pool, notifications);
  // One per process: concurrent reports of a user share one count (core/rate-limit/batched.ts).
  const outcomeRate = createRateCounter(pool);
  const outcomeWriter = createOutcomeWriter(pool);
  const accessTokens: AccessTokenPolicy = {
    jwtSecret: settings.auth.session.jwtSecret,
    maxLifetimeSeconds: settings.auth.session.accessTokenMinutes * 60,
    sessions,
  };
  const resolve = (credentials: Credentials, options: { now?: Date } = {}) =>
    countingAuthFailures(
      resolveCaller(pool, accessTokens, credentials, { logger, keys, ...options }),
      "invalid_credentials",
    );
  return {
    /** The bound settings, read-only: for adapters that describe limits to their clients. */
    settings,
    auth: {
      register: (input: RegisterInput, options: AuthOptions = {}) =>
        registerUser(pool, settings.auth, input, options),
      login: (input: LoginInput, options: AuthOptions = {}) =>
        countingAuthFailures(loginUser(pool, settings.auth, input, options), "invalid_credentials"),
      refresh: (refreshToken: string, options: AuthOptions = {}) =>
        countingAuthFailures(
          refreshSession(pool, settings.auth.session, refreshToken, { ...options, sessions }),
          "refresh_token",
        ),
      logout: (refreshToken: string, options: AuthOptions = {}) =>
        logoutSession(pool, sessions, refreshToken, options),
      logoutEverywhere: (caller: Caller, options: AuthOptions = {}) =>
        logoutEverywhere(pool, sessions, caller, options),
      me: (caller: Caller) => getCurrentUser(pool, caller),
      resolveCaller: resolve,
      /** Counts a request refused for its form against its address, unless it authenticates. */
      chargeRefusedRequest: (credentials: Credentials, ip: string | null) =>
        chargeRefusedRequest(pool, settings.auth.loginRule, resolve, credentials, ip),
    },
    apiKeys: {
      create: (caller: Caller, input: CreateApiKeyInput, options: AuthOptions = {}) =>
        createApiKey(pool, caller, input, options),
      list: (caller: Caller) => listUserApiKeys(pool, caller),
      rename: (caller: Caller, id: string, name: string, options: AuthOptions = {}) =>
        renameUserApiKey(pool, caller, id, name, options),
      revoke: (caller: Caller, id: string, options: AuthOptions = {}) =>
        revokeUserApiKey(pool, caller, id, { ...options, keys }),
    },
    audit: {
      list: (caller: Caller, query: ListAuditEventsQuery = {}) => listAuditEvents(pool, caller, query),
    },
    playbooks: {
      list: (caller: Caller, query: ListPlaybooksQuery = {}) => listPlaybooks(pool, caller, query),
      get: (caller: Caller, id: string) => getPlaybook(pool, caller, id),
      read: (caller: Caller, id: string, options: { version?: Version; sections?: readonly string[] } = {}) =>
        readPlaybook(pool, caller, id, options),
      create: (caller: Caller, input: CreatePlaybook) => createPlaybook(pool, caller, input, { maxBytes }),
      update: (caller: Caller, id: string, input: UpdatePlaybook) => updatePlaybook(pool, caller, id, input),
      archive: (caller: Caller, id: string) => archivePlaybook(pool, caller, id),
      seedStarters: () => seedStarters(pool, logger),
    },
    versions: {
      list: (caller: Caller, playbookId: string, query: Pagination = {}) =>
        listVersions(pool, caller, playbookId, query),
      get: (caller: Caller, playbookId: string, version: Version) =>
        getVersion(pool, caller, playbookId, version),
      diff: (caller: Caller, playbookId: string, version: Version, against?: Version) =>
        diffVersions(pool, caller, playbookId, version, against),
      create: (caller: Caller, playbookId: string, input: CreateVersion) =>
        createVersion(pool, caller, playbookId, input, { maxBytes }),
      restore: (caller: Caller, playbookId: string, version: Version) =>
        restoreVersion(pool, caller, playbookId, version),
    },
    outcomes: {
      list: (caller: Caller, playbookId: string, query: ListOutcomesQuery = {}) =>
        listOutcomes(pool, caller, playbookId, query),
      report: (
        caller: Caller,
        playbookId: string,
        input: ReportOutcome,
        options: { idempotencyKey?: string | null } = {},
      ) =>
        reportOutcome(pool, caller, playbookId, input, {
          limits,
          rateRule: rateRules.outcomes,
          rateCounter: outcomeRate,
          writer: outcomeWriter,
          evolution: settings.threshold,
          idempotencyKey: options.idempotencyKey ?? null,
        }),
    },
    evolutions: {
      trigger: (caller: Caller, playbookId: string) =>
        triggerEvolution(pool, caller, playbookId, {
          maxAttempts: settings.threshold.maxAttempts,
          ...evolveNow,
        }),
      /** Whether the trigger would start one now, else why (the trigger's own checks). */
      availability: (caller: Caller, playbookId: string, now?: Date) =>
        evolutionAvailability(pool, caller, playbookId, evolveNow, now),
      get: (caller: Caller, jobId: string) => getEvolution(pool, caller, jobId),
      list: (caller: Caller, playbookId: string, query: Pagination = {}) =>
        listEvolutions(pool, caller, playbookId, query),
      /** Runs one queued job (the worker's `evolve_playbook`); throws to have the queue retry. */
      run: (payload: EvolvePayload, attempt: { number: number; max: number }) =>
        observeEvolutionRun(() =>
          runEvolution({ pool, llm, logger, settings: settings.evolution }, payload, attempt),
        ),
      sweep: (now?: Date) => sweepDueEvolutions(pool, settings.sweep, now),
      reconcile: (now?: Date) => reconcileEvolutionJobs(pool, now),
    },
    usage: {
      summary: (caller: Caller, query: UsageQuery = {}, now?: Date) =>
        summarizeUsage(pool, caller, query, now),
    },
    events: {
      /** A one-minute token for GET /v1/events (EventSource sends no headers); sessions only. */
      issueToken: (caller: Caller) => issueStreamToken(settings.auth.session.jwtSecret, caller),
      /** Opens a stream of the token holder's own events; returns its close function. */
      open: (token: string, handlers: LiveStreamHandlers) =>
        openLiveStream(liveEvents, sessions, settings.auth.session.jwtSecret, token, handlers),
      /** Whether the stream's session still runs (re-checked at each ping). */
      sessionActive: (sessionId: string) => sessions.isActive(sessionId),
      /** Ends every open stream of this process (before the HTTP server stops). */
      closeAll: () => liveEvents.closeAll(),
      openStreams: () => liveEvents.size(),
    },
    workers: {
      heartbeat: (workerIds: readonly string[]) => heartbeat(pool, workerIds),
      reapStale: () => reapStaleWorkers(pool, settings.staleWorkerSeconds),
      forget: (workerIds: readonly string[]) => forgetWorkers(pool, workerIds),
    },
    maintenance: {
      pruneExpiredState: (now?: Date) => pruneExpiredState(pool, settings.retention, now),
    },
    health: {
      readiness: () => checkReadiness(pool, workerRunning),
    },
  };
}

/** The bound use-cases of one process (per pool). */
export type Core = ReturnType<typeof createCore>;

/**
 * What every adapter receives (REST routes, MCP tools, worker tasks): the core, the process's
 * config for transport settings (ports, origins, cookie lifetimes, worker concurrency), and the
 * logger. Use-case settings are already inside `core`.
 */
export interface Deps {
  core: Core;
  config: Config;
  logger: Logger;
}
