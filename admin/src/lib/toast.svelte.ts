/** Short notices ("Key revoked", an error from a background action) shown by <Toaster>. */
export type Toast = { id: number; kind: "success" | "error" | "info"; text: string };

let next = 1;
export const toasts = $state<Toast[]>([]);

export function toast(text: string, kind: Toast["kind"] = "success", ms = 5000): void {
  const id = next++;
  toasts.push({ id, kind, text });
  // Errors stay until dismissed: a person may need to read (or quote) them.
  if (kind !== "error") setTimeout(() => dismiss(id), ms);
}

export function dismiss(id: number): void {
  const index = toasts.findIndex((t) => t.id === id);
  if (index >= 0) toasts.splice(index, 1);
}
