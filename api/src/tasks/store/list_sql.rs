//! The list statement, built once for both dialects: which filters, which sort
//! key, the keyset cursor; each backend binds the values and spells what differs
//! ([`ListBinds`]).

use chrono::{DateTime, Utc};
use todo_domain::fold;
use todo_domain::view::{date_number, Window};

use super::TASK_COLUMNS;
use crate::tasks::instant::{from_timestamp, in_stored_years};
use crate::tasks::list::{CursorKey, ListQuery, SortKey, SortOrder, StatusFilter};

/// How a backend binds the list query's values and spells what differs between
/// dialects: each binding method binds one value and returns its placeholder.
pub(super) trait ListBinds {
    fn text(&mut self, value: String) -> String;
    fn int(&mut self, value: i64) -> String;
    /// `created_at` / `updated_at`.
    fn stamp(&mut self, value: DateTime<Utc>) -> String;
    /// `due_at` / `remind_at`.
    fn instant(&mut self, value: DateTime<Utc>) -> String;
    /// `column IN (values)` with the values bound as one list, so the statement's
    /// text does not depend on how many there are.
    fn int_in(&mut self, column: &str, values: Vec<i64>) -> String;
    fn text_in(&mut self, column: &str, values: Vec<String>) -> String;
    /// The sort expression over `due_at` (it matches an index of the same text).
    fn due_key(order: SortOrder) -> &'static str;
    /// The value that expression takes for a task without a due date.
    fn no_due(order: SortOrder) -> &'static str;
    /// The cursor's value of that expression.
    fn due_cursor(&mut self, value: Option<DateTime<Utc>>, order: SortOrder) -> String;
    /// The whole statement from its parts; the default is the plain keyset form.
    fn page(page: &Page<'_>) -> String {
        let Page { filters, key, order, after, limit, .. } = page;
        let (cmp, dir) = cmp_and_dir(*order);
        let after =
            after.as_ref().map_or(String::new(), |(value, id)| format!(" AND ({key}, id) {cmp} ({value}, {id})"));
        format!("SELECT {TASK_COLUMNS} FROM tasks WHERE {filters}{after} ORDER BY {key} {dir}, id {dir} LIMIT {limit}")
    }
}

/// A list statement's parts, for [`ListBinds::page`] to put together.
pub(super) struct Page<'a> {
    /// The `WHERE` conditions, starting with the user's.
    pub filters: String,
    /// The sort key (a column or the due-date expression); ties go by id.
    pub key: &'a str,
    pub order: SortOrder,
    /// The cursor's placeholders: the sort key's value and the id of the last row seen.
    pub after: Option<(String, String)>,
    pub limit: String,
    /// Whether many rows may share one sort key (priorities; undated tasks), as
    /// against times and titles, where ties are rare.
    pub many_ties: bool,
}

/// The keyset comparison and the `ORDER BY` direction of an order.
pub(super) fn cmp_and_dir(order: SortOrder) -> (&'static str, &'static str) {
    match order {
        SortOrder::Asc => (">", "ASC"),
        SortOrder::Desc => ("<", "DESC"),
    }
}

