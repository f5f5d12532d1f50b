//! The `folio` command line: parses arguments, runs one command, prints, picks the exit code.

use clap::{Parser, Subcommand, ValueEnum};
use folio::build::{BuildError, BuildOptions, build};
use folio::check::check_site;
use folio::diagnostics::Diagnostic;
use folio::scaffold::{NewBrief, ScaffoldError, init_site, new_author, new_brief};
use std::path::PathBuf;
use std::process::ExitCode;

/// A build allocates and frees millions of small strings across threads (Markdown events,
/// template values, citation formatting); glibc's malloc spent a fifth of a build's CPU on them.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay`, which `libmimalloc-sys` does not name: in `mimalloc.h`
/// the option before `mi_option_use_numa_nodes`.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = libmimalloc_sys::mi_option_use_numa_nodes - 1;

/// Has mimalloc keep the memory it frees for a minute before returning it to the system (a
/// second by default). A preview is idle between saves, and the index made after each save frees
/// hundreds of megabytes at 10,000 briefs: returned after a second, it was faulted back in by
/// the next save's rebuild whenever the author paused longer than that.
fn keep_freed_memory_a_minute() {
    // SAFETY: sets one integer option, on the main thread before the server starts its own
    // (mimalloc's setting of options is not thread-safe).
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 60_000) };
}

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
        /// Include briefs dated after the build's time (now, or SOURCE_DATE_EPOCH).
        #[arg(long)]
        future: bool,
        /// Override site.toml's base_url (e.g. for a staging host).
        #[arg(long)]
        base_url: Option<String>,
    },
    /// Preview the site: build it (drafts included and marked), serve it on loopback, and
    /// rebuild and reload open pages when a file changes.
    Serve {
        /// The site's folder (holding site.toml and content/).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The address to listen on; only this machine can reach the default.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// The port to listen on; 0 picks a free one.
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Leave out briefs and pages marked `draft: true`.
        #[arg(long)]
        no_drafts: bool,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
    },
    /// Report every problem `build` would, and lints (alt text, credits, heading levels,
    /// summaries, biographies); writes nothing.
    Check {
        /// The site's folder (holding site.toml and content/).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Fail (exit code 1) on warnings too.
        #[arg(long)]
        deny_warnings: bool,
        /// `text` for people; `json` prints one JSON object per line for CI annotations.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Start a new brief (as a draft) or author.
    New {
        #[command(subcommand)]
        what: New,
    },
    /// Create a new site in DIR (new or empty) that builds at once, using the built-in theme.
    Init {
        /// The folder to create the site in.
        dir: PathBuf,
    },
}

#[derive(Subcommand)]
enum New {
    /// Write content/briefs/<slug>.md: a draft dated today, with a skeleton body.
    Brief {
        /// The brief's title; its slug names the file.
        title: String,
        /// An author's slug (a file in content/authors/); repeat for several.
        #[arg(long = "author", value_name = "SLUG")]
        authors: Vec<String>,
        /// The file's slug, instead of one made from the title.
        #[arg(long)]
        slug: Option<String>,
        /// The site's folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Write content/authors/<slug>.md for a person.
    Author {
        /// The person's name, as shown on the site.
        name: String,
        /// The file's slug, instead of one made from the name.
        #[arg(long)]
        slug: Option<String>,
        /// The site's folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

/// How `folio check` prints diagnostics.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build {
            root,
            output,
            drafts,
            future,
            base_url,
        } => run_build(BuildOptions {
            root,
            output,
            drafts,
            future,
            base_url,
        }),
        Command::Serve {
            root,
            bind,
            port,
            no_drafts,
            open,
        } => run_serve(folio::serve::ServeOptions {
            root,
            bind,
            port,
            drafts: !no_drafts,
            open,
        }),
        Command::Check {
            root,
            deny_warnings,
            format,
        } => run_check(&root, deny_warnings, format),
        Command::New {
            what:
                New::Brief {
                    title,
                    authors,
                    slug,
                    root,
                },
        } => run_scaffold(new_brief(&NewBrief {
            root,
            title,
            authors,
            slug,
        })
        .map(|path| {
            format!(
                "Created {}, a draft: `folio serve` previews it, `folio build --drafts` builds it.",
                path.display()
            )
        })),
        Command::New {
            what: New::Author { name, slug, root },
        } => run_scaffold(
            new_author(&root, &name, slug.as_deref())
                .map(|path| format!("Created {}; write the biography below its front matter.", path.display())),
        ),
        Command::Init { dir } => run_scaffold(init_site(&dir).map(|files| {
            let listed: Vec<String> = files.iter().map(|f| format!("  {}", f.display())).collect();
            format!(
                "Created a site in {}:\n{}\nNext: `cd {0}` and `folio serve` to preview it.",
                dir.display(),
                listed.join("\n")
            )
        })),
    }
}

fn run_check(root: &std::path::Path, deny_warnings: bool, format: Format) -> ExitCode {
    let diagnostics = match check_site(root) {
        Ok(diagnostics) => diagnostics,
        Err(err) => {
            let code = err.exit_code();
            if let BuildError::Config(problems) | BuildError::Content(problems) = err {
                print_check(&problems, format);
            }
            return ExitCode::from(code as u8);
        }
    };
    print_check(&diagnostics, format);
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.iter().filter(|d| d.is_warning()).count();
    if errors > 0 || (deny_warnings && warnings > 0) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Diagnostics as text on stderr, or as JSON lines on stdout; then the count on stderr.
fn print_check(diagnostics: &[Diagnostic], format: Format) {
    match format {
        Format::Text => print_diagnostics(diagnostics),
        Format::Json => {
            for diagnostic in diagnostics {
                let line = serde_json::to_string(diagnostic).expect("a diagnostic serialises");
                println!("{line}");
            }
        }
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.iter().filter(|d| d.is_warning()).count();
    eprintln!(
        "{errors} error{}, {warnings} warning{}",
        plural(errors),
        plural(warnings)
    );
}

/// Reports what `new` or `init` wrote, or why it did not.
fn run_scaffold(result: Result<String, ScaffoldError>) -> ExitCode {
    match result {
        Ok(done) => {
            println!("{done}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            let code = err.exit_code();
            match err {
                ScaffoldError::Refused(problems) => {
                    print_diagnostics(&problems);
                    eprintln!("Nothing was written.");
                }
                ScaffoldError::Write(err) => eprintln!("error: {err:#}"),
            }
            ExitCode::from(code as u8)
        }
    }
}

fn run_serve(options: folio::serve::ServeOptions) -> ExitCode {
    keep_freed_memory_a_minute();
    match folio::serve::serve(options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run_build(options: BuildOptions) -> ExitCode {
    match build(&options) {
        Ok(report) => {
            print_diagnostics(&report.warnings);
            let (pages, files) = (report.pages, report.files);
            let (output, ms) = (report.output.display(), report.elapsed.as_millis());
            let warned = warnings_note(report.warnings.len());
            if report.unchanged {
                println!(
                    "Nothing changed since the last build: its {pages} pages ({files} files) are in {output} (checked in {ms} ms{warned})"
                );
            } else {
                println!("Built {pages} pages ({files} files) into {output} in {ms} ms{warned}");
            }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `PURGE_DELAY` is the option mimalloc (v3) sets to a second by default.
    #[test]
    fn the_purge_delay_is_the_option_named() {
        // SAFETY: reads one integer option.
        assert_eq!(unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) }, 1000);
    }
}
