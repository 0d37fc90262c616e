// Ready-to-paste set-up for a new API key, matching docs/MCP_INTEGRATION.md (which documents the
// key as `Authorization: Bearer ace_…`; the server also accepts `X-API-Key`).

export interface SetupSnippet {
  id: "claude-code" | "cursor" | "vscode" | "generic" | "curl";
  /** Tab label. */
  label: string;
  /** Where it goes, shown above the snippet. */
  hint: string;
  language: "sh" | "json";
  text: string;
}

/** The MCP endpoint for an origin such as `https://ace.example.com` (a trailing slash is ignored). */
export const mcpUrl = (origin: string): string => `${origin.replace(/\/+$/, "")}/mcp`;

// Shell single quotes keep `$` and backslashes literal; a quote inside is closed and escaped.
const shellQuote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

export function setupSnippets(origin: string, key: string): SetupSnippet[] {
  const url = mcpUrl(origin);
  const header = `Authorization: Bearer ${key}`;
  const json = (value: unknown) => JSON.stringify(value, null, 2);
  return [
    {
      id: "claude-code",
      label: "Claude Code",
      hint: "Run in a terminal:",
      language: "sh",
      text: `claude mcp add --transport http ace ${shellQuote(url)} \\\n  --header ${shellQuote(header)}`,
    },
    {
      id: "cursor",
      label: "Cursor",
      hint: "Add to ~/.cursor/mcp.json (or .cursor/mcp.json in a project):",
      language: "json",
      text: json({ mcpServers: { ace: { url, headers: { Authorization: `Bearer ${key}` } } } }),
    },
    {
      id: "vscode",
      label: "VS Code",
      hint: "Add to .vscode/mcp.json:",
      language: "json",
      text: json({ servers: { ace: { type: "http", url, headers: { Authorization: `Bearer ${key}` } } } }),
    },
    {
      id: "generic",
      label: "Other MCP client",
      hint: "Streamable HTTP transport; stdio-only clients can bridge with mcp-remote:",
      language: "json",
      text: json({
        mcpServers: {
          ace: {
            command: "npx",
            // biome-ignore lint/suspicious/noTemplateCurlyInString: mcp-remote expands it from `env`.
            args: ["mcp-remote", url, "--header", "Authorization: Bearer ${ACE_API_KEY}"],
            env: { ACE_API_KEY: key },
          },
        },
      }),
    },
    {
      id: "curl",
      label: "curl",
      hint: "Check the key: list the MCP tools.",
      language: "sh",
      text: [
        `curl -s ${shellQuote(url)} \\`,
        `  -H ${shellQuote(header)} \\`,
        `  -H 'Content-Type: application/json' -H 'Accept: application/json, text/event-stream' \\`,
        `  -d '{"jsonrpc":"2.0","id":1,"method":"tools/list"}'`,
      ].join("\n"),
    },
  ];
}
