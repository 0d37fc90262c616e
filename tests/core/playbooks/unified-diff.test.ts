import { describe, expect, test } from "bun:test";
import { applyPatch } from "diff";
import { unifiedDiff } from "../../../core/playbooks/unified-diff.ts";

describe("unifiedDiff", () => {
  test("a small change is a normal patch with context", () => {
    const patch = unifiedDiff("v1", "v2", "a\nb\nc\n", "a\nB\nc\n");
    expect(patch).toContain("@@ -1,3 +1,3 @@\n a\n-b\n+B\n c");
    expect(applyPatch("a\nb\nc\n", patch)).toBe("a\nB\nc\n");
  });

  test("two large, wholly different versions still give a patch that applies", () => {
    const a = `${Array.from({ length: 8000 }, (_, i) => `[a-${i}] old ${i}`).join("\n")}\n`;
    const b = Array.from({ length: 8000 }, (_, i) => `[b-${i}] new ${i}`).join("\n"); // no final newline
    const patch = unifiedDiff("v1", "v2", a, b);
    expect(applyPatch(a, patch)).toBe(b);
  });
});
