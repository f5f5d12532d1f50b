//! Loads `content/`: walks it (walkdir), reads each brief, author and page, checks its front
//! matter and renders its Markdown, in parallel. Every problem becomes a diagnostic.

mod bibliography;
mod csl_json;
mod documents;
pub mod frontmatter;
mod memo;
mod walk;

use crate::cache::BuildCache;
use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use rayon::prelude::*;
use std::path::PathBuf;

pub use documents::is_slug;
pub use documents::{AuthorDoc, BriefDoc, Doc, PageDoc};
pub use frontmatter::{Located, Place};
pub use walk::{Entry, Kind, brief_entry};

/// A content file's text, with its path as diagnostics show it.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub shown: PathBuf,
    pub text: String,
}

/// Everything read from `content/`, before linking.
#[derive(Debug, Default)]
pub struct Content {
    pub briefs: Vec<BriefDoc>,
    pub authors: Vec<AuthorDoc>,
    pub pages: Vec<PageDoc>,
    /// Documents left out for their errors, whose slugs and links are still checked.
    pub rejected: Rejected,
}

/// Documents whose front matter could be read but which have errors.
#[derive(Debug, Default)]
pub struct Rejected {
    pub briefs: Vec<BriefDoc>,
    pub authors: Vec<AuthorDoc>,
    pub pages: Vec<PageDoc>,
}

impl Rejected {
    fn add(&mut self, doc: Doc) {
        match doc {
            Doc::Brief(brief) => self.briefs.push(*brief),
            Doc::Author(author) => self.authors.push(*author),
            Doc::Page(page) => self.pages.push(*page),
        }
    }
}

/// Reads and parses every content file; files with errors are left out and reported.
pub fn load_content(config: &Config, cache: &BuildCache) -> (Content, Diagnostics) {
    let mut diagnostics = Diagnostics::default();
    let entries = walk::discover(config, &mut diagnostics);
    // Every file in content/authors/, parsed or not: a brief naming an author whose file has
    // errors is not also told that the author does not exist.
    let mut authors: Vec<&str> = entries
        .iter()
        .filter(|e| e.kind == Kind::Author)
        .map(|e| e.name.as_str())
        .collect();
    authors.sort_unstable();
    let authors: Vec<String> = authors.into_iter().map(str::to_string).collect();
    // The site's bibliography files are read first, so that their errors are reported even
    // when no brief cites from them; each file is parsed once, whoever reads it.
    let bibliographies = bibliography::Bibliographies::default();
    for path in &config.citation.bibliography {
        if let Err(bibliography::BibProblem::First(problem)) =
            bibliographies.load(&config.root, path)
        {
            diagnostics.push(problem);
        }
    }
    let parsed: Vec<documents::Parsed> = entries
        .into_par_iter()
        .map(|entry| documents::parse(config, entry, &authors, &bibliographies, cache))
        .collect();
    let mut content = Content::default();
    for parsed in parsed {
        diagnostics.extend(parsed.problems);
        match parsed.doc {
            Some(doc) if !parsed.accepted => content.rejected.add(doc),
            Some(Doc::Brief(brief)) => content.briefs.push(*brief),
            Some(Doc::Author(author)) => content.authors.push(*author),
            Some(Doc::Page(page)) => content.pages.push(*page),
            None => {}
        }
    }
    (content, diagnostics)
}

/// Parses a content file's text as if read from `entry.path`, reading nothing from disk: the
/// front matter and Markdown stages alone, as the fuzz targets drive them.
pub fn parse_source(
    config: &Config,
    file: SourceFile,
    entry: Entry,
    known_authors: &[String],
) -> (Option<Doc>, Vec<Diagnostic>) {
    documents::parse_source(config, file, entry, known_authors)
}

/// Reads one brief again (for the preview server), checking its authors against the files
/// now in content/authors/.
pub fn load_entry(config: &Config, entry: Entry) -> (Option<Doc>, Vec<Diagnostic>) {
    let mut authors: Vec<String> = std::fs::read_dir(config.content_dir().join("authors"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let path = e.path();
            let is_markdown = path.extension().is_some_and(|x| x == "md");
            is_markdown.then(|| path.file_stem()?.to_str().map(str::to_string))?
        })
        .collect();
    authors.sort_unstable();
    documents::parse(
        config,
        entry,
        &authors,
        &bibliography::Bibliographies::default(),
        &BuildCache::disabled(),
    )
    .accepted()
}

/// Reads a file as UTF-8 text: a byte order mark is dropped and CRLF line ends become LF
/// (line numbers stay the same). Unreadable, non-UTF-8 and empty files are errors.
pub fn read_source(path: PathBuf, shown: PathBuf) -> Result<SourceFile, Diagnostic> {
    let bytes = std::fs::read(&path).map_err(|err| {
        Diagnostic::error(&shown, format!("could not read the file: {err}"))
            .help("check that the file exists and that you may read it")
    })?;
    decode_source(&bytes, path, shown)
}

/// A file's bytes as `read_source` reads them, without touching the disk (the fuzz targets
/// start here).
pub fn decode_source(
    bytes: &[u8],
    path: PathBuf,
    shown: PathBuf,
) -> Result<SourceFile, Diagnostic> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|err| {
        let valid = &bytes[..err.valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&valid[line_start..]).chars().count() + 1;
        let mut diagnostic = Diagnostic::error(&shown, "the file is not valid UTF-8 text")
            .help("save the file with UTF-8 encoding (most editors offer it under \"Save with encoding\")");
        diagnostic.line = line;
        diagnostic.column = column;
        diagnostic
    })?;
    if text.trim().is_empty() {
        return Err(Diagnostic::error(&shown, "the file is empty")
            .help("write front matter between `---` lines, then the text, or delete the file"));
    }
    let text = if text.contains('\r') {
        text.replace("\r\n", "\n")
    } else {
        text.to_string()
    };
    Ok(SourceFile { path, shown, text })
}
