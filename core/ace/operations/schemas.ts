import { z } from "zod";

// NUL and other C0 controls cannot be stored (Postgres) or rendered usefully: they are dropped.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const C0_CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;

/** Folds newlines (and the spaces around them) into one space: bullet content is one line. */
export function foldNewlines(text: string): string {
  return text
    .replace(/[ \t]*[\r\n\u2028\u2029]+[ \t]*/g, " ")
    .replace(C0_CONTROLS, "")
    .trim();
}

const content = z.string().transform(foldNewlines).pipe(z.string().min(1, "content must not be empty"));
const bulletId = z
  .string()
  .trim()
  .transform((id) => id.replace(/^\[(.*)\]$/, "$1"))
  .pipe(z.string().min(1, "bullet id must not be empty"));
const reason = z
  .string()
  .nullish()
  .transform((text) => (text ? foldNewlines(text) || null : null));
const section = z
  .string()
  .transform((name) => foldNewlines(name).replace(/^#+\s*/, ""))
  .pipe(z.string().min(1, "section must not be empty"));

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

/** Readable one-line reason from a zod error: `content: content must not be empty`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length ? `${issue.path.join(".")}: ` : "") + issue.message)
    .join("; ");
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
    return { ok: false, reason: `unknown operation type ${JSON.stringify(rawType ?? null)}` };
  }
  const result = CuratorOp.safeParse({ ...raw, type });
  return result.success
    ? { ok: true, value: result.data }
    : { ok: false, reason: describeIssues(result.error) };
}
