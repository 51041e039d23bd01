//! `todo`: Todo's tasks from a terminal. `main.rs` only calls [`run`]; every
//! part lives here so it can be tested: the command line ([`args`]), sign-in
//! ([`session`]), the task API ([`api`]), and what is printed ([`output`]).

pub mod api;
pub mod args;
pub mod config;
pub mod credentials;
pub mod dates;
pub mod error;
pub mod every;
pub mod lists;
pub mod output;
pub mod safe_text;
pub mod session;

use std::ffi::OsString;
use std::io::Write;
use std::time::Duration;

use clap::{CommandFactory, Parser};
use jiff::ZonedDateTime;
use reqwest::blocking::Client;
use reqwest::Method;
use serde_json::{json, Value};
use todo_domain::{Tags, Title, Zone};
use todo_wire::{
    CreateTaskRequest, ListFilter, SetCompletedRequest, SortKey, SortOrder, StatusFilter, TagCount, Task,
    UpdateTaskRequest,
};
use url::Url;

use crate::api::Api;
use crate::args::{AddArgs, Cli, ColorWhen, Command, EditArgs, Global, LsArgs, Shell, SortArg};
use crate::config::{parse_base_url, ConfigFile, DEFAULT_API_URL, DEFAULT_WEB_URL};
use crate::credentials::Credentials;
use crate::error::CliError;
use crate::lists::{find_list, list_filter};
use crate::session::Session;

/// Runs `todo` with these arguments (the first is the program's name) and
/// returns the exit code: 0 done, 1 failed, 2 usage, 3 signed out.
pub fn run<I, T>(args: I) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(error) => {
            // --help and --version land here too, with exit code 0.
            let _ = error.print();
            return error.exit_code();
        }
    };
    anstream::ColorChoice::write_global(match cli.global.color {
        ColorWhen::Auto => anstream::ColorChoice::Auto,
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
    });
    match execute(cli) {
        Ok(()) => 0,
        Err(error) => {
            let _ = writeln!(anstream::stderr(), "{error}");
            i32::from(error.exit_code())
        }
    }
}

fn execute(cli: Cli) -> Result<(), CliError> {
    let Cli { global, command } = cli;
    match command {
        Command::Completions { shell } => completions(shell),
        Command::Login { no_browser } => login(&global, no_browser),
        Command::Logout => logout(&global),
        Command::Whoami => whoami(&global),
        Command::Add(args) => add(&global, args),
        Command::Ls(args) => ls(&global, args),
        Command::Show { id } => {
            let mut api = connect(&global)?;
            let url = task_url(&mut api, id, "")?;
            let task = api.get(url)?;
            print_task(&global, task, output::task_details)
        }
        Command::Edit(args) => edit(&global, args),
        Command::Done { ids } => complete(&global, &ids, true),
        Command::Undo { ids } => complete(&global, &ids, false),
        Command::Rm { ids } => remove(&global, &ids),
        Command::Tags => tags(&global),
        Command::Lists(args) => lists::lists(&global, args),
        Command::Mv(args) => lists::move_task(&global, args),
    }
}

fn completions(asked: Shell) -> Result<(), CliError> {
    let shell = match asked {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    // Into memory first: clap_complete panics on a closed pipe, `print` does not.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "todo", &mut script);
    print(&lists::complete_list_names(asked, &String::from_utf8_lossy(&script)))
}

fn http_client() -> Result<Client, CliError> {
    Client::builder()
        // The web app's Sessions page names the session by it (web/src/lib/server/device-label.ts).
        .user_agent(format!("todo-cli/{} ({})", env!("CARGO_PKG_VERSION"), std::env::consts::OS))
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|_| CliError::failed("Cannot set up HTTPS on this machine."))
}

pub(crate) fn print(text: &str) -> Result<(), CliError> {
    let mut out = anstream::stdout();
    // A closed pipe (`todo ls | head`) is not a failure of the command.
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(error) if error.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(CliError::failed(format!("Cannot write the output: {error}.")))
        }
        _ => Ok(()),
    }
}

fn eprint(text: &str) {
    let _ = anstream::stderr().write_all(text.as_bytes());
}

