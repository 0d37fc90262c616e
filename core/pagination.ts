import { z } from "zod";

/** Paging, the same for every list: the query parameters, the page shape and the one helper that fills it. */

export const DEFAULT_PAGE_SIZE = 20;

export const Pagination = z.object({
  limit: z.coerce.number().int().min(1).max(100).optional().describe("Page size, 1–100 (default 20)"),
  offset: z.coerce.number().int().min(0).max(1_000_000).optional().describe("Items to skip (default 0)"),
});
export type Pagination = z.infer<typeof Pagination>;

/** The page schema of a list of `item`, for route and tool contracts. */
export const page = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
    next_offset: z.number().int().nullable().describe("Offset of the next page, null on the last page"),
  });

/** The page shape every list returns. */
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
  next_offset: number | null;
}

/** One list query and its count, as run for one page (`rows` gets the bounds with defaults applied). */
export interface PageSource<Row> {
  rows(limit: number, offset: number): Promise<readonly Row[]>;
  total(): Promise<number>;
}

/** Runs a list's page query and count together and shapes the page (items mapped by `toItem`). */
export async function paginate<Row, Item>(
  query: Pagination,
  source: PageSource<Row>,
  toItem: (row: Row) => Item,
): Promise<Page<Item>> {
  const limit = query.limit ?? DEFAULT_PAGE_SIZE;
  const offset = query.offset ?? 0;
  const [rows, total] = await Promise.all([source.rows(limit, offset), source.total()]);
  const items = rows.map(toItem);
  return {
    items,
    total,
    limit,
    offset,
    next_offset: offset + items.length < total ? offset + items.length : null,
  };
}
