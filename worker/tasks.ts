import { type ParsedCronItem, parseCronItems, type TaskList } from "graphile-worker";
import type { Config } from "../core/config.ts";

/**
 * The worker's task list and schedule. Tasks are thin: parse the payload, call one core function.
 * The evolution tasks join this list with the evolution pipeline.
 */
export const taskList: TaskList = {};

export function cronItems(_config: Config): ParsedCronItem[] {
  return parseCronItems([]);
}