/// JSON for scripts, exactly the API's values, with the characters that could
/// rewrite a terminal (DEL, C1 controls, bidirectional controls) written as
/// `\u` escapes, which every JSON reader reads back as the same text.
pub(crate) fn print_json(value: &Value) -> Result<(), CliError> {
    print(&safe_json(value))
}

fn safe_json(value: &Value) -> String {
    let text = serde_json::to_string_pretty(value).expect("JSON values serialize");
    let mut safe = String::with_capacity(text.len() + 1);
    for c in text.chars() {
        // serde_json escapes C0 controls inside strings; outside them only
        // newlines and spaces occur, which must stay as they are.
        if safe_text::is_unsafe(c) && !c.is_ascii_whitespace() {
            safe.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            safe.push(c);
        }
    }
    safe.push('\n');
    safe
}

pub(crate) fn print_task(
    global: &Global,
    task: Value,
    render: impl Fn(&Task, &ZonedDateTime) -> String,
) -> Result<(), CliError> {
    if global.json {
        return print_json(&task);
    }
    let parsed = read_task(task)?;
    print(&render(&parsed, &now()))
}

pub(crate) fn read_task(value: Value) -> Result<Task, CliError> {
    serde_json::from_value(value).map_err(|_| CliError::failed("The task service's task cannot be read."))
}

pub(crate) fn now() -> ZonedDateTime {
    jiff::Timestamp::now().to_zoned_datetime(dates::local_zone().tz().clone())
}

/// Which servers a command talks to (see [`config`] for the order).
fn servers(global: &Global, config: &ConfigFile, saved: Option<&Credentials>) -> Result<(Url, Url), CliError> {
    let web = match (&global.server, saved, &config.web_url) {
        (Some(url), _, _) => parse_base_url(url, "--server")?,
        (None, Some(saved), _) => parse_base_url(&saved.web_url, "The saved web app's address")?,
        (None, None, Some(url)) => parse_base_url(url, "web_url in config.toml")?,
        (None, None, None) => parse_base_url(DEFAULT_WEB_URL, "The default web app")?,
    };
    let api = match (&global.api_url, saved, &config.api_url) {
        (Some(url), _, _) => parse_base_url(url, "--api-url")?,
        (None, Some(saved), _) => parse_base_url(&saved.api_url, "The saved API address")?,
        (None, None, Some(url)) => parse_base_url(url, "api_url in config.toml")?,
        (None, None, None) => parse_base_url(DEFAULT_API_URL, "The default API")?,
    };
    config::check_transport(&web, "The web app's address", global.allow_http)?;
    config::check_transport(&api, "The task API's address", global.allow_http)?;
    Ok((web, api))
}

/// The session and the API for a command that needs them.
pub(crate) fn connect(global: &Global) -> Result<Api, CliError> {
    let dir = config::config_dir()?;
    let http = http_client()?;
    let session = Session::load(dir.clone(), http.clone())?;
    let config = ConfigFile::load(&dir)?;
    let (web, api) = servers(global, &config, Some(session.credentials()))?;
    if web.as_str() != parse_base_url(&session.credentials().web_url, "The saved web app's address")?.as_str() {
        return Err(CliError::usage(format!(
            "You are signed in to {}, not {web}. Run `todo login --server {web}` first.",
            session.credentials().web_url
        )));
    }
    config::check_api_is_the_sessions(&api, &session.credentials().api_url)?;
    Ok(Api::new(http, api, session))
}

fn login(global: &Global, no_browser: bool) -> Result<(), CliError> {
    let dir = config::config_dir()?;
    let config = ConfigFile::load(&dir)?;
    // A damaged or too-open file must not stop a fresh sign-in, which replaces it.
    let saved = credentials::load(&dir).ok().flatten();
    let (web, api) = servers(global, &config, saved.as_ref())?;
    let http = http_client()?;
    let code = session::request_device_code(&http, &web)?;
    let link = code.verification_uri_complete.clone().unwrap_or_else(|| code.verification_uri.clone());
    let shown = session::format_user_code(&code.user_code);
    eprint(&format!("To sign in, open this link and approve the code {shown}:\n  {}\n", safe_text::line(&link)));
    if !no_browser && webbrowser::open(&link).is_err() {
        eprint("(Could not open a browser here: open the link yourself, on any device.)\n");
    }
    eprint("Waiting for approval… (Ctrl-C to stop)\n");
    let session_token = session::poll_for_session(&http, &web, &code)?;
    let credentials =
        Credentials { web_url: web.to_string(), api_url: api.to_string(), session_token, access_token: None };
    let mut session = Session::new(dir.clone(), http, credentials);
    let account = session.account()?;
    session.save()?;
    // Fetches and keeps the first access token: proves the session works for the API too.
    session.renew_access_token()?;
    if let Some(old) = saved.filter(|old| old.session_token != session.credentials().session_token) {
        // The session this one replaces is ended, not left valid until it expires.
        let _ = Session::new(dir, http_client()?, old).sign_out();
    }
    eprint(&format!("Signed in as {}.\n", account_words(&account)));
    Ok(())
}

