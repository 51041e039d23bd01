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
    /// The whole statement from its parts.
    fn page(page: &Page<'_>) -> String {
        default_page(page)
    }
}

/// The plain keyset form.
pub(super) fn default_page(page: &Page<'_>) -> String {
    let Page { filters, key, order, after, limit, .. } = page;
    let (cmp, dir) = cmp_and_dir(*order);
    let after = after.as_ref().map_or(String::new(), |After { value, id }| {
        format!(" AND ({key}, id) {cmp} ({}, {id})", value.as_deref().unwrap_or("NULL"))
    });
    format!("SELECT {TASK_COLUMNS} FROM tasks WHERE {filters}{after} ORDER BY {key} {dir}, id {dir} LIMIT {limit}")
}

/// The due-date sort, tasks without a due date last in either order, from one
/// index `(user_id, due_at, id)` read two ways (migrations/*/0009_write_path.sql;
/// before, an index per order over `COALESCE(due_at, ±infinity)`, and every
/// insert maintained both): the statement of the dated stretch, then the one of
/// the undated stretch, each one seek in the list's order. The store runs the
/// second only when the first leaves the page short, so most pages are one
/// statement. (One statement merging the two as a `UNION ALL` sorted both halves:
/// 1.5× the instructions of a list.) Both sort by `due_at, id`, which for the
/// undated stretch is the order of `id`: so written, PostgreSQL too sees that the
/// index gives that order. A cursor in the undated stretch reads only it.
fn due_stretches(page: &Page<'_>) -> Vec<String> {
    let Page { filters, order, after, limit, .. } = page;
    let (cmp, dir) = cmp_and_dir(*order);
    let stretch = |which: &str, after: &str| {
        format!(
            "SELECT {TASK_COLUMNS} FROM tasks WHERE {filters} AND due_at {which}{after} \
             ORDER BY due_at {dir}, id {dir} LIMIT {limit}"
        )
    };
    match after {
        None => vec![stretch("IS NOT NULL", ""), stretch("IS NULL", "")],
        Some(After { value: Some(value), id }) => {
            vec![stretch("IS NOT NULL", &format!(" AND (due_at, id) {cmp} ({value}, {id})")), stretch("IS NULL", "")]
        }
        Some(After { value: None, id }) => vec![stretch("IS NULL", &format!(" AND id {cmp} {id}"))],
    }
}

/// A list statement's parts, for [`ListBinds::page`] to put together.
pub(super) struct Page<'a> {
    /// The `WHERE` conditions, starting with the user's.
    pub filters: String,
    /// The sort key (a column or the due-date expression); ties go by id.
    pub key: &'a str,
    pub order: SortOrder,
    /// The cursor's placeholders.
    pub after: Option<After>,
    pub limit: String,
    /// Whether many rows may share one sort key (priorities), as against times,
    /// titles and due dates, where ties are rare.
    pub many_ties: bool,
}

/// Which of the user's tasks a list reads, and how a search's text is matched.
pub(super) enum Among {
    /// All of them; the text by `LIKE`, which PostgreSQL's trigram index serves.
    Indexed,
    /// All of them in the list's order, the text checked on each by `strpos`
    /// (PostgreSQL, for a person with few enough tasks; see `store::list`).
    InOrder,
    /// Just these (SQLite: the ids its search index found), each still checked
    /// against every filter, the text too.
    Ids(Vec<i64>),
}

/// A keyset cursor's placeholders: the sort key's value (`None`: a task without a
/// due date, in the due-date sort) and the id of the last row seen.
pub(super) struct After {
    pub value: Option<String>,
    pub id: String,
}

/// The keyset comparison and the `ORDER BY` direction of an order.
pub(super) fn cmp_and_dir(order: SortOrder) -> (&'static str, &'static str) {
    match order {
        SortOrder::Asc => (">", "ASC"),
        SortOrder::Desc => ("<", "DESC"),
    }
}

