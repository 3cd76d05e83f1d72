//! The command line: `serve` (default), `migrate`, `admin create`, `tenant create`.
use crate::server::config::Config;
use crate::server::{services, startup, telemetry};
use clap::{Parser, Subcommand};
use std::io::{BufRead, IsTerminal};

#[derive(Parser)]
#[command(name = "offerdeck", version, about = "Self-hosted monetization platform in front of Stripe")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Platform administrators.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Tenants.
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create a platform admin; the password is read from stdin or asked for.
    Create {
        #[arg(long)]
        email: String,
    },
}

#[derive(Subcommand)]
enum TenantCommand {
    /// Create a tenant with a merchant owner; prints JSON with the tenant id and its keys (shown once).
    Create {
        #[arg(long)]
        name: String,
        #[arg(long = "owner-email")]
        owner_email: String,
    },
}

fn read_password() -> Result<String, String> {
    if std::io::stdin().is_terminal() {
        let a = rpassword::prompt_password("Password: ").map_err(|e| e.to_string())?;
        let b = rpassword::prompt_password("Repeat password: ").map_err(|e| e.to_string())?;
        if a != b {
            return Err("the passwords differ".into());
        }
        Ok(a)
    } else {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line).map_err(|e| e.to_string())?;
        Ok(line.trim_end_matches(['\n', '\r']).to_string())
    }
}

pub fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("configuration error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    telemetry::init(config.log_json);
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let result = rt.block_on(run(cli, config));
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli, config: Config) -> Result<(), String> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => startup::serve(config).await,
        Command::Migrate => {
            startup::connect(&config).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Admin { command: AdminCommand::Create { email } } => {
            let password = read_password()?;
            let db = startup::connect(&config).await?;
            let state = startup::state(db, config);
            let id = services::users::create_admin(&state, &email, password).await.map_err(describe)?;
            println!("{}", serde_json::json!({"userId": id, "email": email.trim().to_lowercase(), "admin": true}));
            Ok(())
        }
        Command::Tenant { command: TenantCommand::Create { name, owner_email } } => {
            let db = startup::connect(&config).await?;
            let state = startup::state(db, config);
            let out = services::tenants::bootstrap(&state, &name, &owner_email).await.map_err(describe)?;
            println!("{}", serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?);
            Ok(())
        }
    }
}

fn describe(e: crate::error::AppError) -> String {
    if e.fields.is_empty() { e.message } else { e.fields.iter().map(|(k, v)| format!("{k} {v}")).collect::<Vec<_>>().join("; ") }
}
