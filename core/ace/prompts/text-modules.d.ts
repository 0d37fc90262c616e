// Prompt files are imported as text (Bun's `with { type: "text" }`), so they stay readable documents.
declare module "*.md" {
  const text: string;
  export default text;
}