/// The list statements, to run in turn (with the same values bound) until one
/// page is read: one, or two for the due-date sort (see [`due_stretches`]). Their
/// text depends only on which filters are present (not on their values or how
/// many), so it stays within a bounded set of shapes that each connection
/// prepares once. Every statement uses the last value bound (the limit), so each
/// takes the whole list of values.
pub(super) fn list_sql<B: ListBinds>(user_id: &str, query: &ListQuery, among: Among, binds: &mut B) -> Vec<String> {
    let user = binds.text(user_id.to_owned());
    let by_scan = matches!(among, Among::InOrder);
    let mut filters = match among {
        // `+` keeps SQLite from the user's indexes: without statistics it would
        // rather read all the user's tasks in order, checking each against the ids.
        Among::Ids(ids) => format!("+user_id = {user} AND {}", binds.int_in("id", ids)),
        Among::Indexed | Among::InOrder => format!("user_id = {user}"),
    };
    // The list, by the expression its index has (migrations/*/0010_lists.sql);
    // in the due-date sort, both stretches carry it.
    let list = query.list.map(|list| binds.int(list.list_id().unwrap_or(0)));
    if let Some(list) = &list {
        filters.push_str(&format!(" AND COALESCE(list_id, 0) = {list}"));
    }

    match query.status {
        StatusFilter::All => {}
        StatusFilter::Pending => filters.push_str(" AND completed = FALSE"),
        StatusFilter::Completed => filters.push_str(" AND completed = TRUE"),
    }
    match &query.q {
        // The same test as the `LIKE` below, which no index serves.
        Some(text) if by_scan => {
            let t = binds.text(fold(text));
            filters.push_str(&format!(" AND (strpos(title_folded, {t}) > 0 OR strpos(description_folded, {t}) > 0)"));
        }
        Some(text) => {
            let p = binds.text(format!("%{}%", escape_like(&fold(text))));
            filters.push_str(&format!(
                " AND (title_folded LIKE {p} ESCAPE '\\' OR description_folded LIKE {p} ESCAPE '\\')"
            ));
        }
        None => {}
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
        Some(false) => filters.push_str(" AND due_at IS NULL"),
        None => {}
    }
    if let Some(view) = &query.view {
        filters.push_str(&view_filter(&view.window, binds));
    }
    for (bound, cmp) in [(query.due_after, ">="), (query.due_before, "<")] {
        if let Some(bound) = bound {
            let p = binds.instant(bound);
            filters.push_str(&format!(" AND due_at {cmp} {p}"));
        }
    }

    let key: &str = match query.sort {
        SortKey::CreatedAt => "created_at",
        SortKey::UpdatedAt => "updated_at",
        SortKey::Title => "title_folded",
        SortKey::Priority => "priority",
        SortKey::DueAt => "due_at",
        SortKey::Position => "position",
    };
    let after = query.after.as_ref().map(|after| {
        let value = match &after.key {
            CursorKey::Time(time) => Some(binds.stamp(*time)),
            CursorKey::Text(text) => Some(binds.text(text.clone())),
            CursorKey::Rank(rank) => Some(binds.int((*rank).into())),
            CursorKey::Due(due) => due.map(|due| binds.instant(due)),
            // Where the last task seen is now, if it is still in the list; else where it was.
            CursorKey::Position(position) => {
                let (id, position) = (binds.int(after.id), binds.text(position.clone()));
                let list = list.clone().unwrap_or_else(|| "0".to_owned());
                Some(format!(
                    "COALESCE((SELECT seen.position FROM tasks seen WHERE seen.id = {id} AND seen.user_id = {user} \
                     AND COALESCE(seen.list_id, 0) = {list}), {position})"
                ))
            }
        };
        After { value, id: binds.int(after.id) }
    });
    let limit = binds.int(i64::from(query.limit) + 1);
    // The due-date sort's ties are rare within its dated stretch, and its undated
    // stretch goes by id alone.
    let many_ties = query.sort == SortKey::Priority;
    let page = Page { filters, key, order: query.order, after, limit, many_ties };
    if query.sort == SortKey::DueAt {
        return due_stretches(&page);
    }
    vec![B::page(&page)]
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
