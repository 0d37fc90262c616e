/**
 * The bad-input corpus: what a hostile or unlucky client sends. tests/api/bad-input.test.ts runs
 * it against every REST operation of the OpenAPI document and tests/mcp/bad-input.test.ts against
 * every MCP tool the server lists, so a new route or tool is covered without touching this file.
 * The promise under test: never a 5xx (nor an MCP "internal" error) — always a 4xx that says
 * what to fix, or a success.
 */

const deep = (depth: number, leaf = "1") => `${"[".repeat(depth)}${leaf}${"]".repeat(depth)}`;

/** Request bodies that are not a usable JSON document (sent as application/json). */
export const MALFORMED_BODIES: Array<[label: string, body: string | Uint8Array<ArrayBuffer>]> = [
  ["a lone brace", "{"],
  ["truncated", '{"name": "x", '],
  ["trailing garbage", '{"name":"x"} trailing'],
  ["two documents", '{"a":1}{"b":2}'],
  ["single quotes", "{'name': 'x'}"],
  ["a comment", '{"name": "x" /* hi */}'],
  ["NaN literal", '{"n": NaN}'],
  ["a byte-order mark", '\uFEFF{"name":"x"}'],
  ["a raw NUL", '{"name":"a\u0000b"}'],
  ["raw control characters", '{"name":"a\u0001\u001fb"}'],
  ["invalid UTF-8", new Uint8Array([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
  [
    "an encoded lone surrogate (CESU-8)",
    new Uint8Array([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0x22, 0x7d]),
  ],
  ["nesting past the limit", `{"name":${deep(5_000)}}`],
  ["nesting up to the body limit", deep(200_000)],
  ["only whitespace", "   \n\t  "],
];

/** JSON documents that parse but are not the object a route wants. */
export const ODD_DOCUMENTS: Array<[label: string, body: string]> = [
  ["null", "null"],
  ["a number", "42"],
  ["a string", '"hello"'],
  ["true", "true"],
  ["an empty array", "[]"],
  ["an array of objects", '[{"name":"x"}]'],
  ["an empty object", "{}"],
  ["nesting just under the limit", `{"name":${deep(60)}}`],
  ["a huge number", '{"limit": 1e400, "n": -1e400}'],
  ["a long integer", '{"n": 123456789012345678901234567890}'],
  ["a tiny number", '{"n": 1e-400}'],
  ["duplicate keys", '{"name":"a","name":{"x":1}}'],
  [
    "__proto__ pollution",
    '{"__proto__":{"admin":true,"scopes":["evolve"]},"constructor":{"prototype":{"x":1}}}',
  ],
];

const big = (bytes: number) => "x".repeat(bytes);

/** Values that are wrong for some property, substituted into an otherwise valid body or arguments. */
export const WRONG_VALUES: Array<[label: string, value: unknown]> = [
  ["null", null],
  ["zero", 0],
  ["a negative number", -1],
  ["a fraction", 0.5],
  ["the largest double", Number.MAX_VALUE],
  ["past 2^53", 2 ** 60],
  ["true", true],
  ["an empty string", ""],
  ["whitespace", "   "],
  ["a NUL character", "a\u0000b"],
  ["a lone high surrogate", "a\ud800b"],
  ["a lone low surrogate", "\udc00"],
  ["right-to-left and zero-width characters", "\u202e\u200b\u2066x"],
  ["an emoji", "💥🧨"],
  ["an SQL fragment", "'; drop table users; --"],
  ["a number as text", "1e309"],
  ["an empty array", []],
  ["an array of strings", ["x", "y"]],
  ["an array of NULs", ["\u0000"]],
  ["a huge array", Array.from({ length: 20_000 }, (_, i) => `bullet-${i}`)],
  ["an array of numbers", Array.from({ length: 20_000 }, (_, i) => i)],
  ["an empty object", {}],
  ["an object", { a: 1, b: [2] }],
  ["a 200 KB string", big(200 * 1024)],
];

/** Path parameters that do not name anything (or are hostile). */
export const BAD_IDS: Array<[label: string, segment: string]> = [
  ["not a uuid", "not-a-uuid"],
  ["the nil uuid", "00000000-0000-0000-0000-000000000000"],
  ["a random uuid", "3f8a1c2e-9b7d-4e6f-8a1b-2c3d4e5f6a7b"],
  ["an upper-case uuid of nothing", "3F8A1C2E-9B7D-4E6F-8A1B-2C3D4E5F6A7B"],
  ["a uuid with braces", "%7B3f8a1c2e-9b7d-4e6f-8a1b-2c3d4e5f6a7b%7D"],
  ["zero", "0"],
  ["negative", "-1"],
  ["a fraction", "1.5"],
  ["past int32", "2147483648"],
  ["past int64", "99999999999999999999999"],
  ["infinity", "1e309"],
  ["an encoded NUL", "%00"],
  ["an encoded lone surrogate", "%ED%A0%80"],
  ["broken percent-encoding", "%E0%A4%A"],
  ["an encoded slash", "..%2F..%2Fetc%2Fpasswd"],
  ["an SQL fragment", "1%27%20OR%20%271%27%3D%271"],
  ["an emoji", "%F0%9F%92%A5"],
  ["5000 characters", "a".repeat(5000)],
];

/** Query values for any documented query parameter (each also sent twice, as a repeated parameter). */
export const ODD_QUERY_VALUES: Array<[label: string, value: string]> = [
  ["empty", ""],
  ["negative", "-1"],
  ["a fraction", "0.5"],
  ["past int64", "99999999999999999999999"],
  ["infinity", "1e309"],
  ["NaN", "NaN"],
  ["text", "abc"],
  ["an encoded NUL", "%00"],
  ["an encoded lone surrogate", "%ED%A0%80"],
  ["broken percent-encoding", "%E0%A4%A"],
  ["brackets", "%5B%5D"],
  ["a comma list", "a,b,,c"],
  ["5000 characters", "q".repeat(5000)],
];

/** Content-Type headers for a body that is otherwise valid JSON. */
export const ODD_MEDIA_TYPES: Array<string | null> = [
  null,
  "",
  "text/plain",
  "text/html",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=----x",
  "application/octet-stream",
  "application/xml",
  "application/json; charset=utf-16",
  "application/json; charset=",
  "application/json;;;",
  "APPLICATION/JSON; CHARSET=UTF-8",
  "application/problem+json",
  "application/json, text/plain",
  "*/*",
  "json",
];

/** Credentials that authenticate nobody. */
export const BAD_CREDENTIALS: Array<[label: string, headers: Record<string, string>]> = [
  ["none", {}],
  ["an empty bearer", { authorization: "Bearer " }],
  ["Basic auth", { authorization: "Basic YTpi" }],
  ["a garbage token", { authorization: "Bearer garbage" }],
  ["a JWT-shaped garbage token", { authorization: "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0." }],
  ["a 10 KB token", { authorization: `Bearer ${"t".repeat(10_000)}` }],
  ["a forged API key", { "x-api-key": "ace_forged" }],
  ["an API key of the right shape", { "x-api-key": `ace_${"A".repeat(43)}` }],
  ["two different credentials", { authorization: "Bearer a", "x-api-key": "ace_b" }],
];
