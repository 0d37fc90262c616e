import { describe, expect, test } from "bun:test";
import {
  Draft,
  filterSection,
  listBullets,
  parsePlaybook,
  renderPlaybook,
  sectionNames,
} from "../../../core/ace/index.ts";
import { readFixture } from "../../support/fixtures.ts";

const roundTrip = (text: string) => renderPlaybook(parsePlaybook(text));

describe("parse and render", () => {
  test("round-trips both AppWorld fixtures byte for byte", async () => {
    for (const name of ["appworld_initial_playbook.txt", "appworld_online_trained_playbook.txt"] as const) {
      const text = await readFixture(name);
      expect(roundTrip(text)).toBe(text);
    }
  });

  test("reads the counter-less AppWorld form with zero counters", async () => {
    const bullets = listBullets(parsePlaybook(await readFixture("appworld_initial_playbook.txt")));
    expect(bullets).toHaveLength(8);
    expect(bullets[0]).toMatchObject({
      id: "shr-00001",
      helpful: 0,
      harmful: 0,
      section: "STRATEGIES AND HARD RULES",
    });
    expect(bullets.at(-1)?.section).toBe("OTHERS");
  });

  test("reads counters and keeps free text, blank lines and a missing final newline in place", () => {
    const text =
      "Intro prose\n\n## RULES\n[r-00001] helpful=3 harmful=1 :: Read docs :: first\nnote: free text\n[r-00002] plain bullet";
    const playbook = parsePlaybook(text);
    expect(roundTrip(text)).toBe(text);
    const [first, second] = listBullets(playbook);
    expect(first).toMatchObject({ id: "r-00001", helpful: 3, harmful: 1, content: "Read docs :: first" });
    expect(second).toMatchObject({ id: "r-00002", helpful: 0, content: "plain bullet", plain: true });
  });

  test("normalises non-canonical bullet spacing and CRLF line endings", () => {
    expect(roundTrip("## A\r\n[a-1]   helpful=1  harmful=0 ::   x  \r\n")).toBe(
      "## A\n[a-1] helpful=1 harmful=0 :: x\n",
    );
  });

  test("shows counters on every bullet when asked (prompts)", () => {
    const text = "## A\n[a-00001] x";
    expect(renderPlaybook(parsePlaybook(text), { withCounters: true })).toBe(
      "## A\n[a-00001] helpful=0 harmful=0 :: x",
    );
  });

  test("does not take ### subheadings or bracketed prose without a space for headers or bullets", () => {
    const lines = parsePlaybook("### sub\n[not-a-bullet]\n##no-space").lines;
    expect(lines.map((l) => l.kind)).toEqual(["text", "text", "text"]);
  });

  test("a leading byte-order mark neither hides the first header nor is lost", () => {
    const text = "\uFEFF## A\n[a-00001] helpful=0 harmful=0 :: x\n";
    const playbook = parsePlaybook(text);
    expect(listBullets(playbook)[0]?.section).toBe("A");
    expect(renderPlaybook(playbook)).toBe(text);
    expect(filterSection(text, "a")).not.toBeNull();
  });
});

describe("section names", () => {
  test("ADDs to a section named with ß land in one section, header written upper-case", () => {
    const draft = new Draft(parsePlaybook("## NOTES\n[n-00001] x\n"));
    draft.add("Straße rules", "first");
    draft.add("Straße rules", "second");
    draft.add("STRASSE RULES", "third");
    expect(sectionNames(draft.render())).toEqual(["NOTES", "STRASSE RULES"]);
    expect(draft.bullets().filter((b) => b.section === "STRASSE RULES")).toHaveLength(3);
  });
});

describe("filterSection", () => {
  test("matches case-insensitively, ignores a trailing colon, stops at the next header", async () => {
    const text = await readFixture("appworld_initial_playbook.txt");
    expect(filterSection(text, "troubleshooting and pitfalls")).toBe("## TROUBLESHOOTING AND PITFALLS:");
    const section = filterSection(text, "Problem-Solving Heuristics and Workflows");
    expect(section?.split("\n")).toEqual([
      "## PROBLEM-SOLVING HEURISTICS AND WORKFLOWS",
      "[psw-00002] Remember you can use the variables in your code in subsequent code blocks.",
      expect.stringMatching(/^\[psw-00007\] Many APIs return items in/),
    ]);
  });

  test("returns null for an unknown section and lists section names in order", async () => {
    const text = await readFixture("appworld_initial_playbook.txt");
    expect(filterSection(text, "nope")).toBeNull();
    expect(sectionNames(text)).toHaveLength(8);
  });
});
