//! Property tests: whatever the body, the answer is a stored-exactly success or a
//! 4xx problem document, never a 5xx.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use reqwest::Method;
use serde_json::{json, Map, Value};
use todo_api::tasks::model::Task;

use crate::helpers::{spawn_app, TestApp};

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "\\PC{0,8}",
        "[ \t\n]{0,3}\\PC{195,205}[ \t\n]{0,3}",
        "\\PC{995,1005}",
        Just("\u{0}".to_owned()),
        Just("  ".to_owned()),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("title".to_owned()),
                    Just("description".to_owned()),
                    Just("completed".to_owned()),
                    "\\PC{0,6}"
                ],
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Checks one response: a success must store what was sent; an error must be a 4xx problem.
async fn check(app: &TestApp, response: reqwest::Response, sent: &Value) -> Result<(), TestCaseError> {
    let status = response.status().as_u16();
    prop_assert!(status < 500, "{status} for {sent}");
    if status >= 400 {
        let content_type =
            response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        prop_assert_eq!(content_type, "application/problem+json");
        let problem: Value = response.json().await.unwrap();
        prop_assert_eq!(problem["status"].as_u64(), Some(u64::from(status)));
        return Ok(());
    }
    let task: Task = response.json().await.unwrap();
    if let Some(title) = sent.get("title").and_then(Value::as_str) {
        prop_assert_eq!(&task.title, title.trim());
    }
    if let Some(description) = sent.get("description") {
        prop_assert_eq!(&json!(task.description), description);
    }
    if let Some(completed) = sent.get("completed") {
        prop_assert_eq!(&json!(task.completed), completed);
    }
    let stored: Task = app.get("alice", task.id).await.json().await.unwrap();
    prop_assert_eq!(stored, task);
    Ok(())
}

fn run<S: Strategy>(cases: u32, strategy: S, test: impl Fn(S::Value) -> Result<(), TestCaseError>) {
    let mut runner = TestRunner::new(Config { cases, failure_persistence: None, ..Config::default() });
    runner.run(&strategy, test).unwrap();
}

#[test]
fn any_title_and_description_is_stored_exactly_or_refused() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let app = runtime.block_on(spawn_app());
    run(96, (text(), proptest::option::of(text())), |(title, description)| {
        runtime.block_on(async {
            let body = match &description {
                Some(d) => json!({ "title": title, "description": d }),
                None => json!({ "title": title }),
            };
            let response = app.create("alice", body.clone()).await;
            let valid_title = !title.trim().is_empty() && title.trim().chars().count() <= 200 && !title.contains('\0');
            let valid_description = description.as_ref().is_none_or(|d| d.chars().count() <= 1000 && !d.contains('\0'));
            prop_assert_eq!(response.status().as_u16() == 201, valid_title && valid_description, "{}", body);
            check(&app, response, &body).await
        })
    });
}

#[test]
fn any_json_body_gets_a_success_or_a_4xx_problem() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let app = runtime.block_on(spawn_app());
    let existing = runtime.block_on(app.create_ok("alice", "target"));
    run(128, json_value(), |body| {
        runtime.block_on(async {
            let created = app.create("alice", body.clone()).await;
            check(&app, created, &body).await?;
            for method in [Method::PUT, Method::PATCH] {
                let updated = app.update(method, "alice", existing.id, body.clone()).await;
                check(&app, updated, &body).await?;
            }
            let completed = app.complete("alice", existing.id, Some(body.clone())).await;
            check(&app, completed, &body).await
        })
    });
}

// ---------------------------------------------------------------------------
// Organizing fields: priority, tags, due_at, time_zone, recurrence, remind_at, all_day
// ---------------------------------------------------------------------------

