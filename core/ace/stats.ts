import { countTextTokensByLine } from "../llm/tokens.ts";
import { listBullets, parsePlaybook, renderPlaybook } from "./format.ts";
import type { Bullet, Playbook } from "./types.ts";
import { byteLength } from "./validate.ts";

export interface PlaybookStats {
  bulletCount: number;
  sections: Array<{ name: string | null; bulletCount: number }>;
  /** helpful − harmful ≥ 2. */
  highPerforming: string[];
  /** harmful > 0 and harmful ≥ helpful. */
  problematic: string[];
  /** Never tagged: helpful = harmful = 0. */
  unused: string[];
  tokens: number;
  bytes: number;
}

export const isHighPerforming = (b: Bullet): boolean => b.helpful - b.harmful >= 2;
export const isProblematic = (b: Bullet): boolean => b.harmful > 0 && b.harmful >= b.helpful;
export const isUnused = (b: Bullet): boolean => b.helpful === 0 && b.harmful === 0;

/**
 * Bullet counts in total and per section (sections without bullets included), the ids of
 * high-performing, problematic and unused bullets, and size in tokens (o200k) and bytes.
 * Accepts text or a parsed playbook; never throws.
 */
export function playbookStats(input: string | Playbook): PlaybookStats {
  const playbook = typeof input === "string" ? parsePlaybook(input) : input;
  const text = typeof input === "string" ? input : renderPlaybook(playbook);
  const sections: PlaybookStats["sections"] = [];
  const preamble = { name: null, bulletCount: 0 };
  let current: { name: string | null; bulletCount: number } = preamble;
  for (const line of playbook.lines) {
    if (line.kind === "section") {
      current = { name: line.name, bulletCount: 0 };
      sections.push(current);
    } else if (line.kind === "bullet") current.bulletCount += 1;
  }
  if (preamble.bulletCount > 0) sections.unshift(preamble);
  const bullets = listBullets(playbook);
  return {
    bulletCount: bullets.length,
    sections,
    highPerforming: bullets.filter(isHighPerforming).map((b) => b.id),
    problematic: bullets.filter(isProblematic).map((b) => b.id),
    unused: bullets.filter(isUnused).map((b) => b.id),
    tokens: countTextTokensByLine(text),
    bytes: byteLength(text),
  };
}
