//! The `folio` command line: parses arguments, runs one command, prints, picks the exit code.

use clap::{Parser, Subcommand};
use folio::build::{BuildError, BuildOptions, build};
use folio::diagnostics::Diagnostic;
use std::path::PathBuf;
use std::process::ExitCode;

/// A static site generator for think-tank policy briefs.
#[derive(Parser)]
#[command(name = "folio", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into its output folder (public/ by default).
    Build {
        /// The site's folder (holding site.toml and content/).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Where to write the site; replaced whole only when the build succeeds.
        #[arg(long)]
        output: Option<PathBuf>,
        /// Include briefs and pages marked `draft: true`.
        #[arg(long)]
        drafts: bool,
        /// Override site.toml's base_url (e.g. for a staging host).
        #[arg(long)]
        base_url: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build {
            root,
            output,
            drafts,
            base_url,
        } => run_build(BuildOptions {
            root,
            output,
            drafts,
            base_url,
        }),
    }
}

fn run_build(options: BuildOptions) -> ExitCode {
    match build(&options) {
        Ok(report) => {
            print_diagnostics(&report.warnings);
            println!(
                "Built {} pages ({} files) into {} in {} ms{}",
                report.pages,
                report.files,
                report.output.display(),
                report.elapsed.as_millis(),
                warnings_note(report.warnings.len()),
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            let code = err.exit_code();
            match err {
                BuildError::Config(problems) | BuildError::Content(problems) => {
                    print_diagnostics(&problems);
                    let errors = problems.iter().filter(|d| d.is_error()).count();
                    eprintln!(
                        "Build failed: {errors} error{}, {} warning{}; the previous output was left as it was.",
                        plural(errors),
                        problems.len() - errors,
                        plural(problems.len() - errors)
                    );
                }
                BuildError::Output(err) => {
                    eprintln!("error: {err:#}");
                    eprintln!(
                        "Build failed while writing; the previous output was left as it was."
                    );
                }
            }
            ExitCode::from(code as u8)
        }
    }
}

fn print_diagnostics(diagnostics: &[Diagnostic]) {
    for diagnostic in diagnostics {
        eprintln!("{diagnostic}");
    }
}

fn warnings_note(count: usize) -> String {
    match count {
        0 => String::new(),
        n => format!(", with {n} warning{}", plural(n)),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
