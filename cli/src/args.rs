//! The command line, as clap reads it.

use clap::builder::TypedValueParser as _;
use clap::{ArgGroup, Args, Parser, Subcommand, ValueEnum};
use todo_domain::{Color, Priority, View};

const EXIT_CODES: &str = "\
Exit codes: 0 done, 1 failed (the server refused or could not be reached),
2 usage (a flag or value that cannot be read), 3 signed out (run `todo login`).

Examples:
  todo login
  todo add \"Buy milk\" --due tomorrow --tag errands
  todo ls --today
  todo done 42";

#[derive(Debug, Parser)]
#[command(
    name = "todo",
    version,
    about = "Your Todo tasks from a terminal",
    long_about = "Your Todo tasks from a terminal: sign in once through the web app, then add, list, \
                  change and finish tasks.",
    after_help = EXIT_CODES,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct Global {
    /// Print the API's JSON instead of a table (for scripts)
    #[arg(long, global = true)]
    pub json: bool,
    /// When to colour the output; NO_COLOR in the environment means never for auto
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,
    /// The web app's address (default: the one you signed in to, else config.toml, else http://localhost:3000)
    #[arg(long, global = true, env = "TODO_SERVER", hide_env_values = true, value_name = "URL")]
    pub server: Option<String>,
    /// The task API's address (default: the one you signed in with, else config.toml, else http://127.0.0.1:8000)
    #[arg(long, global = true, env = "TODO_API_URL", hide_env_values = true, value_name = "URL")]
    pub api_url: Option<String>,
    /// Allow plain http:// to a server on another machine (the sign-in can then be read on the way)
    #[arg(long, global = true, env = "TODO_ALLOW_HTTP", hide_env_values = true)]
    pub allow_http: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

/// The API's own priorities (todo-domain), offered by name.
fn priority() -> impl clap::builder::TypedValueParser<Value = Priority> {
    clap::builder::PossibleValuesParser::new(Priority::ALL.map(Priority::as_str))
        .map(|name| Priority::ALL.into_iter().find(|p| p.as_str() == name).expect("one of the possible values"))
}

/// The API's own list colours (todo-domain), offered by name.
fn color() -> impl clap::builder::TypedValueParser<Value = Color> {
    clap::builder::PossibleValuesParser::new(Color::ALL.map(Color::as_str))
        .map(|name| Color::ALL.into_iter().find(|c| c.as_str() == name).expect("one of the possible values"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SortArg {
    Due,
    Priority,
    Created,
    Updated,
    Title,
    /// The list's own order (the default with --list)
    Manual,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in through the web app (shows a code to approve in the browser)
    #[command(after_help = "Example:\n  todo login --server https://todo.example\n\n\
        Opens {server}/device?user_code=… in your browser (or prints it with --no-browser); approve the code \
        there and this terminal is signed in. The session is kept in $XDG_CONFIG_HOME/todo/credentials, \
        readable by you only.")]
    Login {
        /// Only print the link; do not open a browser
        #[arg(long)]
        no_browser: bool,
    },
    /// End this terminal's session on the server and forget it here
    #[command(after_help = "Example:\n  todo logout")]
    Logout,
    /// Show who is signed in (address confirmed or not), and where
    #[command(after_help = "Example:\n  todo whoami")]
    Whoami,
    /// Add a task
    #[command(after_help = "Examples:\n  todo add \"Buy milk\" --due tomorrow --tag errands\n  \
        todo add \"Team standup\" --due \"mon 09:00\" --every weekday --priority high --remind \"mon 08:45\"")]
    Add(AddArgs),
    /// List tasks (open ones by default), as many as there are
    #[command(
        visible_alias = "list",
        after_help = "Examples:\n  todo ls --today\n  todo ls --overdue --tag work\n  \
        todo ls --all -q milk --json"
    )]
    Ls(LsArgs),
    /// Show one task in full
    #[command(after_help = "Example:\n  todo show 42")]
    Show {
        /// The task's id, as `todo ls` shows it
        id: u64,
    },
    /// Change a task: only the fields given change
    #[command(after_help = "Examples:\n  todo edit 42 --title \"Buy oat milk\" --priority low\n  \
        todo edit 42 --due none --every none\n  todo edit 42 --tag home --tag errands   (replaces the tags)")]
    Edit(EditArgs),
    /// Mark tasks done (a repeating task gets its next occurrence)
    #[command(after_help = "Example:\n  todo done 42 43")]
    Done {
        /// Ids of the tasks
        #[arg(required = true)]
        ids: Vec<u64>,
    },
    /// Mark done tasks open again
    #[command(after_help = "Example:\n  todo undo 42")]
    Undo {
        /// Ids of the tasks
        #[arg(required = true)]
        ids: Vec<u64>,
    },
    /// Delete tasks
    #[command(visible_alias = "delete", after_help = "Example:\n  todo rm 42")]
    Rm {
        /// Ids of the tasks
        #[arg(required = true)]
        ids: Vec<u64>,
    },
    /// List your tags and how many tasks carry each
    #[command(after_help = "Example:\n  todo tags")]
    Tags,
    /// Your lists and their open tasks; add, rename or remove one
    #[command(after_help = "Examples:\n  todo lists\n  todo lists add Work --list-color blue\n  \
        todo lists rename Work Office\n  todo lists rm Office   (its tasks move to the Inbox)")]
    Lists(ListsArgs),
    /// Move a task to another list, or to another place in its list
    #[command(after_help = "Examples:\n  todo mv 42 --list Work          (first in Work)\n  \
        todo mv 42 --after 17           (right after task 17, in its list)\n  todo mv 42 --list Inbox --first")]
    Mv(MvArgs),
    /// Print a shell completion script
    #[command(after_help = "Examples:\n  todo completions bash > ~/.local/share/bash-completion/completions/todo\n  \
        todo completions zsh > \"${fpath[1]}/_todo\"\n  todo completions fish > ~/.config/fish/completions/todo.fish")]
    Completions {
        #[arg(value_enum)]
        shell: Shell,
    },
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// The title (several words are joined with spaces)
    #[arg(required = true, num_args = 1..)]
    pub title: Vec<String>,
    /// A longer note
    #[arg(long, short = 'd')]
    pub description: Option<String>,
    /// How much it matters (high sorts first)
    #[arg(long, short = 'p', value_parser = priority())]
    pub priority: Option<Priority>,
    /// A tag (repeat for several)
    #[arg(long = "tag", short = 't', value_name = "TAG")]
    pub tags: Vec<String>,
    /// When it is due, in your time zone: tomorrow, "fri 17:00", "in 3 days", 2026-12-24 (a date alone is all-day)
    #[arg(long, value_name = "WHEN")]
    pub due: Option<String>,
    /// When to be reminded: same words as --due (a date alone means 09:00)
    #[arg(long, value_name = "WHEN")]
    pub remind: Option<String>,
    /// Repeat: day, weekday, week, month, year, "2 weeks", "mon,thu", or an RRULE (needs --due)
    #[arg(long, value_name = "RULE")]
    pub every: Option<String>,
    /// The list to put it in (first there); default: the Inbox
    #[arg(long, short = 'l', value_name = "NAME")]
    pub list: Option<String>,
}

