import { describe, expect, test } from "bun:test";
import {
  bulletNumber,
  Draft,
  IdAllocator,
  maxBulletNumber,
  parsePlaybook,
  slugFromSectionName,
} from "../../../core/ace/index.ts";
import { readFixture } from "../../support/fixtures.ts";

describe("bullet id allocation", () => {
  test("continues after the highest number of the whole playbook, across prefixes and gaps", async () => {
    // The fixture's numbers have gaps (00001, 00005, 00006, 00004, 00002, 00007, 00003, 00008).
    const draft = new Draft(parsePlaybook(await readFixture("appworld_initial_playbook.txt")));
    expect(draft.add("STRATEGIES AND HARD RULES", "x").id).toBe("shr-00009");
    expect(draft.add("OTHERS", "y").id).toBe("misc-00010");
  });

  test("never reuses the number of a bullet removed in the same evolution", () => {
    const draft = new Draft(parsePlaybook("## A\n[a-00001] x\n[a-00007] y"));
    draft.remove("a-00007");
    expect(draft.add("A", "z").id).toBe("a-00008");
  });

  test("respects a floor from the playbook's history", () => {
    const draft = new Draft(parsePlaybook("## A\n[a-00001] x"), 41);
    expect(draft.add("A", "z").id).toBe("a-00042");
  });

  test("skips ids that exist even when they do not follow the numbering", () => {
    const allocator = new IdAllocator(["a-00002", "b-00003", "custom"]);
    expect(allocator.allocate("b")).toBe("b-00004");
    expect(allocator.allocate("b")).toBe("b-00005");
    expect(maxBulletNumber(["x-12", "y", "z-00003"])).toBe(12);
  });

  test("an id whose number has more than 9 digits counts as unnumbered; allocation stays small and exact", () => {
    expect(bulletNumber("a-3000000000")).toBeNull();
    expect(bulletNumber("a-999999999")).toBe(999_999_999);
    const ids = new IdAllocator(["a-3000000000", "a-99999999999999999999", "a-00007"]);
    expect(ids.allocate("a")).toBe("a-00008");
  });

  test("new sections get a slug from their name's initials", () => {
    expect(slugFromSectionName("STRATEGIES AND HARD RULES")).toBe("shr");
    expect(slugFromSectionName("## Error handling:")).toBe("eh");
    expect(slugFromSectionName("!!!")).toBe("b");
  });
});
