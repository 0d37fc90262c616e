import { z } from "zod";
import { cleanField, cleanLine, clip, previewValue, TEXT_LIMITS } from "../clean.ts";

const MAX_ISSUES = 3;

const content = z.string().transform(cleanLine).pipe(z.string().min(1, "content must not be empty"));
const bulletId = z
  .string()
  .transform((id) => cleanLine(id).replace(/^\[(.*)\]$/, "$1"))
  .pipe(
    z
      .string()
      .min(1, "bullet id must not be empty")
      .max(TEXT_LIMITS.idChars, `bullet id is longer than ${TEXT_LIMITS.idChars} characters`),
  );
const reason = z
  .string()
  .nullish()
  .transform((text) => (text ? cleanField(text, TEXT_LIMITS.reasonChars) || null : null));
const section = z
  .string()
  .transform((name) => cleanLine(name).replace(/^#+\s*/, ""))
  .pipe(
    z
      .string()
      .min(1, "section must not be empty")
      .max(TEXT_LIMITS.sectionChars, `section name is longer than ${TEXT_LIMITS.sectionChars} characters`),
  );

export const AddOp = z.object({ type: z.literal("ADD"), section, content, reason });
export const UpdateOp = z.object({ type: z.literal("UPDATE"), bullet_id: bulletId, content, reason });
export const MergeOp = z.object({
  type: z.literal("MERGE"),
  bullet_ids: z.array(bulletId).min(2, "MERGE needs at least two bullet ids"),
  content,
  reason,
});
export const RemoveOp = z.object({ type: z.literal("REMOVE"), bullet_id: bulletId, reason });

export const CuratorOp = z.discriminatedUnion("type", [AddOp, UpdateOp, MergeOp, RemoveOp]);
export type CuratorOp = z.infer<typeof CuratorOp>;
export const OP_TYPES = ["ADD", "UPDATE", "MERGE", "REMOVE"] as const;

export const BulletTag = z.object({
  id: bulletId,
  tag: z.enum(["helpful", "harmful", "neutral"]),
});
export type BulletTag = z.infer<typeof BulletTag>;

/** Readable one-line reason from a zod error (`content: content must not be empty`), bounded in size. */
export function describeIssues(error: z.ZodError): string {
  const shown = error.issues
    .slice(0, MAX_ISSUES)
    .map((issue) => (issue.path.length ? `${issue.path.join(".")}: ` : "") + issue.message)
    .join("; ");
  const more = error.issues.length - MAX_ISSUES;
  return clip(cleanLine(shown), TEXT_LIMITS.reasonChars) + (more > 0 ? `; … and ${more} more` : "");
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Validates one proposed op. Unknown or missing types and invalid fields become a reason,
 * never an exception; type names are accepted in any case.
 */
export function parseOp(raw: unknown): Parsed<CuratorOp> {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return { ok: false, reason: "operation is not an object" };
  }
  const rawType = (raw as { type?: unknown }).type;
  const type = typeof rawType === "string" ? rawType.trim().toUpperCase() : "";
  if (!(OP_TYPES as readonly string[]).includes(type)) {
    const shown = clip(JSON.stringify(previewValue(rawType ?? null)) ?? "null", 80);
    return { ok: false, reason: `unknown operation type ${shown}` };
  }
  const result = CuratorOp.safeParse({ ...raw, type });
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, reason: describeIssues(result.error) };
}
