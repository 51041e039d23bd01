fn main() {
    std::process::exit(todo_cli::run(std::env::args_os()));
}
