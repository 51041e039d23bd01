//! What a person reads: tables and details on a terminal, in colour when it
//! is one (anstream strips the colour for pipes, `NO_COLOR` and `--color never`).
//! Every text from the server goes through [`safe_text`] first.

use anstyle::{AnsiColor, Style};
use chrono::{DateTime, Utc};
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ZonedDateTime};
use todo_domain::view::{calendar_date, Due, DueFacts, View};
use todo_domain::{Priority, Zone};
use todo_wire::{Lists, TagCount, Task};
use unicode_width::UnicodeWidthStr;

use crate::safe_text;

const HEADER: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const OVERDUE: Style = AnsiColor::Red.on_default();
const HIGH: Style = AnsiColor::Red.on_default().bold();
const MEDIUM: Style = AnsiColor::Yellow.on_default();
const TAG: Style = AnsiColor::Cyan.on_default();

fn paint(style: Style, text: &str) -> String {
    if text.is_empty() || style == Style::new() {
        return text.to_owned();
    }
    format!("{style}{text}{style:#}")
}

/// `text` padded with spaces to `width` terminal columns.
fn pad(text: &str, width: usize) -> String {
    let shown = UnicodeWidthStr::width(text);
    format!("{text}{}", " ".repeat(width.saturating_sub(shown)))
}

/// The zone a task's dates are computed in: its own, else the local one.
fn task_zone(task: &Task, local: &TimeZone) -> TimeZone {
    Zone::parse(&task.time_zone).map(|zone| zone.tz().clone()).unwrap_or_else(|_| local.clone())
}

/// An instant of the API's (chrono's, in UTC) as jiff's, which local times
/// and the domain's rules are computed with.
pub fn timestamp(at: DateTime<Utc>) -> Timestamp {
    // chrono writes a leap second as a nanosecond past 999,999,999; jiff has none.
    let nanos = at.timestamp_subsec_nanos().min(999_999_999) as i32;
    // The API keeps the years 0001–9999, all within jiff's range; past it, the nearest end.
    let nearest_end = if at.timestamp() < 0 { Timestamp::MIN } else { Timestamp::MAX };
    Timestamp::new(at.timestamp(), nanos).unwrap_or(nearest_end)
}

/// The calendar date a due date falls on for the person: an all-day task's date
/// in its own zone (that is what all-day means), a timed one's in the local zone.
fn due_date(task: &Task, at: Timestamp, now: &ZonedDateTime) -> Date {
    if task.all_day {
        calendar_date(at, &task_zone(task, now.time_zone()))
    } else {
        at.to_zoned_datetime(now.time_zone().clone()).date()
    }
}

/// Whether the table marks a task overdue: the domain's Overdue view, the one
/// rule the API lists `--overdue` by, for the person's zone at `now`.
pub fn is_overdue(task: &Task, now: &ZonedDateTime) -> bool {
    let due = task.due_at.map(timestamp).map(|at| {
        if task.all_day {
            Due::On(calendar_date(at, &task_zone(task, now.time_zone())))
        } else {
            Due::At(at)
        }
    });
    View::Overdue.window(now.timestamp(), now.time_zone()).contains(DueFacts { completed: task.completed, due })
}

/// A date in words near today (`today`, `tomorrow`, `Fri 11 Dec`), the full date further off.
fn date_words(date: Date, today: Date) -> String {
    let days = (date - today).get_days();
    match days {
        0 => "today".to_owned(),
        1 => "tomorrow".to_owned(),
        -1 => "yesterday".to_owned(),
        _ if date.year() == today.year() => date.strftime("%a %d %b").to_string(),
        _ => date.to_string(),
    }
}

/// A due date as the table shows it, with ↻ when the task repeats.
pub fn due_words(task: &Task, now: &ZonedDateTime) -> String {
    let Some(at) = task.due_at.map(timestamp) else { return String::new() };
    let date = due_date(task, at, now);
    let mut words = date_words(date, now.date());
    if !task.all_day {
        words.push(' ');
        words.push_str(&at.to_zoned_datetime(now.time_zone().clone()).strftime("%H:%M").to_string());
    }
    if task.recurrence.is_some() {
        words.push_str(" ↻");
    }
    words
}

