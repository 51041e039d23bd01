//! The interface as a person sees it: every `--help` and the plain answers that
//! need no server, run through the real binary and compared with the files in
//! tests/cmd/ (`TRYCMD=overwrite cargo test -p todo-cli --test help` rewrites them).

#[test]
fn help_and_offline_answers() {
    trycmd::TestCases::new().case("tests/cmd/*.toml");
}
