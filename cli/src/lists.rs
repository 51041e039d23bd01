//! `todo lists` (and `add`, `rename`, `rm`), `todo mv`, and lists named by a
//! person on the command line (`--list NAME`), found by their folded name as
//! the API compares them (SPEC "Lists").

use reqwest::Method;
use serde_json::Value;
use todo_domain::list::INBOX;
use todo_domain::{fold, ListName};
use todo_wire::{CreateListRequest, List, ListFilter, Lists, MoveTaskRequest, UpdateListRequest};

use crate::api::Api;
use crate::args::{Global, ListsArgs, ListsCommand, MvArgs, Shell};
use crate::error::CliError;
use crate::{connect, output, print, print_json, print_task, safe_text, task_url};

fn fetch(api: &mut Api) -> Result<(Value, Lists), CliError> {
    let url = api.user_url("/lists")?;
    let answer = api.get(url)?;
    let lists = serde_json::from_value(answer.clone())
        .map_err(|_| CliError::failed("The task service's lists cannot be read."))?;
    Ok((answer, lists))
}

/// The list a person named: `None` for the Inbox (in any case), else theirs
/// with that name ignoring case and Unicode normalization.
pub fn find_list(api: &mut Api, name: &str) -> Result<Option<List>, CliError> {
    let wanted = fold(name.trim());
    if wanted == fold(INBOX) {
        return Ok(None);
    }
    let (_, lists) = fetch(api)?;
    lists.lists.into_iter().find(|list| fold(&list.name) == wanted).map(Some).ok_or_else(|| {
        CliError::failed(format!("You have no list named {:?}: `todo lists` shows yours.", safe_text::line(name)))
    })
}

/// The `list=` value of a list found by [`find_list`].
pub fn list_filter(list: &Option<List>) -> ListFilter {
    list.as_ref().map_or(ListFilter::Inbox, |list| ListFilter::List(list.id))
}

fn checked_name(name: &str) -> Result<String, CliError> {
    ListName::parse(name)
        .map(|name| name.as_str().to_owned())
        .map_err(|why| CliError::usage(format!("The name {why}.")))
}

pub fn lists(global: &Global, args: ListsArgs) -> Result<(), CliError> {
    match args.command {
        None => show(global, args.names),
        Some(ListsCommand::Add { name, list_color }) => {
            let body = CreateListRequest {
                name: checked_name(&name.join(" "))?,
                color: list_color.map(|c| c.as_str().to_owned()),
            };
            let mut api = connect(global)?;
            let url = api.user_url("/lists")?;
            let list = api.send_json(Method::POST, url, &body)?;
            print_list(global, list, "Added list")
        }
        Some(ListsCommand::Rename { name, new_name }) => {
            let body = UpdateListRequest { name: Some(checked_name(&new_name)?), color: None };
            let mut api = connect(global)?;
            let list = named(&mut api, &name)?;
            let url = api.user_url(&format!("/lists/{}", list.id))?;
            let renamed = api.send_json(Method::PATCH, url, &body)?;
            print_list(global, renamed, &format!("Renamed {} to", safe_text::line(&list.name)))
        }
        Some(ListsCommand::Rm { name, delete_tasks }) => {
            let mut api = connect(global)?;
            let list = named(&mut api, &name)?;
            let mut url = api.user_url(&format!("/lists/{}", list.id))?;
            if delete_tasks {
                url.query_pairs_mut().append_pair("tasks", "delete");
            }
            api.empty(Method::DELETE, url)?;
            if !global.json {
                let tasks = if delete_tasks { "and its tasks" } else { "(its tasks are in the Inbox now)" };
                print(&format!("Removed list {} {tasks}\n", safe_text::line(&list.name)))?;
            }
            Ok(())
        }
    }
}

/// A list of the person's by name; the Inbox is no list to rename or remove.
fn named(api: &mut Api, name: &str) -> Result<List, CliError> {
    find_list(api, name)?
        .ok_or_else(|| CliError::usage(format!("The {INBOX} is where tasks in no list are: it cannot be changed.")))
}

fn show(global: &Global, names_only: bool) -> Result<(), CliError> {
    let mut api = connect(global)?;
    let (answer, lists) = fetch(&mut api)?;
    if names_only {
        let mut names = vec![INBOX.to_owned()];
        names.extend(lists.lists.iter().map(|list| safe_text::line(&list.name)));
        return print(&format!("{}\n", names.join("\n")));
    }
    if global.json {
        return print_json(&answer);
    }
    print(&output::list_table(&lists))
}

fn print_list(global: &Global, list: Value, verb: &str) -> Result<(), CliError> {
    if global.json {
        return print_json(&list);
    }
    let list: List =
        serde_json::from_value(list).map_err(|_| CliError::failed("The task service's list cannot be read."))?;
    print(&format!("{verb} {}\n", safe_text::line(&list.name)))
}

pub fn move_task(global: &Global, args: MvArgs) -> Result<(), CliError> {
    let mut api = connect(global)?;
    let list_id = match &args.list {
        Some(name) => Some(find_list(&mut api, name)?.map(|list| list.id)),
        None => None,
    };
    let after = args.after.map(|id| i64::try_from(id).unwrap_or(i64::MAX));
    let url = task_url(&mut api, args.id, "/move")?;
    let task = api.send_json(Method::POST, url, &MoveTaskRequest { list_id, after })?;
    print_task(global, task, |task, now| output::task_line("Moved", task, now))
}

/// The completion script, with `--list` completing the person's list names
/// (from `todo lists --names`, signed in) where the shell lets a script do that.
pub fn complete_list_names(shell: Shell, script: &str) -> String {
    match shell {
        Shell::Bash => format!(
            "{script}\n\
             # --list NAME: the names of your lists (asks the server, signed in).\n\
             _todo_with_lists() {{\n\
             \x20   local previous=\"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
             \x20   if [[ \"$previous\" == \"--list\" || \"$previous\" == \"-l\" ]]; then\n\
             \x20       local IFS=$'\\n'\n\
             \x20       COMPREPLY=($(compgen -W \"$(todo lists --names 2>/dev/null)\" -- \"${{COMP_WORDS[COMP_CWORD]}}\"))\n\
             \x20       return 0\n\
             \x20   fi\n\
             \x20   _todo \"$@\"\n\
             }}\n\
             complete -F _todo_with_lists -o bashdefault -o default todo\n"
        ),
        Shell::Fish => format!(
            "{script}\n# --list NAME: the names of your lists (asks the server, signed in).\n\
             complete -c todo -l list -s l -x -a \"(todo lists --names 2>/dev/null)\"\n"
        ),
        // zsh: clap's script completes the value as a file name; left as it is.
        Shell::Zsh => script.to_owned(),
    }
}
