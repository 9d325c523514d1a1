"""Keyset pages (domain.paging): which neighbours a page has, from what storage read."""

from __future__ import annotations

from domain.paging import keyset

ROWS = list(range(100, 0, -1))  # ids, newest first


def read(before: int | None = None, after: int | None = None, limit: int = 10) -> list[int]:
    """As storage reads: one row more than a page, below `before` newest first or above
    `after` oldest first."""
    if after is not None:
        return sorted(i for i in ROWS if i > after)[:limit + 1]
    return [i for i in ROWS if before is None or i < before][:limit + 1]


def test_the_first_page_leads_only_to_older_rows() -> None:
    page = keyset(read(), 10, int)
    assert (page.items, page.newer, page.older) == (tuple(range(100, 90, -1)), None, 91)


def test_paging_down_to_the_end_and_back_up_shows_every_row_once() -> None:
    pages = [keyset(read(), 10, int)]
    while pages[-1].older is not None:
        pages.append(keyset(read(before=pages[-1].older), 10, int, before=pages[-1].older))
    assert [i for page in pages for i in page.items] == ROWS
    assert pages[-1].older is None and all(page.newer for page in pages[1:])
    up = [pages[-1]]
    while up[-1].newer is not None:
        up.append(keyset(read(after=up[-1].newer), 10, int, after=up[-1].newer))
    assert [page.items for page in up] == [page.items for page in reversed(pages)]


def test_no_rows_is_an_empty_page_without_neighbours() -> None:
    page = keyset([], 10, int, before=5)
    assert (page.items, page.newer, page.older) == ((), None, None)