fn account_words(account: &session::Account) -> String {
    let email = safe_text::line(&account.email);
    if account.name.is_empty() {
        email
    } else {
        format!("{} <{email}>", safe_text::line(&account.name))
    }
}

fn logout(global: &Global) -> Result<(), CliError> {
    let dir = config::config_dir()?;
    let session = match Session::load(dir.clone(), http_client()?) {
        Ok(session) => session,
        Err(CliError::SignedOut) => {
            eprint("You were not signed in.\n");
            return Ok(());
        }
        // A file we refuse to read is still ours to delete.
        Err(error) => {
            Session::forget(&dir)?;
            return Err(error);
        }
    };
    let ended = session.sign_out();
    Session::forget(&dir)?;
    match ended {
        Ok(()) => {
            if !global.json {
                eprint("Signed out.\n");
            }
            Ok(())
        }
        Err(error) => Err(CliError::failed(format!(
            "Signed out on this machine, but the session could not be ended on the server: {error} \
             It ends by itself when it expires."
        ))),
    }
}

fn whoami(global: &Global) -> Result<(), CliError> {
    let dir = config::config_dir()?;
    let session = Session::load(dir, http_client()?)?;
    let account = session.account()?;
    let credentials = session.credentials();
    if global.json {
        return print_json(&json!({
            "id": account.id,
            "email": account.email,
            "email_verified": account.email_verified,
            "name": account.name,
            "web_url": credentials.web_url,
            "api_url": credentials.api_url,
        }));
    }
    let address = if account.email_verified {
        "confirmed"
    } else {
        "not confirmed (open the link mailed to it, or send it again from the web app's Account page)"
    };
    print(&format!(
        "{}\n  address:   {address}\n  web app:   {}\n  task API:  {}\n",
        account_words(&account),
        safe_text::line(&credentials.web_url),
        safe_text::line(&credentials.api_url)
    ))
}

pub(crate) fn task_url(api: &mut Api, id: u64, rest: &str) -> Result<Url, CliError> {
    api.user_url(&format!("/tasks/{id}{rest}"))
}

fn checked_tags(tags: &[String]) -> Result<Vec<String>, CliError> {
    Tags::parse(tags).map(|tags| tags.names()).map_err(|errors| {
        let (index, why) = &errors[0];
        CliError::usage(match index {
            Some(i) => format!("The tag {:?} {why}.", safe_text::line(&tags[*i])),
            None => format!("A task takes {why}."),
        })
    })
}

/// A due date as the API takes it: the instant, whether only its date counts,
/// and the zone it was meant in.
struct DueFields {
    due_at: String,
    all_day: bool,
    time_zone: String,
}

fn due_fields(words: &str, now: &ZonedDateTime) -> Result<DueFields, CliError> {
    let when = dates::parse_when(words, now)?;
    Ok(DueFields {
        due_at: when.at.to_string(),
        all_day: when.all_day,
        time_zone: dates::local_zone().name().to_owned(),
    })
}

fn checked_title(title: &str) -> Result<String, CliError> {
    Title::parse(title).map_err(|why| CliError::usage(format!("The title {why}.")))?;
    Ok(title.trim().to_owned())
}

