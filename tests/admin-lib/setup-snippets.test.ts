import { describe, expect, test } from "bun:test";
import { mcpUrl, setupSnippets } from "../../admin/src/lib/setup-snippets.ts";

const KEY = "ace_0123456789abcdef";
const byId = (origin: string, key = KEY) =>
  Object.fromEntries(setupSnippets(origin, key).map((s) => [s.id, s]));

describe("setupSnippets", () => {
  test("the MCP URL comes from the origin, trailing slashes ignored", () => {
    expect(mcpUrl("https://ace.example.com/")).toBe("https://ace.example.com/mcp");
    expect(mcpUrl("http://127.0.0.1:8000")).toBe("http://127.0.0.1:8000/mcp");
  });

  test("Claude Code: the documented `claude mcp add` line with the key as a bearer header", () => {
    const { "claude-code": claude } = byId("http://127.0.0.1:8000");
    expect(claude?.text).toBe(
      `claude mcp add --transport http ace 'http://127.0.0.1:8000/mcp' \\\n  --header 'Authorization: Bearer ${KEY}'`,
    );
  });

  test("Cursor, VS Code and mcp-remote snippets are valid JSON with the URL and key", () => {
    const snippets = byId("https://ace.example.com");
    expect(JSON.parse(snippets.cursor!.text)).toEqual({
      mcpServers: {
        ace: { url: "https://ace.example.com/mcp", headers: { Authorization: `Bearer ${KEY}` } },
      },
    });
    expect(JSON.parse(snippets.vscode!.text).servers.ace).toEqual({
      type: "http",
      url: "https://ace.example.com/mcp",
      headers: { Authorization: `Bearer ${KEY}` },
    });
    const remote = JSON.parse(snippets.generic!.text).mcpServers.ace;
    expect(remote.args).toContain("https://ace.example.com/mcp");
    expect(remote.env.ACE_API_KEY).toBe(KEY);
  });

  test("curl lists the tools with the headers the server requires", () => {
    const { curl } = byId("http://127.0.0.1:8000");
    expect(curl?.text).toContain(`-H 'Authorization: Bearer ${KEY}'`);
    expect(curl?.text).toContain("Accept: application/json, text/event-stream");
    expect(curl?.text).toContain('"method":"tools/list"');
  });

  test("a quote in the origin cannot break out of the shell quoting", () => {
    const { "claude-code": claude } = byId("http://evil'$(id)");
    expect(claude?.text).toContain(`'http://evil'\\''$(id)/mcp'`);
  });

  test("every snippet has a label and a hint", () => {
    for (const snippet of setupSnippets("http://x", KEY)) {
      expect(snippet.label.length).toBeGreaterThan(0);
      expect(snippet.hint.length).toBeGreaterThan(0);
      expect(snippet.text).toContain(KEY);
    }
  });
});