/// The list statement. Its text depends only on which filters are present (not
/// on their values or how many), so it stays within a bounded set of shapes that
/// each connection prepares once. `among` (SQLite only): the ids a search index
/// found, to read instead of all the user's tasks (each still checked against
/// every filter, the text too).
pub(super) fn list_sql<B: ListBinds>(
    user_id: &str,
    query: &ListQuery,
    among: Option<Vec<i64>>,
    binds: &mut B,
) -> String {
    let user = binds.text(user_id.to_owned());
    let mut filters = match among {
        // `+` keeps SQLite from the user's indexes: without statistics it would
        // rather read all the user's tasks in order, checking each against the ids.
        Some(ids) => format!("+user_id = {user} AND {}", binds.int_in("id", ids)),
        None => format!("user_id = {user}"),
    };
    let due_sort = query.sort == SortKey::DueAt;
    // The list, by the expression its index has (migrations/*/0009_lists.sql).
    let list = query.list.map(|list| binds.int(list.list_id().unwrap_or(0)));
    if let Some(list) = &list {
        filters.push_str(&format!(" AND COALESCE(list_id, 0) = {list}"));
    }

    match query.status {
        StatusFilter::All => {}
        StatusFilter::Pending => filters.push_str(" AND completed = FALSE"),
        StatusFilter::Completed => filters.push_str(" AND completed = TRUE"),
    }
    if let Some(text) = &query.q {
        let p = binds.text(format!("%{}%", escape_like(&fold(text))));
        filters
            .push_str(&format!(" AND (title_folded LIKE {p} ESCAPE '\\' OR description_folded LIKE {p} ESCAPE '\\')"));
    }
    if !query.priorities.is_empty() {
        let ranks = query.priorities.iter().map(|p| i64::from(p.rank())).collect();
        filters.push_str(&format!(" AND {}", binds.int_in("priority", ranks)));
    }
    if !query.tags.is_empty() {
        // Every one of the tags: as many of them on the task as were asked for.
        let count = i64::try_from(query.tags.len()).unwrap_or(i64::MAX);
        let tags = query.tags.iter().map(|t| t.folded().to_owned()).collect();
        let any_of = binds.text_in("g.tag_folded", tags);
        let count = binds.int(count);
        filters.push_str(&format!(
            " AND (SELECT COUNT(*) FROM task_tags g WHERE g.task_id = tasks.id AND {any_of}) = {count}"
        ));
    }
    match query.has_due {
        Some(true) => filters.push_str(" AND due_at IS NOT NULL"),
        // Sorting by due date, the undated tasks are one stretch of the index: go there.
        Some(false) if due_sort => {
            filters.push_str(&format!(
                " AND due_at IS NULL AND {} = {}",
                B::due_key(query.order),
                B::no_due(query.order)
            ));
        }
        Some(false) => filters.push_str(" AND due_at IS NULL"),
        None => {}
    }
    if let Some(view) = &query.view {
        filters.push_str(&view_filter(&view.window, binds));
    }
    // The due window, on the column and, when sorting by due date, on the sort
    // expression too, so the index of that sort can seek to the window's start.
    for (bound, cmp) in [(query.due_after, ">="), (query.due_before, "<")] {
        if let Some(bound) = bound {
            let p = binds.instant(bound);
            filters.push_str(&format!(" AND due_at {cmp} {p}"));
            if due_sort {
                filters.push_str(&format!(" AND {} {cmp} {p}", B::due_key(query.order)));
            }
        }
    }

    let key: &str = match query.sort {
        SortKey::CreatedAt => "created_at",
        SortKey::UpdatedAt => "updated_at",
        SortKey::Title => "title_folded",
        SortKey::Priority => "priority",
        SortKey::DueAt => B::due_key(query.order),
        SortKey::Position => "position",
    };
    let after = query.after.as_ref().map(|after| {
        let value = match &after.key {
            CursorKey::Time(time) => binds.stamp(*time),
            CursorKey::Text(text) => binds.text(text.clone()),
            CursorKey::Rank(rank) => binds.int((*rank).into()),
            CursorKey::Due(due) => binds.due_cursor(*due, query.order),
            // Where the last task seen is now, if it is still in the list; else where it was.
            CursorKey::Position(position) => {
                let (id, position) = (binds.int(after.id), binds.text(position.clone()));
                let list = list.clone().unwrap_or_else(|| "0".to_owned());
                format!(
                    "COALESCE((SELECT seen.position FROM tasks seen WHERE seen.id = {id} AND seen.user_id = {user} \
                     AND COALESCE(seen.list_id, 0) = {list}), {position})"
                )
            }
        };
        (value, binds.int(after.id))
    });
    let limit = binds.int(i64::from(query.limit) + 1);
    let many_ties = matches!(query.sort, SortKey::Priority | SortKey::DueAt);
    B::page(&Page { filters, key, order: query.order, after, limit, many_ties })
}

/// The condition of a view's window: timed tasks by `due_at`, all-day tasks by the
/// date the API wrote beside it (`due_date`, see migrations/*/0006_views.sql).
fn view_filter<B: ListBinds>(window: &Window, binds: &mut B) -> String {
    let mut instant = |at: todo_domain::jiff::Timestamp| {
        let at = from_timestamp(at).filter(in_stored_years).unwrap_or(DateTime::<Utc>::MAX_UTC);
        binds.instant(at)
    };
    match *window {
        Window::Today { start, end, date } => {
            let (start, end) = (instant(start), instant(end));
            let date = binds.int(date_number(date).into());
            format!(
                " AND ((all_day = FALSE AND due_at >= {start} AND due_at < {end}) \
                 OR (all_day = TRUE AND due_date = {date}))"
            )
        }
        Window::Upcoming { from, today } => {
            let from = instant(from);
            let today = binds.int(date_number(today).into());
            format!(" AND ((all_day = FALSE AND due_at >= {from}) OR (all_day = TRUE AND due_date > {today}))")
        }
        Window::Overdue { now, today } => {
            let now = instant(now);
            let today = binds.int(date_number(today).into());
            format!(
                " AND completed = FALSE \
                 AND ((all_day = FALSE AND due_at < {now}) OR (all_day = TRUE AND due_date < {today}))"
            )
        }
        Window::NoDate => " AND due_at IS NULL".to_owned(),
    }
}

/// Makes `%`, `_` and `\` in the search text match themselves.
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}
