/**
 * One level of the tree read page by page from the management API (`page`/`page_size`, `name`/`use_regex`).
 * The number of pages shown and the filter survive a refresh; the data does not: a refresh re-reads the same pages,
 * so "Load more…" twice, then Refresh, still shows three pages.
 */
import type { Page, PageQuery } from '../broker/management';
import { MAX_PAGE_SIZE } from '../broker/management';

export interface Filter {
  text: string;
  regex: boolean;
}

export interface PagedView<T> {
  items: T[];
  /** Items matching the filter on the broker (what "Load more…" can still reach). */
  matching: number;
  /** Items in the level before filtering. */
  total: number;
  hasMore: boolean;
}

export type PageFetcher<T> = (q: PageQuery) => Promise<Page<T>>;

export class PagedList<T> {
  private pagesWanted = 1;
  private pages = new Map<number, Promise<Page<T>>>();
  filter?: Filter;

  constructor(private readonly fetchPage: PageFetcher<T>, private pageSizeOf: () => number) {}

  get pageSize(): number {
    return Math.min(Math.max(1, Math.floor(this.pageSizeOf())), MAX_PAGE_SIZE);
  }

  /** Drops the data (a refresh); keeps how many pages are shown and the filter. */
  invalidate(): void {
    this.pages.clear();
  }

  setFilter(filter: Filter | undefined): void {
    this.filter = filter && filter.text ? filter : undefined;
    this.pagesWanted = 1;
    this.pages.clear();
  }

  loadMore(): void {
    this.pagesWanted++;
  }

  async view(): Promise<PagedView<T>> {
    const pages: Page<T>[] = [];
    for (let p = 1; p <= this.pagesWanted; p++) {
      const page = await this.page(p);
      pages.push(page);
      if (p >= page.pageCount) { break; }
    }
    const last = pages[pages.length - 1];
    return {
      items: pages.flatMap((p) => p.items),
      matching: last.filteredCount,
      total: last.totalCount,
      hasMore: last.page < last.pageCount,
    };
  }

  private page(n: number): Promise<Page<T>> {
    let p = this.pages.get(n);
    if (!p) {
      // No `sort`: the broker's default order of a vhost's list is by name already (bytewise, the same as sort=name), and
      // an explicit sort=name makes RabbitMQ 3.10 add statistics to every queue before it pages: on a 10,000-queue vhost a
      // 200-queue page took 0.4–1 s with it and 0.1 s without (bench/, BENCHMARKS.md).
      p = this.fetchPage({ page: n, pageSize: this.pageSize, name: this.filter?.text, useRegex: this.filter?.regex });
      // A failed page is not cached: Retry fetches it again.
      p.catch(() => { if (this.pages.get(n) === p) { this.pages.delete(n); } });
      this.pages.set(n, p);
    }
    return p;
  }
}