const PRIORITIES: [&str; 4] = ["none", "low", "medium", "high"];
const ZONES: [&str; 8] = [
    "UTC",
    "Europe/Berlin",
    "America/New_York",
    "Asia/Tokyo",
    "Asia/Kolkata",
    "Australia/Adelaide",
    "Pacific/Auckland",
    "America/Argentina/Buenos_Aires",
];
const BAD_ZONES: [&str; 5] = ["Mars/Olympus", "+02:00", "", "Europe/Nowhere", "Berlin"];
const BAD_INSTANTS: [&str; 7] = [
    "tomorrow",
    "2027-03-01",
    "2027-03-01T08:00:00",
    "2027-13-01T08:00:00Z",
    "0000-12-31T00:00:00Z",
    "10000-01-01T00:00:00Z",
    "",
];
/// Rules as sent, and their canonical form.
const RULES: [(&str, &str); 5] = [
    ("FREQ=DAILY", "FREQ=DAILY"),
    ("rrule:freq=weekly;byday=th,mo;interval=1", "FREQ=WEEKLY;BYDAY=MO,TH"),
    ("FREQ=MONTHLY;BYMONTHDAY=31", "FREQ=MONTHLY;BYMONTHDAY=31"),
    ("freq=yearly;count=3;interval=2", "FREQ=YEARLY;INTERVAL=2;COUNT=3"),
    ("FREQ=DAILY;UNTIL=99991231T235959Z", "FREQ=DAILY;UNTIL=99991231T235959Z"),
];
const BAD_RULES: [&str; 6] = [
    "FREQ=HOURLY",
    "FREQ=WEEKLY;BYDAY=XX",
    "FREQ=MONTHLY;BYMONTHDAY=0",
    "FREQ=DAILY;COUNT=3;UNTIL=20301231T000000Z",
    "FREQ=DAILY;BYHOUR=9",
    "",
];
const BAD_TAGS: [&str; 6] = ["", "   ", "a,b", "bell\u{7}", "tab\tin", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"];

fn some_text() -> impl Strategy<Value = Value> {
    prop_oneof!["\\PC{0,12}".prop_map(Value::String), any::<String>().prop_map(Value::String)]
}

fn wrong_type() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<i64>().prop_map(|n| json!(n)),
        any::<bool>().prop_map(Value::Bool),
        Just(json!({ "a": 1 })),
        Just(json!([1]))
    ]
}

fn priority_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => prop::sample::select(PRIORITIES.to_vec()).prop_map(|p| json!(p)),
        1 => prop::sample::select(vec!["urgent", "", "HIGH", "High", " high", "1"]).prop_map(|p| json!(p)),
        1 => some_text(),
        1 => Just(Value::Null),
        1 => wrong_type(),
    ]
}

/// A tag that is surely valid: ASCII letters, digits, spaces, `_` and `-`, padded with spaces.
fn good_tag() -> impl Strategy<Value = String> {
    ("[ ]{0,2}", "[A-Za-z0-9][A-Za-z0-9 _-]{0,30}", "[ ]{0,2}").prop_map(|(a, b, c)| format!("{a}{b}{c}"))
}

fn tag_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => good_tag().prop_map(Value::String),
        2 => prop::sample::select(vec!["home", "Home", "HOME", "work", "Work"]).prop_map(|t| json!(t)),
        1 => prop::sample::select(BAD_TAGS.to_vec()).prop_map(|t| json!(t)),
        1 => some_text(),
        1 => any::<i64>().prop_map(|n| json!(n)),
    ]
}

fn tags_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        6 => prop::collection::vec(tag_value(), 0..6).prop_map(Value::Array),
        2 => prop::collection::vec(good_tag().prop_map(Value::String), 18..24).prop_map(Value::Array),
        1 => Just(Value::Null),
        1 => prop_oneof![Just(json!("home")), wrong_type()],
    ]
}

fn seconds_of(year: i32, month: u32, day: u32) -> i64 {
    chrono::NaiveDate::from_ymd_opt(year, month, day).unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc().timestamp()
}

