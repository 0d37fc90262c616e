import { describe, expect, test } from "bun:test";
import { sql } from "slonik";
import {
  createNotifications,
  NOTIFICATIONS_APPLICATION_NAME,
  type Notifications,
} from "../../../core/db/notifications.ts";
import { createNotifiedCache } from "../../../core/db/notified-cache.ts";
import { createLogger } from "../../../core/logger.ts";
import { useTestDatabase } from "../../support/db.ts";
import { eventually } from "../../support/evolution.ts";

/** The process's LISTEN/NOTIFY connection and the fail-safe cache built on it, on real Postgres. */

const db = useTestDatabase();

function open(options: { reconnectMs?: { min: number; max: number } } = {}): Notifications {
  const notifications = createNotifications({ url: db.url, logger: createLogger("silent"), ...options });
  db.beforeDrop(() => notifications.close());
  return notifications;
}

const notify = (channel: string, payload: string) =>
  db.pool.query(sql.unsafe`select pg_notify(${channel}, ${payload})`);

/** Kills the listening connection from the server side, as a network failure or restart would. */
const dropListener = () =>
  db.pool.query(sql.unsafe`
    select pg_terminate_backend(pid) from pg_stat_activity
    where application_name = ${NOTIFICATIONS_APPLICATION_NAME} and datname = current_database()`);

describe("createNotifications", () => {
  test("delivers a committed NOTIFY, never a rolled-back one", async () => {
    const received: string[] = [];
    const sub = open().subscribe("test_events", (payload) => received.push(payload));
    await eventually(async () => sub.live);
    await db.pool
      .transaction(async (tx) => {
        await tx.query(sql.unsafe`select pg_notify('test_events', 'rolled back')`);
        throw new Error("roll back");
      })
      .catch(() => {});
    await db.pool.transaction((tx) => tx.query(sql.unsafe`select pg_notify('test_events', 'committed')`));
    await eventually(async () => received.length > 0);
    await notify("test_events", "after");
    await eventually(async () => received.length > 1);
    expect(received).toEqual(["committed", "after"]);
  });

  test("after losing its connection it says so, reconnects, and listens again", async () => {
    const received: string[] = [];
    const sub = open({ reconnectMs: { min: 50, max: 200 } }).subscribe("test_loss", (p) => received.push(p));
    await eventually(async () => sub.live);
    const before = sub.generation;
    await dropListener();
    await eventually(async () => !sub.live || sub.generation !== before);
    await eventually(async () => sub.live);
    expect(sub.generation).not.toBe(before);
    await notify("test_loss", "back");
    await eventually(async () => received.includes("back"));
  });

  test("onLive runs after the first LISTEN, at once for a later subscriber, and again after a re-LISTEN", async () => {
    const notifications = open({ reconnectMs: { min: 50, max: 200 } });
    let first = 0;
    const sub = notifications.subscribe("test_live", () => {}, { onLive: () => first++ });
    await eventually(async () => first === 1);
    expect(sub.live).toBe(true);
    let later = 0;
    notifications.subscribe("test_live", () => {}, { onLive: () => later++ });
    await eventually(async () => later === 1);
    await dropListener();
    await eventually(async () => first === 2 && later === 2);
    expect(sub.live).toBe(true);
    sub.unsubscribe();
    await dropListener();
    await eventually(async () => later === 3);
    expect(first).toBe(2); // unsubscribed: no longer told
  });

  test("without a database URL nothing is ever live", async () => {
    const notifications = createNotifications({ logger: createLogger("silent") });
    const sub = notifications.subscribe("test_none", () => {});
    await Bun.sleep(50);
    expect(sub.live).toBe(false);
    await notifications.close();
  });

  test("refuses a channel name that is not a plain identifier", () => {
    expect(() => open().subscribe("bad; drop table users", () => {})).toThrow("invalid notification channel");
  });
});

describe("createNotifiedCache", () => {
  test("serves hits while live, reloads a key once it is notified, and asks the database while down", async () => {
    const notifications = open({ reconnectMs: { min: 300, max: 300 } });
    const cache = createNotifiedCache<string>(notifications, "test_cache", {
      maxEntries: 100,
      maxAgeMs: 60_000,
    });
    let loads = 0;
    let stored = "v1";
    const load = async () => {
      loads++;
      return stored;
    };
    const watch = notifications.subscribe("test_cache", () => {});
    await cache.get("k", load); // subscribes; not live yet, so a plain load
    await eventually(async () => watch.live);
    expect(await cache.get("k", load)).toBe("v1");
    const afterFill = loads;
    expect(await cache.get("k", load)).toBe("v1");
    expect(loads).toBe(afterFill); // a hit

    stored = "v2";
    await notify("test_cache", "k");
    await eventually(async () => (await cache.get("k", load)) === "v2");

    await dropListener();
    await eventually(async () => !watch.live);
    const whileDown = loads;
    stored = "v3";
    expect(await cache.get("k", load)).toBe("v3");
    expect(await cache.get("k", load)).toBe("v3");
    expect(loads).toBe(whileDown + 2); // every get went to the database

    await eventually(async () => watch.live);
    await cache.get("k", load);
    const refilled = loads;
    expect(await cache.get("k", load)).toBe("v3");
    expect(loads).toBe(refilled);
  });

  test("keeps at most maxEntries, dropping the least recently used", async () => {
    const notifications = open();
    const cache = createNotifiedCache<number>(notifications, "test_bound", {
      maxEntries: 2,
      maxAgeMs: 60_000,
    });
    const watch = notifications.subscribe("test_bound", () => {});
    await cache.get("warm-up", async () => 0);
    await eventually(async () => watch.live);
    const loaded: string[] = [];
    const load = async (key: string) => {
      loaded.push(key);
      return key.length;
    };
    await cache.get("a", load);
    await cache.get("b", load);
    await cache.get("a", load); // a is now the most recent
    await cache.get("c", load); // evicts b
    await cache.get("a", load);
    await cache.get("b", load);
    expect(loaded).toEqual(["a", "b", "c", "b"]);
  });
});