fn add(global: &Global, args: AddArgs) -> Result<(), CliError> {
    let now = now();
    let mut body = CreateTaskRequest {
        title: checked_title(&args.title.join(" "))?,
        description: args.description,
        priority: args.priority.map(|priority| priority.as_str().to_owned()),
        ..CreateTaskRequest::default()
    };
    if !args.tags.is_empty() {
        body.tags = Some(checked_tags(&args.tags)?);
    }
    if let Some(words) = &args.due {
        let due = due_fields(words, &now)?;
        body.due_at = Some(due.due_at);
        body.all_day = Some(due.all_day);
        body.time_zone = Some(due.time_zone);
    }
    if let Some(words) = &args.remind {
        body.remind_at = Some(dates::parse_reminder(words, &now)?.to_string());
    }
    // A rule without --due is the API's to refuse (a repeating task needs a due date).
    if let Some(words) = &args.every {
        body.recurrence = Some(every::parse_every(words)?.to_string());
    }
    let mut api = connect(global)?;
    if let Some(name) = &args.list {
        body.list_id = find_list(&mut api, name)?.map(|list| list.id);
    }
    let url = api.user_url("/tasks")?;
    let task = api.send_json(Method::POST, url, &body)?;
    print_task(global, task, |task, now| output::task_line("Added", task, now))
}

/// `none` (and its synonyms) clears a nullable field; other words are read by `read`.
fn nullable_words<T>(
    words: Option<&str>,
    read: impl FnOnce(&str) -> Result<T, CliError>,
) -> Result<Option<Option<T>>, CliError> {
    match words {
        None => Ok(None),
        Some(words) if dates::is_none_word(words) => Ok(Some(None)),
        Some(words) => read(words).map(|value| Some(Some(value))),
    }
}

fn edit(global: &Global, args: EditArgs) -> Result<(), CliError> {
    let now = now();
    let mut body = UpdateTaskRequest {
        title: args.title.as_deref().map(checked_title).transpose()?,
        description: args.description.map(|description| Some(description).filter(|d| !d.is_empty())),
        priority: args.priority.map(|priority| priority.as_str().to_owned()),
        remind_at: nullable_words(args.remind.as_deref(), |words| {
            dates::parse_reminder(words, &now).map(|at| at.to_string())
        })?,
        recurrence: nullable_words(args.every.as_deref(), |words| every::parse_every(words).map(|r| r.to_string()))?,
        ..UpdateTaskRequest::default()
    };
    if args.no_tags {
        body.tags = Some(vec![]);
    } else if !args.tags.is_empty() {
        body.tags = Some(checked_tags(&args.tags)?);
    }
    match nullable_words(args.due.as_deref(), |words| due_fields(words, &now))? {
        None => {}
        Some(None) => body.due_at = Some(None),
        Some(Some(due)) => {
            body.due_at = Some(Some(due.due_at));
            body.all_day = Some(due.all_day);
            body.time_zone = Some(due.time_zone);
        }
    }
    if body == UpdateTaskRequest::default() && args.list.is_none() {
        return Err(CliError::usage(
            "Nothing to change: give at least one of --title, --description, --priority, --tag, --no-tags, --due, --remind, --every, --list.",
        ));
    }
    let mut api = connect(global)?;
    if let Some(name) = &args.list {
        body.list_id = Some(find_list(&mut api, name)?.map(|list| list.id));
    }
    let url = task_url(&mut api, args.id, "")?;
    let task = api.send_json(Method::PATCH, url, &body)?;
    print_task(global, task, |task, now| output::task_line("Changed", task, now))
}

fn complete(global: &Global, ids: &[u64], completed: bool) -> Result<(), CliError> {
    let mut api = connect(global)?;
    let mut answers = Vec::new();
    for &id in ids {
        let url = task_url(&mut api, id, "/complete")?;
        let task = api.send_json(Method::PATCH, url, &SetCompletedRequest { completed })?;
        if !global.json {
            let parsed = read_task(task.clone())?;
            let mut line = output::task_line(if completed { "Done" } else { "Reopened" }, &parsed, &now());
            if let (true, Some(next)) = (completed, parsed.next_occurrence_id) {
                let url = task_url(&mut api, next.unsigned_abs(), "")?;
                let next_task = read_task(api.get(url)?)?;
                let due = output::due_words(&next_task, &now());
                line.push_str(&format!(
                    "  next: {next}{}\n",
                    if due.is_empty() { String::new() } else { format!(", due {due}") }
                ));
            }
            print(&line)?;
        }
        answers.push(task);
    }
    if global.json {
        return print_json(&one_or_array(answers));
    }
    Ok(())
}