/// An RFC 3339 instant in years 0002–9998 (so any offset keeps it in 0001–9999), any offset.
fn good_instant() -> impl Strategy<Value = String> {
    let seconds =
        prop_oneof![seconds_of(2, 1, 1)..seconds_of(9998, 12, 31), seconds_of(2020, 1, 1)..seconds_of(2040, 1, 1)];
    let offset_quarters = prop_oneof![Just(0i32), -48i32..=56];
    (seconds, offset_quarters).prop_map(|(seconds, quarters)| {
        let offset = chrono::FixedOffset::east_opt(quarters * 15 * 60).unwrap();
        chrono::DateTime::from_timestamp(seconds, 0)
            .unwrap()
            .with_timezone(&offset)
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    })
}

fn instant_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        5 => good_instant().prop_map(Value::String),
        1 => Just(Value::Null),
        1 => prop::sample::select(BAD_INSTANTS.to_vec()).prop_map(|t| json!(t)),
        1 => some_text(),
        1 => wrong_type(),
    ]
}

fn time_zone_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => (prop::sample::select(ZONES.to_vec()), any::<bool>())
            .prop_map(|(zone, lower)| json!(if lower { zone.to_lowercase() } else { zone.to_owned() })),
        1 => prop::sample::select(BAD_ZONES.to_vec()).prop_map(|z| json!(z)),
        1 => some_text(),
        1 => Just(Value::Null),
        1 => wrong_type(),
    ]
}

fn recurrence_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => prop::sample::select(RULES.to_vec()).prop_map(|(rule, _)| json!(rule)),
        1 => prop::sample::select(BAD_RULES.to_vec()).prop_map(|r| json!(r)),
        1 => some_text(),
        2 => Just(Value::Null),
        1 => wrong_type(),
    ]
}

fn all_day_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => any::<bool>().prop_map(Value::Bool),
        1 => Just(Value::Null),
        1 => Just(json!("true")),
        1 => any::<i64>().prop_map(|n| json!(n)),
    ]
}

/// What the contract says of one value: surely accepted, surely refused, or not pinned down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Good,
    Bad,
    Unsure,
}

/// `null` for a field that must not be null: refused on update, not pinned down on create.
fn non_null(update: bool) -> Verdict {
    if update {
        Verdict::Bad
    } else {
        Verdict::Unsure
    }
}

fn judge_priority(value: &Value, update: bool) -> Verdict {
    match value {
        Value::String(p) if PRIORITIES.contains(&p.as_str()) => Verdict::Good,
        Value::String(p) if PRIORITIES.contains(&p.trim().to_lowercase().as_str()) => Verdict::Unsure,
        Value::String(_) => Verdict::Bad,
        Value::Null => non_null(update),
        _ => Verdict::Bad,
    }
}

fn judge_tag(tag: &str) -> Verdict {
    let trimmed = tag.trim();
    let chars = trimmed.chars().count();
    if tag.chars().all(|c| c.is_ascii_whitespace())
        || tag.contains(',')
        || trimmed.chars().any(char::is_control)
        || chars > 32
    {
        Verdict::Bad
    } else if tag.trim_matches(' ') == trimmed
        && trimmed.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | '_' | '-'))
    {
        Verdict::Good
    } else {
        Verdict::Unsure
    }
}

fn judge_tags(value: &Value, update: bool) -> Verdict {
    match value {
        Value::Array(tags) => {
            let mut verdict = Verdict::Good;
            let mut distinct_good = std::collections::HashSet::new();
            for tag in tags {
                match tag.as_str().map(judge_tag) {
                    None | Some(Verdict::Bad) => return Verdict::Bad,
                    Some(Verdict::Unsure) => verdict = Verdict::Unsure,
                    Some(Verdict::Good) => {
                        distinct_good.insert(tag.as_str().unwrap().trim().to_lowercase());
                    }
                }
            }
            if distinct_good.len() > 20 {
                Verdict::Bad
            } else {
                verdict
            }
        }
        Value::Null => non_null(update),
        _ => Verdict::Bad,
    }
}

