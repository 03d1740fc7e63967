"""Result rows in a sortable DataTable that stays fast for big results.

DataTable measures every cell it is given: 10,000 rows took 3.7 s to add here (measured,
`bench/bench_chat.py`), a visible freeze. So rows are added a page at a time, the next page
when the view nears the end of what is loaded; sorting sorts the full row list (the rows the
warehouse returned, already bounded by its row cap) and reloads the first page.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from textual.widgets import DataTable

from agent.chat.result_views import fmt_cell

PAGE_ROWS = 200


def _sort_key(value: object) -> tuple[int, float | str]:
    # None last, numbers before text, never a TypeError between mixed types.
    if value is None:
        return (2, 0)
    if isinstance(value, bool | int | float):
        return (0, value)
    return (1, str(value))


class ResultTable(DataTable[str]):
    VISIBLE_ROWS = 14

    def __init__(self, columns: Sequence[str], rows: Sequence[Sequence[object]], **kw: Any) -> None:
        super().__init__(zebra_stripes=True, cursor_type="row", **kw)
        self.column_names = list(columns)
        self.all_rows: list[Sequence[object]] = list(rows)
        self.loaded = 0
        self._sorted_by: tuple[int, bool] | None = None
        # A fixed height (header + rows + scrollbar): an auto height would be measured over
        # every loaded row before being clipped, leaving a gap below the table.
        self.styles.height = min(len(self.all_rows), self.VISIBLE_ROWS) + 2

    def on_mount(self) -> None:
        self.add_columns(*self.column_names)
        self.load_more()

    @property
    def total(self) -> int:
        return len(self.all_rows)

    def load_more(self) -> None:
        if self.loaded >= self.total:
            return
        page = self.all_rows[self.loaded : self.loaded + PAGE_ROWS]
        self.add_rows([fmt_cell(v) for v in row] for row in page)
        self.loaded += len(page)

    def _near_end(self) -> bool:
        return self.loaded < self.total and (
            self.cursor_row >= self.loaded - 20
            or self.scroll_y + 2 * self.scrollable_content_region.height >= self.loaded
        )

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self._near_end():
            self.load_more()

    def on_data_table_row_highlighted(self, _: DataTable.RowHighlighted) -> None:
        if self._near_end():
            self.load_more()

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        index = event.column_index
        reverse = self._sorted_by == (index, False)
        self.sort_rows(index, reverse=reverse)

    def sort_rows(self, index: int, *, reverse: bool = False) -> None:
        self.all_rows.sort(key=lambda r: _sort_key(r[index]), reverse=reverse)
        self._sorted_by = (index, reverse)
        self.clear()
        self.loaded = 0
        self.load_more()