fn one_or_array(mut values: Vec<Value>) -> Value {
    if values.len() == 1 {
        values.remove(0)
    } else {
        Value::Array(values)
    }
}

fn remove(global: &Global, ids: &[u64]) -> Result<(), CliError> {
    let mut api = connect(global)?;
    for &id in ids {
        let url = task_url(&mut api, id, "")?;
        api.empty(Method::DELETE, url)?;
        if !global.json {
            print(&format!("Deleted {id}\n"))?;
        }
    }
    Ok(())
}

fn tags(global: &Global) -> Result<(), CliError> {
    let mut api = connect(global)?;
    let url = api.user_url("/tags")?;
    let answer = api.get(url)?;
    if global.json {
        return print_json(&answer);
    }
    let tags: Vec<TagCount> =
        serde_json::from_value(answer).map_err(|_| CliError::failed("The task service's tags cannot be read."))?;
    print(&output::tag_table(&tags))
}

/// The list query for `ls`: the web app's views as the API's filters. A view
/// is computed by the API in the person's zone (`tz`), never here.
pub fn list_query(args: &LsArgs, list: Option<ListFilter>, zone: &Zone) -> Vec<(&'static str, String)> {
    let status = if args.done {
        StatusFilter::Completed
    } else if args.all {
        StatusFilter::All
    } else {
        StatusFilter::Pending
    };
    let mut query = vec![("status", status.as_str().to_owned())];
    if let Some(view) = args.view() {
        query.push(("view", view.as_str().to_owned()));
        query.push(("tz", zone.name().to_owned()));
    }
    for tag in &args.tags {
        query.push(("tag", tag.clone()));
    }
    for priority in &args.priorities {
        query.push(("priority", priority.as_str().to_owned()));
    }
    if let Some(text) = &args.query {
        query.push(("q", text.clone()));
    }
    if let Some(list) = list {
        query.push(("list", list.to_string()));
    }
    // A list reads in its own order; everything else by due date, as before.
    let default_sort = if list.is_some() { SortArg::Manual } else { SortArg::Due };
    let (sort, order) = match args.sort.unwrap_or(default_sort) {
        SortArg::Manual if list.is_some() => (SortKey::Position, SortOrder::Asc),
        // Only a list has an order of its own; across lists, by due date.
        SortArg::Manual => (SortKey::DueAt, SortOrder::Asc),
        SortArg::Due => (SortKey::DueAt, SortOrder::Asc),
        SortArg::Priority => (SortKey::Priority, SortOrder::Desc),
        SortArg::Created => (SortKey::CreatedAt, SortOrder::Desc),
        SortArg::Updated => (SortKey::UpdatedAt, SortOrder::Desc),
        SortArg::Title => (SortKey::Title, SortOrder::Asc),
    };
    let order = if args.reverse { order.reversed() } else { order };
    query.push(("sort", sort.as_str().to_owned()));
    query.push(("order", order.as_str().to_owned()));
    query.push(("limit", "200".to_owned()));
    query
}