/// An instant as `good_instant` makes them: strict RFC 3339, years 0002–9998.
fn is_good_instant(text: &str) -> bool {
    let year = text.get(..4).and_then(|y| y.parse::<i32>().ok());
    chrono::DateTime::parse_from_rfc3339(text).is_ok()
        && text.as_bytes().get(10) == Some(&b'T')
        && (20..=25).contains(&text.len())
        && year.is_some_and(|y| (2..=9998).contains(&y))
}

fn judge_instant(value: &Value) -> Verdict {
    match value {
        Value::String(t) if is_good_instant(t) => Verdict::Good,
        Value::String(t) if BAD_INSTANTS.contains(&t.as_str()) => Verdict::Bad,
        Value::String(_) => Verdict::Unsure,
        Value::Null => Verdict::Good,
        _ => Verdict::Bad,
    }
}

fn canonical_zone(text: &str) -> Option<&'static str> {
    ZONES.iter().copied().find(|z| z.eq_ignore_ascii_case(text))
}

fn judge_time_zone(value: &Value, update: bool) -> Verdict {
    match value {
        Value::String(z) if canonical_zone(z).is_some() => Verdict::Good,
        Value::String(z) if BAD_ZONES.contains(&z.as_str()) => Verdict::Bad,
        Value::String(_) => Verdict::Unsure,
        Value::Null => non_null(update),
        _ => Verdict::Bad,
    }
}

fn canonical_rule(text: &str) -> Option<&'static str> {
    RULES.iter().find(|(sent, _)| *sent == text).map(|(_, canonical)| *canonical)
}

fn judge_recurrence(value: &Value) -> Verdict {
    match value {
        Value::String(r) if canonical_rule(r).is_some() => Verdict::Good,
        Value::String(r) if BAD_RULES.contains(&r.as_str()) => Verdict::Bad,
        Value::String(_) => Verdict::Unsure,
        Value::Null => Verdict::Good,
        _ => Verdict::Bad,
    }
}

fn judge_all_day(value: &Value, update: bool) -> Verdict {
    match value {
        Value::Bool(_) => Verdict::Good,
        Value::Null => non_null(update),
        _ => Verdict::Bad,
    }
}

/// The verdict on a whole body, sent to create a task or to update one that has no due date.
fn judge(body: &Value, update: bool) -> Verdict {
    let field = |name: &str| body.get(name);
    let mut verdicts = Vec::new();
    let mut judge_field = |name: &str, judge: &dyn Fn(&Value) -> Verdict| {
        if let Some(value) = field(name) {
            verdicts.push(judge(value));
        }
    };
    judge_field("priority", &|v| judge_priority(v, update));
    judge_field("tags", &|v| judge_tags(v, update));
    judge_field("due_at", &judge_instant);
    judge_field("remind_at", &judge_instant);
    judge_field("time_zone", &|v| judge_time_zone(v, update));
    judge_field("recurrence", &judge_recurrence);
    judge_field("all_day", &|v| judge_all_day(v, update));

    let due = field("due_at").and_then(Value::as_str);
    if field("recurrence").is_some_and(|r| !r.is_null()) && due.is_none() {
        verdicts.push(Verdict::Bad);
    }
    if let Some(remind) = field("remind_at").and_then(Value::as_str) {
        // A reminder without a due date, or after it: the contract does not pin it down.
        let after_due = due.zip(Some(remind)).is_some_and(|(d, r)| {
            match (chrono::DateTime::parse_from_rfc3339(d), chrono::DateTime::parse_from_rfc3339(r)) {
                (Ok(d), Ok(r)) => r > d,
                _ => false,
            }
        });
        if due.is_none() || after_due {
            verdicts.push(Verdict::Unsure);
        }
    }
    if field("all_day") == Some(&Value::Bool(true)) && due.is_none() {
        verdicts.push(Verdict::Unsure);
    }
    if verdicts.contains(&Verdict::Bad) {
        Verdict::Bad
    } else if verdicts.contains(&Verdict::Unsure) {
        Verdict::Unsure
    } else {
        Verdict::Good
    }
}