/// An instant in full, in the local zone (`2026-12-24 17:00 CET`).
pub fn instant_words(at: Timestamp, now: &ZonedDateTime) -> String {
    at.to_zoned_datetime(now.time_zone().clone()).strftime("%Y-%m-%d %H:%M %Z").to_string()
}

/// The task list as an aligned table: id, done mark, priority, due date, title and tags.
pub fn task_table(tasks: &[Task], now: &ZonedDateTime) -> String {
    if tasks.is_empty() {
        return "No tasks.\n".to_owned();
    }
    struct Row {
        id: String,
        done: &'static str,
        priority: String,
        due: String,
        overdue: bool,
        title: String,
        tags: String,
        task: Task,
    }
    let rows: Vec<Row> = tasks
        .iter()
        .map(|task| Row {
            id: task.id.to_string(),
            done: if task.completed { "[x]" } else { "[ ]" },
            priority: if task.priority == Priority::None { String::new() } else { task.priority.as_str().to_owned() },
            due: due_words(task, now),
            overdue: is_overdue(task, now),
            title: safe_text::line(&task.title),
            tags: task.tags.iter().map(|tag| format!("#{}", safe_text::line(tag))).collect::<Vec<_>>().join(" "),
            task: task.clone(),
        })
        .collect();
    let width = |cell: fn(&Row) -> &str, header: &str| {
        rows.iter().map(|row| UnicodeWidthStr::width(cell(row))).max().unwrap_or(0).max(header.len())
    };
    let id_width = width(|r| &r.id, "ID");
    let priority_width = width(|r| &r.priority, "PRI");
    let due_width = width(|r| &r.due, "DUE");

    let mut out = String::new();
    let header =
        format!("{:>id_width$}  {}  {}  {}  TITLE", "ID", "   ", pad("PRI", priority_width), pad("DUE", due_width));
    out.push_str(&paint(HEADER, &header));
    out.push('\n');
    for row in &rows {
        let priority_style = match row.task.priority {
            Priority::High => HIGH,
            Priority::Medium => MEDIUM,
            Priority::Low | Priority::None => Style::new(),
        };
        let title_style = if row.task.completed { DIM } else { Style::new() };
        let due_style = if row.overdue { OVERDUE } else { Style::new() };
        let mut line = format!(
            "{:>id_width$}  {}  {}  {}  {}",
            row.id,
            row.done,
            paint(priority_style, &pad(&row.priority, priority_width)),
            paint(due_style, &pad(&row.due, due_width)),
            paint(title_style, &row.title),
        );
        if !row.tags.is_empty() {
            line.push_str("  ");
            line.push_str(&paint(TAG, &row.tags));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// One task in full.
pub fn task_details(task: &Task, now: &ZonedDateTime) -> String {
    let mut lines: Vec<(&str, String)> = vec![
        ("status", if task.completed { "done".to_owned() } else { "open".to_owned() }),
        ("priority", task.priority.as_str().to_owned()),
    ];
    if let Some(at) = task.due_at.map(timestamp) {
        let mut due = if task.all_day {
            format!("{} (all day, {})", due_date(task, at, now), safe_text::line(&task.time_zone))
        } else {
            instant_words(at, now)
        };
        if is_overdue(task, now) {
            due = paint(OVERDUE, &format!("{due}, overdue"));
        }
        lines.push(("due", due));
    }
    if let Some(rule) = &task.recurrence {
        lines.push(("repeats", safe_text::line(rule)));
    }
    if let Some(at) = task.remind_at {
        lines.push(("remind", instant_words(timestamp(at), now)));
    }
    if !task.tags.is_empty() {
        lines.push(("tags", paint(TAG, &task.tags.iter().map(|t| safe_text::line(t)).collect::<Vec<_>>().join(", "))));
    }
    if let Some(next) = task.next_occurrence_id {
        lines.push(("next", format!("task {next}")));
    }
    lines.push(("created", instant_words(timestamp(task.created_at), now)));
    lines.push(("updated", instant_words(timestamp(task.updated_at), now)));
    let mut out = paint(HEADER, &format!("{}  {}", task.id, safe_text::line(&task.title)));
    out.push('\n');
    for (label, value) in lines {
        out.push_str(&format!("  {}  {value}\n", pad(&format!("{label}:"), 9)));
    }
    if let Some(description) = task.description.as_deref().filter(|d| !d.is_empty()) {
        out.push('\n');
        for line in safe_text::block(description).lines() {
            out.push_str(&format!("  {line}\n"));
        }
    }
    out
}

/// What a change did, in one line, with the due date as understood, so a
/// person sees at once how their words were read: `Added 42  Buy milk  (due tomorrow)`.
pub fn task_line(verb: &str, task: &Task, now: &ZonedDateTime) -> String {
    let due = due_words(task, now);
    let due = if due.is_empty() { String::new() } else { format!("  (due {due})") };
    format!("{verb} {}  {}{due}\n", task.id, safe_text::line(&task.title))
}

/// Every tag and its count.
pub fn tag_table(tags: &[TagCount]) -> String {
    if tags.is_empty() {
        return "No tags.\n".to_owned();
    }
    let names: Vec<String> = tags.iter().map(|t| safe_text::line(&t.name)).collect();
    let name_width = names.iter().map(|n| UnicodeWidthStr::width(n.as_str())).max().unwrap_or(0).max(3);
    let count_width = tags.iter().map(|t| t.count.to_string().len()).max().unwrap_or(0).max(5);
    let mut out = paint(HEADER, &format!("{}  {:>count_width$}", pad("TAG", name_width), "TASKS"));
    out.push('\n');
    for (name, tag) in names.iter().zip(tags) {
        out.push_str(&format!("{}  {:>count_width$}\n", paint(TAG, &pad(name, name_width)), tag.count));
    }
    out
}

/// The Inbox and every list in the person's order, with their open tasks.
pub fn list_table(lists: &Lists) -> String {
    let mut rows = vec![(todo_domain::list::INBOX.to_owned(), lists.inbox_open_count, String::new())];
    rows.extend(lists.lists.iter().map(|list| {
        let color = if list.color == todo_domain::Color::None { String::new() } else { list.color.as_str().to_owned() };
        (safe_text::line(&list.name), list.open_count, color)
    }));
    let name_width = rows.iter().map(|(name, ..)| UnicodeWidthStr::width(name.as_str())).max().unwrap_or(0).max(4);
    let count_width = rows.iter().map(|(_, count, _)| count.to_string().len()).max().unwrap_or(0).max(4);
    let mut out = paint(HEADER, &format!("{}  {:>count_width$}  COLOUR", pad("LIST", name_width), "OPEN"));
    out.push('\n');
    for (name, count, color) in rows {
        out.push_str(format!("{}  {count:>count_width$}  {color}", pad(&name, name_width)).trim_end());
        out.push('\n');
    }
    out
}

/// One list's tasks (in the order asked, its own by default) under its name.
pub fn list_tasks(name: &str, tasks: &[Task], now: &ZonedDateTime) -> String {
    format!("{}\n{}", paint(HEADER, &safe_text::line(name)), task_table(tasks, now))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_apis_instants_are_the_same_instants_in_jiff() {
        let at: DateTime<Utc> = "2026-12-24T16:00:00.123456Z".parse().unwrap();
        assert_eq!(timestamp(at).to_string(), "2026-12-24T16:00:00.123456Z");
        let first: DateTime<Utc> = "0001-01-01T00:00:00Z".parse().unwrap();
        assert_eq!(timestamp(first).to_string(), "0001-01-01T00:00:00Z");
        let leap: DateTime<Utc> = "2016-12-31T23:59:60.5Z".parse().unwrap();
        assert_eq!(timestamp(leap).to_string(), "2016-12-31T23:59:59.999999999Z");
    }
}