#[derive(Debug, Args)]
pub struct LsArgs {
    /// Due today in your time zone
    #[arg(long, group = "view")]
    pub today: bool,
    /// Past their due date and still open
    #[arg(long, group = "view")]
    pub overdue: bool,
    /// Due from tomorrow on
    #[arg(long, group = "view")]
    pub upcoming: bool,
    /// Without a due date
    #[arg(long, group = "view")]
    pub no_date: bool,
    /// Done tasks only
    #[arg(long, group = "status")]
    pub done: bool,
    /// Open and done tasks
    #[arg(long, group = "status")]
    pub all: bool,
    /// Only tasks with this tag (repeat: all of them)
    #[arg(long = "tag", short = 't', value_name = "TAG")]
    pub tags: Vec<String>,
    /// Only this priority (repeat: any of them)
    #[arg(long = "priority", short = 'p', value_parser = priority(), value_name = "PRIORITY")]
    pub priorities: Vec<Priority>,
    /// Text in the title or description
    #[arg(short = 'q', long = "query", value_name = "TEXT")]
    pub query: Option<String>,
    /// Only the tasks of this list (Inbox: those in no list), in its own order unless --sort
    #[arg(long, short = 'l', value_name = "NAME")]
    pub list: Option<String>,
    /// Order of the list [default: due, or manual with --list]
    #[arg(long, value_enum)]
    pub sort: Option<SortArg>,
    /// Reverse the order
    #[arg(long, short = 'r')]
    pub reverse: bool,
}