/// Tags as the contract stores them: trimmed, unique ignoring case (first spelling kept).
fn normalised_tags(sent: &[Value]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    let mut tags = Vec::new();
    for tag in sent {
        let tag = tag.as_str().unwrap().trim();
        if seen.insert(tag.to_lowercase()) {
            tags.push(tag.to_owned());
        }
    }
    tags.sort_by_key(|t| t.to_lowercase());
    tags
}

fn utc_instant(value: &Value) -> Option<chrono::DateTime<chrono::Utc>> {
    value.as_str().and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok()).map(|t| t.with_timezone(&chrono::Utc))
}

/// Checks a successful answer to `sent` against the contract, then that GET returns the same.
async fn check_organized(app: &TestApp, task: &Value, sent: &Value) -> Result<(), TestCaseError> {
    for key in ["priority", "tags", "due_at", "all_day", "time_zone", "recurrence", "remind_at", "next_occurrence_id"] {
        prop_assert!(task.get(key).is_some(), "{} missing in {}", key, task);
    }
    prop_assert_eq!(&task["title"], "x");
    prop_assert_eq!(&task["completed"], false);
    prop_assert_eq!(&task["next_occurrence_id"], &Value::Null);

    match sent.get("priority") {
        Some(Value::String(p)) => prop_assert_eq!(task["priority"].as_str(), Some(p.as_str())),
        None => prop_assert_eq!(&task["priority"], "none"),
        Some(_) => prop_assert!(task["priority"].as_str().is_some_and(|p| PRIORITIES.contains(&p)), "{}", task),
    }

    match sent.get("tags") {
        Some(Value::Array(tags)) if tags.iter().all(Value::is_string) => {
            let expected = normalised_tags(tags);
            let stored: Vec<String> =
                task["tags"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_owned()).collect();
            let mut expected_set = expected.clone();
            let mut stored_set = stored.clone();
            expected_set.sort();
            stored_set.sort();
            prop_assert_eq!(&stored_set, &expected_set, "tags of {}", sent);
            if expected.iter().all(|t| t.is_ascii()) {
                prop_assert_eq!(&stored, &expected, "tags sorted ignoring case, for {}", sent);
            }
        }
        None => prop_assert_eq!(&task["tags"], &json!([])),
        Some(_) => prop_assert!(task["tags"].is_array()),
    }

    for key in ["due_at", "remind_at"] {
        let returned = &task[key];
        if let Some(text) = returned.as_str() {
            prop_assert!(text.ends_with('Z'), "{} returned in UTC: {}", key, text);
        }
        match sent.get(key) {
            Some(Value::String(_)) if key == "due_at" && task["all_day"] == true => {
                prop_assert!(returned.is_string(), "{}", task);
            }
            Some(sent_value @ Value::String(_)) => {
                prop_assert!(utc_instant(returned).is_some(), "{} of {}", key, task);
                prop_assert_eq!(utc_instant(returned), utc_instant(sent_value), "{} of {}", key, sent);
            }
            None | Some(Value::Null) => prop_assert_eq!(returned, &Value::Null, "{}", key),
            Some(_) => {}
        }
    }

    match sent.get("time_zone") {
        Some(Value::String(z)) => match canonical_zone(z) {
            Some(canonical) => prop_assert_eq!(&task["time_zone"], canonical),
            None => prop_assert!(task["time_zone"].is_string()),
        },
        None => prop_assert_eq!(&task["time_zone"], "UTC"),
        Some(_) => prop_assert!(task["time_zone"].is_string()),
    }

    match sent.get("recurrence") {
        Some(Value::String(r)) => match canonical_rule(r) {
            Some(canonical) => prop_assert_eq!(&task["recurrence"], canonical),
            None => {
                let stored = task["recurrence"].as_str().unwrap_or_default();
                prop_assert_eq!(stored.to_uppercase(), stored, "canonical rules are upper case");
            }
        },
        None | Some(Value::Null) => prop_assert_eq!(&task["recurrence"], &Value::Null),
        Some(_) => {}
    }

    match sent.get("all_day") {
        Some(Value::Bool(b)) => prop_assert_eq!(&task["all_day"], b),
        None => prop_assert_eq!(&task["all_day"], false),
        Some(_) => prop_assert!(task["all_day"].is_boolean()),
    }

    let id = task["id"].as_i64().unwrap();
    let stored: Value = app.get("alice", id).await.json().await.unwrap();
    prop_assert_eq!(&stored, task, "GET returns what the write returned");
    Ok(())
}

