//! Command-line interface: argument parsing, logging, exit codes.

mod destination;
#[cfg(feature = "emulators")]
mod emulate;
mod map;
mod progress;
mod propose;
mod review;
mod rollback;
mod run;
mod sample;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit code: everything done and nothing needs attention.
pub(crate) const EXIT_OK: u8 = 0;
/// Exit code: the command failed (nothing or only part was done; see the message).
pub(crate) const EXIT_FAILURE: u8 = 1;
/// Exit code: bad arguments (clap also uses 2).
pub(crate) const EXIT_USAGE: u8 = 2;
/// Exit code: done, but records were rejected or queued, links were not made, or
/// verification found differences: a person should read the report.
pub(crate) const EXIT_PARTIAL: u8 = 3;
/// Exit code: the input cannot be read as a whole (an export file is missing its header,
/// empty, or unreadable): fix it and run again. Nothing was written because of it.
pub(crate) const EXIT_INPUT: u8 = 4;

#[derive(Debug, Parser)]
#[command(
    name = "crm-migrate",
    version,
    about = "Move CRM data between platforms, verify it field by field, and undo it."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write a realistic sample export to migrate.
    Sample(sample::SampleArgs),
    /// Profile a source: objects, counts, field types, fill and duplicate rates.
    Discover(propose::DiscoverArgs),
    /// Propose a mapping (`--out`), or confirm one a person has read (`--confirm FILE`).
    Map(map::MapArgs),
    /// Print the load order a migration into a destination would follow.
    Plan(run::PlanArgs),
    /// Migrate (or resume, or re-run with --delta) into a destination.
    Run(run::RunArgs),
    /// Read back every migrated record and compare it field by field.
    Verify(StateArgs),
    /// Undo every run recorded in a state directory.
    Rollback(rollback::RollbackArgs),
    /// Serve a local page (127.0.0.1) to review, edit and confirm a mapping.
    Review(review::ReviewArgs),
    /// Serve a platform's emulator on 127.0.0.1 and print its URL and a test key.
    #[cfg(feature = "emulators")]
    Emulate(emulate::EmulateArgs),
}

/// Commands that work from a state directory alone.
#[derive(Debug, clap::Args)]
pub(crate) struct StateArgs {
    /// State directory of the run.
    #[arg(long)]
    pub(crate) state: PathBuf,
}

/// A usage error: wrong or missing arguments, detected after parsing.
#[derive(Debug)]
pub(crate) struct Usage(pub(crate) String);

impl std::fmt::Display for Usage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Usage {}

pub(crate) fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        // Colour only on a terminal: logs sent to a file stay plain text.
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::from(EXIT_FAILURE);
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Sample(a) => sample::sample(a),
            Command::Discover(a) => propose::discover(a).await,
            Command::Map(a) => map::map(a).await,
            Command::Plan(a) => run::plan(a).await,
            Command::Run(a) => run::run(a).await,
            Command::Verify(a) => verify::verify(a).await,
            Command::Rollback(a) => rollback::rollback(a).await,
            Command::Review(a) => review::review(a).await,
            #[cfg(feature = "emulators")]
            Command::Emulate(a) => emulate::emulate(a).await,
        }
    });
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) if e.downcast_ref::<Usage>().is_some() => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_USAGE)
        }
        Err(e)
            if e.downcast_ref::<crm_migrate::core::Error>()
                .is_some_and(|x| x.kind() == crm_migrate::core::ErrorKind::Input) =>
        {
            eprintln!("error: {e:#}");
            eprintln!("The export could not be read; nothing was written because of it. Fix the file named above and run the same command again.");
            ExitCode::from(EXIT_INPUT)
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(EXIT_FAILURE)
        }
    }
}
