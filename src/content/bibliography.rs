//! Bibliography files named by briefs (`bibliography:`) and by site.toml: BibLaTeX/BibTeX and
//! CSL-JSON read into hayagriva entries, each file parsed once per build however many briefs
//! cite from it.

use super::csl_json;
use crate::cache::Key;
use crate::diagnostics::{Diagnostic, display_path};
use hayagriva::Library;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

/// One bibliography file, parsed.
#[derive(Debug)]
pub struct BibFile {
    pub library: Library,
    /// A hash of the file's text: renderings kept in the build cache depend on it.
    pub fingerprint: Key,
}

impl BibFile {
    /// Whether the file at `path` still has the text `fingerprint` was made of.
    pub fn unchanged(path: &Path, fingerprint: Key) -> bool {
        std::fs::read_to_string(path).is_ok_and(|text| Key::of(&text) == fingerprint)
    }
}

/// A file's parse, shared by every brief that names it; `reported` makes sure its error is
/// listed once, not once per brief.
#[derive(Default)]
struct Slot {
    parsed: OnceLock<Result<Arc<BibFile>, Diagnostic>>,
    reported: AtomicBool,
}

/// The bibliography files of one build, by path.
#[derive(Default)]
pub struct Bibliographies {
    files: Mutex<HashMap<PathBuf, Arc<Slot>>>,
}

/// Why a brief cannot use its bibliography.
pub enum BibProblem {
    /// The file's error, for the first brief that meets it.
    First(Diagnostic),
    /// Already reported for another brief (or by site.toml's files).
    Reported,
}

impl Bibliographies {
    /// The files parsed so far, each with its fingerprint: what the build read them as.
    pub fn parsed(&self) -> Vec<(PathBuf, Key)> {
        let files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        let mut parsed: Vec<(PathBuf, Key)> = files
            .iter()
            .filter_map(|(path, slot)| {
                let file = slot.parsed.get()?.as_ref().ok()?;
                Some((path.clone(), file.fingerprint))
            })
            .collect();
        parsed.sort_by(|a, b| a.0.cmp(&b.0));
        parsed
    }

    /// The parsed file at `path` (absolute); parsed on first use, from any thread.
    pub fn load(&self, root: &Path, path: &Path) -> Result<Arc<BibFile>, BibProblem> {
        let slot = {
            let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
            files.entry(path.to_path_buf()).or_default().clone()
        };
        let parsed = slot.parsed.get_or_init(|| parse_file(root, path));
        match parsed {
            Ok(file) => Ok(file.clone()),
            Err(diagnostic) => {
                if slot.reported.swap(true, Ordering::SeqCst) {
                    Err(BibProblem::Reported)
                } else {
                    Err(BibProblem::First(diagnostic.clone()))
                }
            }
        }
    }
}

/// Reads and parses one bibliography file, by its extension.
fn parse_file(root: &Path, path: &Path) -> Result<Arc<BibFile>, Diagnostic> {
    let shown = display_path(root, path);
    let text = std::fs::read_to_string(path).map_err(|err| {
        Diagnostic::error(&shown, format!("could not read the bibliography: {err}"))
            .help("check the file's name, and that it is UTF-8 text")
    })?;
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let library = match extension.as_str() {
        "bib" => parse_biblatex(&shown, &text)?,
        "json" => csl_json::parse(&shown, &text)?,
        _ => {
            return Err(Diagnostic::error(
                &shown,
                "a bibliography must be a BibLaTeX/BibTeX `.bib` or a CSL-JSON `.json` file",
            )
            .help("export the references from your reference manager as BibLaTeX or CSL-JSON"));
        }
    };
    Ok(Arc::new(BibFile {
        library,
        fingerprint: Key::of(&text),
    }))
}

/// A `.bib` file through hayagriva's BibLaTeX reader; the first error is placed in the file.
fn parse_biblatex(shown: &Path, text: &str) -> Result<Library, Diagnostic> {
    hayagriva::io::from_biblatex_str(text).map_err(|errors| {
        let (span, what) = match errors.first() {
            Some(hayagriva::io::BibLaTeXError::Parse(err)) => {
                (err.span.clone(), err.kind.to_string())
            }
            Some(hayagriva::io::BibLaTeXError::Type(err)) => {
                (err.span.clone(), err.kind.to_string())
            }
            None => (0..0, "unknown error".to_string()),
        };
        let more = match errors.len() {
            0 | 1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        Diagnostic::error(
            shown,
            format!("the bibliography does not parse as BibLaTeX: {what}{more}"),
        )
        .at_offset(text, span.start)
        .width(
            text.get(span)
                .map_or(1, |s| s.lines().next().unwrap_or("").chars().count()),
        )
        .help("check the entry's braces, commas and field values (dates as `2024-03-01`)")
    })
}