/// Checks one answer to an organizing body: success as `judge` allows and stored as the
/// contract says, or a 4xx problem; never a 5xx.
async fn check_organizing_answer(
    app: &TestApp,
    response: reqwest::Response,
    sent: &Value,
    update: bool,
) -> Result<bool, TestCaseError> {
    let status = response.status().as_u16();
    let success = if update { 200 } else { 201 };
    prop_assert!(status < 500, "{} for {}", status, sent);
    match judge(sent, update) {
        Verdict::Good => prop_assert_eq!(status, success, "{} should be accepted (update: {})", sent, update),
        Verdict::Bad => prop_assert_eq!(status, 422, "{} should be refused (update: {})", sent, update),
        Verdict::Unsure => prop_assert!(status == success || (400..500).contains(&status), "{} for {}", status, sent),
    }
    if status >= 400 {
        let content_type =
            response.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        prop_assert_eq!(content_type, "application/problem+json");
        let problem: Value = response.json().await.unwrap();
        prop_assert_eq!(problem["status"].as_u64(), Some(u64::from(status)));
        if status == 422 {
            prop_assert!(problem["errors"].as_array().is_some_and(|e| !e.is_empty()), "{}", problem);
        }
        return Ok(false);
    }
    let task: Value = response.json().await.unwrap();
    check_organized(app, &task, sent).await?;
    Ok(true)
}

fn organizing_body() -> impl Strategy<Value = Value> {
    use proptest::option::of;
    (
        of(priority_value()),
        of(tags_value()),
        of(instant_value()),
        of(time_zone_value()),
        of(recurrence_value()),
        of(instant_value()),
        of(all_day_value()),
    )
        .prop_map(|(priority, tags, due_at, time_zone, recurrence, remind_at, all_day)| {
            let mut body = Map::new();
            body.insert("title".into(), json!("x"));
            for (key, value) in [
                ("priority", priority),
                ("tags", tags),
                ("due_at", due_at),
                ("time_zone", time_zone),
                ("recurrence", recurrence),
                ("remind_at", remind_at),
                ("all_day", all_day),
            ] {
                if let Some(value) = value {
                    body.insert(key.into(), value);
                }
            }
            Value::Object(body)
        })
}

#[test]
fn any_organizing_fields_are_stored_as_the_contract_says_or_refused() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let app = runtime.block_on(spawn_app());
    run(48, organizing_body(), |body| {
        runtime.block_on(async {
            let created = app.create("alice", body.clone()).await;
            check_organizing_answer(&app, created, &body, false).await?;

            let target = app.create("alice", json!({ "title": "x" })).await;
            prop_assert_eq!(target.status().as_u16(), 201);
            let target: Value = target.json().await.unwrap();
            let id = target["id"].as_i64().unwrap();
            let updated = app.update(Method::PATCH, "alice", id, body.clone()).await;
            if !check_organizing_answer(&app, updated, &body, true).await? {
                let stored: Value = app.get("alice", id).await.json().await.unwrap();
                prop_assert_eq!(stored, target, "a refused update changes nothing");
            }
            Ok(())
        })
    });
}
