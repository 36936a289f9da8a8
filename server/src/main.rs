//! The `server` binary: a shim over `server::cli::run`.

#[tokio::main]
async fn main() -> std::process::ExitCode {
    server::cli::main().await
}
