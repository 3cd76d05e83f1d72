//! The `offerdeck` binary: see `server::cli`.
fn main() -> std::process::ExitCode {
    offerdeck::server::cli::main()
}