#[derive(Debug, Args)]
pub struct EditArgs {
    /// The task's id
    pub id: u64,
    /// A new title
    #[arg(long)]
    pub title: Option<String>,
    /// A longer note ("" clears it)
    #[arg(long, short = 'd')]
    pub description: Option<String>,
    /// How much it matters (high sorts first)
    #[arg(long, short = 'p', value_parser = priority())]
    pub priority: Option<Priority>,
    /// The task's tags from now on (repeat for several)
    #[arg(long = "tag", short = 't', value_name = "TAG", conflicts_with = "no_tags")]
    pub tags: Vec<String>,
    /// Remove every tag
    #[arg(long)]
    pub no_tags: bool,
    /// New due date (same words as `add --due`), or none to clear it
    #[arg(long, value_name = "WHEN")]
    pub due: Option<String>,
    /// New reminder, or none to clear it
    #[arg(long, value_name = "WHEN")]
    pub remind: Option<String>,
    /// New repeat rule, or none to stop repeating
    #[arg(long, value_name = "RULE")]
    pub every: Option<String>,
    /// Another list (Inbox: no list); it goes first there
    #[arg(long, short = 'l', value_name = "NAME")]
    pub list: Option<String>,
}

#[derive(Debug, Args)]
pub struct ListsArgs {
    #[command(subcommand)]
    pub command: Option<ListsCommand>,
    /// Only the names, one a line (what shell completions offer for --list)
    #[arg(long, hide = true)]
    pub names: bool,
}

#[derive(Debug, Subcommand)]
pub enum ListsCommand {
    /// Add a list; it goes last
    #[command(after_help = "Example:\n  todo lists add Home --list-color green")]
    Add {
        /// The name (several words are joined with spaces)
        #[arg(required = true, num_args = 1..)]
        name: Vec<String>,
        /// Its colour (--color is the output's)
        #[arg(long, value_parser = color(), value_name = "COLOR")]
        list_color: Option<Color>,
    },
    /// Rename a list
    #[command(after_help = "Example:\n  todo lists rename Work Office")]
    Rename {
        /// The list's name now
        name: String,
        /// Its new name
        new_name: String,
    },
    /// Remove a list; its tasks move to the Inbox, first there
    #[command(visible_alias = "delete", after_help = "Example:\n  todo lists rm Office --delete-tasks")]
    Rm {
        /// The list's name
        name: String,
        /// Delete its tasks with it instead
        #[arg(long)]
        delete_tasks: bool,
    },
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("where").required(true).multiple(true).args(["list", "first", "after"])))]
pub struct MvArgs {
    /// The task's id
    pub id: u64,
    /// The list to move it to (Inbox: no list); first there unless --after
    #[arg(long, short = 'l', value_name = "NAME")]
    pub list: Option<String>,
    /// Put it first
    #[arg(long, conflicts_with = "after")]
    pub first: bool,
    /// Put it right after this task (in the same list)
    #[arg(long, value_name = "ID")]
    pub after: Option<u64>,
}

impl LsArgs {
    /// The view the flags ask for, which the API computes (SPEC "Organizing tasks").
    pub fn view(&self) -> Option<View> {
        [
            (self.today, View::Today),
            (self.upcoming, View::Upcoming),
            (self.overdue, View::Overdue),
            (self.no_date, View::NoDate),
        ]
        .into_iter()
        .find_map(|(asked, view)| asked.then_some(view))
    }
}
