//! The table and details as they print, for fixed tasks at a fixed moment, so
//! a change of layout shows in review (`SNAPSHOTS=overwrite` rewrites them).

use jiff::civil::DateTime;
use jiff::ZonedDateTime;
use serde_json::{json, Value};
use snapbox::{assert_data_eq, file};
use todo_cli::output::{list_table, list_tasks, tag_table, task_details, task_line, task_table};
use todo_wire::{Lists, TagCount, Task};

/// Friday 2026-12-04, 10:30 in Berlin.
fn now() -> ZonedDateTime {
    let zone = todo_domain::Zone::parse("Europe/Berlin").unwrap();
    zone.tz().to_zoned_datetime(DateTime::new(2026, 12, 4, 10, 30, 0, 0).unwrap()).unwrap()
}

/// A task as the API answers it: every field, these ones as given.
fn api_task(fields: Value) -> Task {
    let mut task = json!({
        "user_id": "alice", "description": null, "completed": false, "priority": "none", "tags": [],
        "due_at": null, "all_day": false, "time_zone": "UTC", "recurrence": null, "remind_at": null,
        "next_occurrence_id": null, "created_at": "2026-11-30T12:00:00Z", "updated_at": "2026-11-30T12:00:00Z",
        "list_id": null, "position": "80"
    });
    task.as_object_mut().unwrap().extend(fields.as_object().unwrap().clone());
    serde_json::from_value(task).unwrap()
}

fn tasks() -> Vec<Task> {
    let fields = json!([
        {"id": 7, "title": "Team standup", "completed": false, "priority": "high", "tags": ["meetings", "work"],
         "due_at": "2026-12-07T08:00:00Z", "all_day": false, "time_zone": "Europe/Berlin",
         "recurrence": "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "remind_at": "2026-12-07T07:45:00Z"},
        {"id": 12, "title": "Pay rent", "completed": false, "priority": "medium", "tags": [],
         "due_at": "2026-12-02T23:00:00Z", "all_day": true, "time_zone": "Europe/Berlin"},
        {"id": 13, "title": "Buy milk", "completed": false, "priority": "none", "tags": ["errands"],
         "due_at": "2026-12-03T23:00:00Z", "all_day": true, "time_zone": "Europe/Berlin"},
        {"id": 104, "title": "Call mum", "completed": true, "priority": "low", "tags": ["family"],
         "due_at": "2026-12-04T17:00:00Z", "all_day": false, "time_zone": "Europe/Berlin"},
        {"id": 105, "title": "Книга — 読書 📚", "completed": false, "priority": "none", "tags": [],
         "due_at": "2027-01-15T10:00:00Z", "all_day": false, "time_zone": "UTC"},
        {"id": 106, "title": "old row: invoice\u{202e}fdp.exe \u{1b}[2J", "completed": false, "priority": "none",
         "tags": ["tab\tbed"]}
    ]);
    fields.as_array().unwrap().iter().cloned().map(api_task).collect()
}

#[test]
fn the_task_table() {
    let plain = anstream::adapter::strip_str(&task_table(&tasks(), &now())).to_string();
    assert_data_eq!(plain, file!["snapshots/table.txt"].raw());
}

#[test]
fn the_task_table_in_colour() {
    // Colour codes are written always; anstream strips them for pipes and NO_COLOR.
    let coloured = task_table(&tasks()[..4], &now()).replace('\u{1b}', "<ESC>");
    assert_data_eq!(coloured, file!["snapshots/table-colour.txt"].raw());
}

#[test]
fn one_task_in_full() {
    let mut task = tasks().remove(0);
    task.description = Some("Agenda in the doc.\nBring\u{7} notes.".into());
    task.created_at = "2026-12-01T09:00:00Z".parse().unwrap();
    task.updated_at = "2026-12-01T09:05:00Z".parse().unwrap();
    let shown = anstream::adapter::strip_str(&task_details(&task, &now())).to_string();
    assert_data_eq!(shown, file!["snapshots/show.txt"].raw());
}

#[test]
fn the_tag_table() {
    let tags = vec![TagCount { name: "errands".into(), count: 3 }, TagCount { name: "work".into(), count: 12 }];
    let shown = anstream::adapter::strip_str(&tag_table(&tags)).to_string();
    assert_data_eq!(shown, file!["snapshots/tags.txt"].raw());
}

#[test]
fn nothing_to_list() {
    assert_eq!(task_table(&[], &now()), "No tasks.\n");
}

#[test]
fn what_a_change_did_with_the_due_date_as_understood() {
    let tasks = tasks();
    assert_eq!(task_line("Added", &tasks[0], &now()), "Added 7  Team standup  (due Mon 07 Dec 09:00 ↻)\n");
    assert_eq!(task_line("Done", &tasks[2], &now()), "Done 13  Buy milk  (due today)\n");
    assert_eq!(task_line("Deleted", &tasks[5], &now()), "Deleted 106  old row: invoice\\u{202e}fdp.exe \\u{001b}[2J\n");
}

#[test]
fn the_lists() {
    let lists: Lists = serde_json::from_value(json!({
        "inbox_open_count": 4,
        "lists": [
            {"id": 7, "name": "Work", "color": "blue", "position": "80", "open_count": 12,
             "created_at": "2026-12-01T09:00:00Z", "updated_at": "2026-12-01T09:00:00Z"},
            {"id": 9, "name": "Home · 家", "color": "none", "position": "8180", "open_count": 0,
             "created_at": "2026-12-01T09:00:00Z", "updated_at": "2026-12-01T09:00:00Z"},
            {"id": 11, "name": "old row\u{1b}[2J", "color": "grey", "position": "8280", "open_count": 3,
             "created_at": "2026-12-01T09:00:00Z", "updated_at": "2026-12-01T09:00:00Z"}
        ]
    }))
    .unwrap();
    let shown = anstream::adapter::strip_str(&list_table(&lists)).to_string();
    assert_data_eq!(shown, file!["snapshots/lists.txt"].raw());
}

#[test]
fn one_lists_tasks_in_its_own_order() {
    // As `ls --list Work` prints them: the API's order (sort=position), kept.
    let mut work: Vec<Task> = tasks().into_iter().filter(|t| [13, 7, 104].contains(&t.id)).collect();
    work.sort_by_key(|t| [13, 7, 104].iter().position(|id| *id == t.id));
    let shown = anstream::adapter::strip_str(&list_tasks("Work", &work, &now())).to_string();
    assert_data_eq!(shown, file!["snapshots/ls-list.txt"].raw());
}
