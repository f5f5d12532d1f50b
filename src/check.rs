//! `folio check`: everything `build` validates, plus lints an editor fixes before publishing —
//! images without alt text, figures without a credit, headings that skip a level, briefs without
//! a summary, authors without a biography — and the internal-link rule `build` shares.
//!
//! Check loads the site with the engine (content and links) and renders it in memory, as
//! `build` does, so one place decides what is an error; it writes nothing. Drafts are loaded, linted and rendered too, and links from published pages to drafts
//! are refused, as the published site would leave them dangling.

use crate::cache::BuildCache;
use crate::diagnostics::Diagnostic;
use crate::engine::{BuildError, Engine};
use crate::markdown::Facts;
use crate::render::OutputFile;
use crate::site::Shown;
use crate::site::Site;
use crate::site::links::documents;
use std::path::Path;

/// Checks the site at `root`: every diagnostic `build` would give, and the lints, sorted by file
/// and line. `Err` only for settings that cannot be used (exit code 2).
///
/// Links are checked with the content, on the files a build would write; templates once the
/// content loads without errors, as `build` renders only then.
pub fn check_site(root: &Path) -> Result<Vec<Diagnostic>, BuildError> {
    let mut engine = match Engine::open(root, None) {
        Ok(engine) => engine,
        Err(BuildError::Content(problems)) => return Ok(problems),
        Err(err) => return Err(err),
    };
    let every = Shown {
        drafts: true,
        scheduled: true,
    };
    let cache = BuildCache::for_site(root);
    let (mut site, mut diagnostics) = engine.load(every, true, &cache);
    diagnostics.extend(lint_site(&site));
    diagnostics.extend(scheduled_notes(&site));
    if !diagnostics.has_errors() {
        // A PDF that cannot be typeset fails the build, so `check` says so too.
        diagnostics.extend(crate::pdf::typeset_briefs(&mut site, &cache));
    }
    if !diagnostics.has_errors() {
        // `check` writes nothing: each page is dropped once rendered, only its path is kept.
        let discard = |_: &OutputFile| Ok(());
        engine
            .render(&site, &mut diagnostics, &discard, None)
            .expect("discarding a page cannot fail");
    }
    Ok(diagnostics.sorted())
}

/// A note for each brief scheduled for later: `build` leaves it out until its date.
fn scheduled_notes(site: &Site) -> Vec<Diagnostic> {
    let now = site.config.build_time;
    site.briefs
        .iter()
        .filter(|b| b.doc.is_scheduled(now))
        .map(|brief| {
            let note = Diagnostic::notice(
                &brief.doc.shown,
                format!(
                    "this brief is scheduled for {}: `folio build` leaves it out until then",
                    brief.doc.due()
                ),
            )
            .help("`folio build --future` includes it now; `folio serve` shows it, marked");
            crate::site::attachments::place_at_field(&site.config, &brief.doc.shown, "date", note)
        })
        .collect()
}

// --- Lints: warnings only `check` gives ---------------------------------------------------

/// The lints over every brief, page and biography.
fn lint_site(site: &Site) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    for doc in documents(site) {
        lint_images(doc.shown, &doc.body.facts, &mut problems);
        lint_tables(doc.shown, &doc.body.facts, &mut problems);
        lint_headings(doc.shown, &doc.body.facts, &mut problems);
    }
    for brief in site.briefs.iter().filter(|b| b.doc.summary.is_none()) {
        problems.push(
            at_front_matter(Diagnostic::warning(
                &brief.doc.shown,
                "the brief has no summary",
            ))
            .help(
                "add `summary:` to the front matter with one or two sentences; listings, \
                     feeds, search results and shared links show it",
            ),
        );
    }
    for author in site.authors.iter().filter(|a| a.doc.bio.word_count == 0) {
        problems.push(
            at_front_matter(Diagnostic::warning(
                &author.doc.shown,
                format!("{} has no biography", author.doc.name),
            ))
            .help(
                "write a few sentences about them below the front matter; their page and \
                 \"About the authors\" on their briefs show it",
            ),
        );
    }
    problems
}

/// Tables without a caption: a reader (and a screen reader) meets a grid of numbers unnamed.
fn lint_tables(shown: &Path, facts: &Facts, problems: &mut Vec<Diagnostic>) {
    for table in facts.tables.iter().filter(|t| t.number.is_none()) {
        let warning = Diagnostic::warning(shown, "the table has no caption");
        problems.push(table.at.apply(warning).help(
            "add a paragraph right after the table that begins with `Table:`, e.g. `Table: \
             Installations by region, 2024`, and a `Source:` line after it",
        ));
    }
}

/// Images without alt text; figures without a `Source:` credit.
fn lint_images(shown: &Path, facts: &Facts, problems: &mut Vec<Diagnostic>) {
    for image in &facts.images {
        let what = match image.figure {
            Some(number) => format!("figure {number}"),
            None => "the image".to_string(),
        };
        if image.alt.trim().is_empty() {
            let warning = Diagnostic::warning(shown, format!("{what} has no alt text"));
            problems.push(image.at.apply(warning).help(format!(
                "describe what it shows between the brackets, for readers who cannot see it: \
                 `![Bar chart of …]({})`",
                image.src
            )));
        }
        if image.figure.is_some() && !image.credited {
            let warning = Diagnostic::warning(shown, format!("{what} has no credit"));
            problems.push(image.at.apply(warning).help(
                "add a paragraph right after the image that begins with `Source:`, e.g. \
                 `Source: [Office for National Statistics](https://www.ons.gov.uk/), our analysis.`",
            ));
        }
    }
}

/// Headings that skip a level. The page's title is its only level-1 heading, so a body's
/// sections start at level 2.
fn lint_headings(shown: &Path, facts: &Facts, problems: &mut Vec<Diagnostic>) {
    let mut previous = 1;
    for heading in &facts.headings {
        let level = heading.level;
        let problem = if level == 1 {
            Some(
                Diagnostic::warning(
                    shown,
                    format!(
                        "level-1 heading `{}` in the body: the page's title is its level-1 heading",
                        heading.title
                    ),
                )
                .help("start the body's sections at level 2: `## …`"),
            )
        } else if level > previous + 1 {
            let wanted = previous + 1;
            let after = if previous == 1 {
                "the page's title".to_string()
            } else {
                format!("a level-{previous} heading")
            };
            Some(
                Diagnostic::warning(
                    shown,
                    format!(
                        "heading `{}` skips from {after} to level {level}",
                        heading.title
                    ),
                )
                .help(format!(
                    "make it a level-{wanted} heading (`{} …`), so screen readers and the \
                     table of contents keep the outline",
                    "#".repeat(usize::from(wanted))
                )),
            )
        } else {
            None
        };
        if let Some(problem) = problem {
            problems.push(heading.at.apply(problem));
        }
        previous = level;
    }
}

/// Places a diagnostic about a whole document at its front matter's first line.
fn at_front_matter(mut diagnostic: Diagnostic) -> Diagnostic {
    diagnostic.line = 1;
    diagnostic.column = 1;
    diagnostic.snippet = Some("---".into());
    diagnostic.width(3)
}
