/** The key scopes as a person reads them (the API's SCOPES, core/auth/caller.ts). */
export const SCOPE_INFO = [
  { scope: "read", label: "Read", help: "Read playbooks, versions and evolution status" },
  { scope: "write", label: "Write", help: "Report outcomes, create and edit playbooks" },
  { scope: "evolve", label: "Evolve", help: "Start an evolution on demand" },
] as const;

export type Scope = (typeof SCOPE_INFO)[number]["scope"];

export const EXPIRY_CHOICES = [
  { days: 0, label: "Never" },
  { days: 30, label: "In 30 days" },
  { days: 90, label: "In 90 days" },
  { days: 365, label: "In 1 year" },
] as const;

/** A key as the list shows it (the API's ApiKey). */
export interface Key {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
}
