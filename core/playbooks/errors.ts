import { AppError } from "../errors.ts";

export const playbookNotFound = () =>
  new AppError(
    "not_found",
    "Playbook not found. Check the id: it must be one of your playbooks or a starter.",
  );

// Messages speak the domain; each transport adds how to act on them, keyed by `details.reason`.

export const starterReadOnly = () =>
  new AppError(
    "forbidden",
    "Starter playbooks are read-only. Create your own copy of the starter first, then use that copy's id.",
    { details: { reason: "starter_read_only" } },
  );

export const playbookArchived = () =>
  new AppError("conflict", "This playbook is archived; its owner must restore it first.", {
    details: { reason: "playbook_archived" },
  });

export const versionNotFound = (version: number | string) =>
  new AppError("not_found", `Version ${version} of this playbook does not exist.`);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Malformed ids are simply not found: they never reach SQL, so they can never cause a 500. */
export const isUuid = (value: string): boolean => UUID.test(value);