fn ls(global: &Global, args: LsArgs) -> Result<(), CliError> {
    let mut api = connect(global)?;
    let list = match &args.list {
        Some(name) => Some(find_list(&mut api, name)?),
        None => None,
    };
    let mut url = api.user_url("/tasks")?;
    url.query_pairs_mut().extend_pairs(list_query(&args, list.as_ref().map(list_filter), &dates::local_zone()));
    let items = api.all_pages(url)?;
    if global.json {
        return print_json(&Value::Array(items));
    }
    let tasks = items.into_iter().map(read_task).collect::<Result<Vec<Task>, _>>()?;
    match list {
        Some(list) => {
            print(&output::list_tasks(list.as_ref().map_or(todo_domain::list::INBOX, |l| &l.name), &tasks, &now()))
        }
        None => print(&output::task_table(&tasks, &now())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ls_args(args: &[&str]) -> LsArgs {
        let mut argv = vec!["todo", "ls"];
        argv.extend_from_slice(args);
        match Cli::try_parse_from(argv).unwrap().command {
            Command::Ls(args) => args,
            _ => unreachable!(),
        }
    }

    fn query(args: &[&str]) -> Vec<String> {
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        list_query(&ls_args(args), None, &berlin).into_iter().map(|(k, v)| format!("{k}={v}")).collect()
    }

    #[test]
    fn each_view_flag_asks_the_api_for_that_view_in_the_local_zone() {
        for (flag, view) in
            [("--today", "today"), ("--upcoming", "upcoming"), ("--overdue", "overdue"), ("--no-date", "no_date")]
        {
            assert_eq!(
                query(&[flag]),
                [
                    "status=pending",
                    &format!("view={view}"),
                    "tz=Europe/Berlin",
                    "sort=due_at",
                    "order=asc",
                    "limit=200"
                ],
                "{flag}"
            );
        }
        assert_eq!(query(&["--upcoming", "--all"])[..3], ["status=all", "view=upcoming", "tz=Europe/Berlin"]);
    }

    #[test]
    fn ls_without_a_view_sends_no_window_of_its_own() {
        assert_eq!(query(&[]), ["status=pending", "sort=due_at", "order=asc", "limit=200"]);
        assert_eq!(
            query(&[
                "--done", "-t", "work", "-t", "home", "-p", "high", "-p", "medium", "-q", "milk", "--sort", "priority",
                "-r"
            ]),
            [
                "status=completed",
                "tag=work",
                "tag=home",
                "priority=high",
                "priority=medium",
                "q=milk",
                "sort=priority",
                "order=asc",
                "limit=200"
            ]
        );
        let sent: Vec<String> = [&["--today"][..], &["--overdue"], &[]].iter().flat_map(|args| query(args)).collect();
        assert!(!sent.iter().any(|pair| pair.starts_with("due_")), "views are the API's: {sent:?}");
    }

    #[test]
    fn ls_of_a_list_reads_it_in_its_own_order_unless_told_otherwise() {
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        let sent = |args: &[&str], list| -> Vec<String> {
            list_query(&ls_args(args), Some(list), &berlin).into_iter().map(|(k, v)| format!("{k}={v}")).collect()
        };
        assert_eq!(
            sent(&[], ListFilter::List(7)),
            ["status=pending", "list=7", "sort=position", "order=asc", "limit=200"]
        );
        assert_eq!(sent(&["-r"], ListFilter::Inbox)[1..4], ["list=inbox", "sort=position", "order=desc"]);
        assert_eq!(sent(&["--sort", "due"], ListFilter::Inbox)[2..4], ["sort=due_at", "order=asc"]);
        assert_eq!(query(&["--sort", "manual"])[1..3], ["sort=due_at", "order=asc"], "no list, no order of its own");
    }

    #[test]
    fn the_command_line_is_consistent_and_lists_parse() {
        // clap's own checks (a flag named twice, say a subcommand's --color beside the global one).
        Cli::command().debug_assert();
        let cli = Cli::try_parse_from(["todo", "lists", "add", "Work", "--list-color", "blue", "--color", "never"]);
        assert!(cli.is_ok());
        assert!(Cli::try_parse_from(["todo", "mv", "42"]).is_err(), "mv needs somewhere to go");
        assert!(Cli::try_parse_from(["todo", "mv", "42", "--first", "--after", "7"]).is_err());
        assert!(Cli::try_parse_from(["todo", "mv", "42", "--list", "Work", "--after", "7"]).is_ok());
    }

    #[test]
    fn ls_takes_one_view_and_one_status() {
        assert!(Cli::try_parse_from(["todo", "ls", "--today", "--overdue"]).is_err());
        assert!(Cli::try_parse_from(["todo", "ls", "--no-date", "--upcoming"]).is_err());
        assert!(Cli::try_parse_from(["todo", "ls", "--done", "--all"]).is_err());
    }

    #[test]
    fn json_output_is_the_same_value_with_nothing_raw_that_rewrites_a_terminal() {
        let value = json!([{"title": "invoice\u{202e}fdp.exe\u{1b}[2J\u{9b}\u{7f}", "tags": ["a\tb"]}]);
        let text = safe_json(&value);
        assert!(!text.chars().any(|c| safe_text::is_unsafe(c) && c != '\n'), "{text}");
        assert!(text.contains("\\u202e"), "{text}");
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), value);
    }
}
