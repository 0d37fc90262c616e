import { type Cookie, Elysia } from "elysia";
import type { z } from "zod";
import {
  getCurrentUser,
  LoginInput,
  loginUser,
  logoutSession,
  Me,
  RefreshInput,
  RegisterInput,
  refreshSession,
  registerUser,
  Session,
} from "../../core/auth/index.ts";
import { AppError } from "../../core/errors.ts";
import type { AppDeps } from "../app.ts";
import { authPlugin } from "../auth-plugin.ts";
import { clientIp, rateLimitHeadersPlugin } from "../rate-limit-headers.ts";
import { errors } from "../schemas.ts";
import { apiKeyRoutes } from "./api-keys.ts";

const tags = ["auth"];
/** The dashboard's refresh token: HttpOnly (no script can read it), sent only to /v1/auth. */
const COOKIE = "ace_refresh";
const OptionalRefresh = RefreshInput.optional();

const example = { email: "ada@example.com", password: "correct horse battery staple" };

/** Accounts and sessions (register, login, refresh, logout, me) plus the API-key routes. */
export const authRoutes = (deps: AppDeps) => {
  const { pool, config } = deps;
  const client = (request: Request) => ({
    ip: clientIp(request, config),
    userAgent: request.headers.get("user-agent"),
  });
  const keepCookie = (cookie: Cookie<unknown>, session: Session) => {
    cookie.set({
      value: session.refresh_token,
      httpOnly: true,
      secure: true,
      sameSite: "strict",
      path: "/v1/auth",
      maxAge: config.auth.refreshTokenDays * 86_400,
    });
    return session;
  };
  const presented = (body: z.infer<typeof OptionalRefresh>, cookie: Cookie<unknown>) => {
    const token = body?.refresh_token ?? (typeof cookie.value === "string" ? cookie.value : undefined);
    if (!token)
      throw new AppError(
        "unauthenticated",
        `No refresh token: send refresh_token in the body or the ${COOKIE} cookie.`,
      );
    return token;
  };

  return new Elysia({ name: "auth-routes" })
    .use(rateLimitHeadersPlugin())
    .use(authPlugin(deps))
    .post(
      "/v1/auth/register",
      async ({ body, request, cookie, set }) => {
        set.status = 201;
        return keepCookie(
          cookie[COOKIE]!,
          await registerUser(pool, config, body, { client: client(request) }),
        );
      },
      {
        body: RegisterInput.meta({ examples: [{ ...example, display_name: "Ada" }] }),
        response: { 201: Session, ...errors(400, 409, 413, 422, 429) },
        detail: {
          tags,
          operationId: "registerUser",
          summary: "Create an account and sign in",
          description: `Passwords need at least 10 characters. Returns a session; the refresh token is also set as the HttpOnly \`${COOKIE}\` cookie.`,
          security: [],
        },
      },
    )
    .post(
      "/v1/auth/login",
      async ({ body, request, cookie }) =>
        keepCookie(cookie[COOKIE]!, await loginUser(pool, config, body, { client: client(request) })),
      {
        body: LoginInput.meta({ examples: [example] }),
        response: { 200: Session, ...errors(400, 401, 413, 422, 429) },
        detail: {
          tags,
          operationId: "loginUser",
          summary: "Sign in with email and password",
          description: `Limited per client IP (RATE_LIMIT_LOGIN_PER_MINUTE) and locked per account after repeated failures (429 with Retry-After). Sets the \`${COOKIE}\` cookie.`,
          security: [],
        },
      },
    )
    .post(
      "/v1/auth/refresh",
      async ({ body, request, cookie }) => {
        const token = presented(body, cookie[COOKIE]!);
        return keepCookie(
          cookie[COOKIE]!,
          await refreshSession(pool, config, token, { client: client(request) }),
        );
      },
      {
        body: OptionalRefresh,
        response: { 200: Session, ...errors(400, 401, 422) },
        detail: {
          tags,
          operationId: "refreshSession",
          summary: "Exchange a refresh token for a new session (rotates the refresh token)",
          description: `Send refresh_token in the body, or rely on the \`${COOKIE}\` cookie. Each refresh token works once; reusing one ends the whole session.`,
          security: [],
        },
      },
    )
    .post(
      "/v1/auth/logout",
      async ({ body, cookie, set }) => {
        await logoutSession(pool, presented(body, cookie[COOKIE]!));
        cookie[COOKIE]!.set({
          value: "",
          httpOnly: true,
          secure: true,
          sameSite: "strict",
          path: "/v1/auth",
          maxAge: 0,
        });
        set.status = 204;
      },
      {
        body: OptionalRefresh,
        response: errors(400, 401, 422),
        detail: {
          tags,
          operationId: "logoutSession",
          summary: "Sign out: end the session of this refresh token",
          security: [],
        },
      },
    )
    .get("/v1/auth/me", ({ caller }) => getCurrentUser(pool, caller), {
      auth: true,
      response: { 200: Me, ...errors(401) },
      detail: {
        tags,
        operationId: "getCurrentUser",
        summary: "The signed-in account and how this request authenticated",
      },
    })
    .use(apiKeyRoutes(deps));
};
