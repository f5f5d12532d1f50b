//! Reads `content/`: walks it (walkdir), reads each brief, author and page and checks its
//! front matter, leaving its Markdown to the Markdown stage. Every problem becomes a diagnostic.

pub mod addresses;
mod bibliography;
mod csl_json;
mod documents;
pub mod frontmatter;
mod walk;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Diagnostics};
use std::path::PathBuf;

pub use bibliography::BibFile;
pub use documents::is_slug;
pub use documents::{AuthorDoc, BodySource, BriefDoc, Doc, PageDoc, Parsed};
pub use frontmatter::{Located, Place};
pub use walk::{Entry, Kind, brief_entry};

/// A content file's text, with its path as diagnostics show it.
#[derive(Debug)]
pub struct SourceFile {
    pub path: PathBuf,
    pub shown: PathBuf,
    pub text: String,
}

/// Every document of `content/`, before linking: with its body as `B` (`BodySource` as read,
/// rendered once the Markdown stage has been).
#[derive(Debug)]
pub struct Content<B> {
    pub briefs: Vec<BriefDoc<B>>,
    pub authors: Vec<AuthorDoc<B>>,
    pub pages: Vec<PageDoc<B>>,
    /// Documents left out for their errors, whose slugs and links are still checked.
    pub rejected: Rejected<B>,
    /// The bibliography files read, wherever they are, each with the fingerprint of its text.
    pub bibliographies: Vec<(PathBuf, crate::cache::Key)>,
}

/// Documents whose front matter could be read but which have errors.
#[derive(Debug)]
pub struct Rejected<B> {
    pub briefs: Vec<BriefDoc<B>>,
    pub authors: Vec<AuthorDoc<B>>,
    pub pages: Vec<PageDoc<B>>,
}

impl<B> Default for Content<B> {
    fn default() -> Self {
        Content {
            briefs: Vec::new(),
            authors: Vec::new(),
            pages: Vec::new(),
            rejected: Rejected::default(),
            bibliographies: Vec::new(),
        }
    }
}

impl<B> Default for Rejected<B> {
    fn default() -> Self {
        Rejected {
            briefs: Vec::new(),
            authors: Vec::new(),
            pages: Vec::new(),
        }
    }
}

impl<B> Content<B> {
    /// Adds a document: to the site's, or, when it has errors, to those left out.
    pub fn add(&mut self, doc: Doc<B>, accepted: bool) {
        let (briefs, authors, pages) = if accepted {
            (&mut self.briefs, &mut self.authors, &mut self.pages)
        } else {
            let rejected = &mut self.rejected;
            (
                &mut rejected.briefs,
                &mut rejected.authors,
                &mut rejected.pages,
            )
        };
        match doc {
            Doc::Brief(brief) => briefs.push(*brief),
            Doc::Author(author) => authors.push(*author),
            Doc::Page(page) => pages.push(*page),
        }
    }
}

/// What `content/` holds to be read: its documents' files, the slugs of its people, and the
/// bibliography files they share.
pub struct Found {
    pub entries: Vec<Entry>,
    /// Every file in content/authors/, parsed or not: a brief naming an author whose file has
    /// errors is not also told that the author does not exist.
    pub authors: Vec<String>,
    pub bibliographies: bibliography::Bibliographies,
}

/// Walks `content/` and reads the site's bibliography files (first, so that their errors are
/// reported even when no brief cites from them; each file is parsed once, whoever reads it).
pub fn discover_content(config: &Config, diagnostics: &mut Diagnostics) -> Found {
    let entries = walk::discover(config, diagnostics);
    let mut authors: Vec<&str> = entries
        .iter()
        .filter(|e| e.kind == Kind::Author)
        .map(|e| e.name.as_str())
        .collect();
    authors.sort_unstable();
    let authors: Vec<String> = authors.into_iter().map(str::to_string).collect();
    let bibliographies = bibliography::Bibliographies::default();
    for path in &config.citation.bibliography {
        if let Err(bibliography::BibProblem::First(problem)) =
            bibliographies.load(&config.root, path)
        {
            diagnostics.push(problem);
        }
    }
    Found {
        entries,
        authors,
        bibliographies,
    }
}

/// Reads and checks one content file found by `discover_content`.
pub fn read_entry(config: &Config, entry: Entry, found: &Found) -> Parsed {
    documents::parse(config, entry, &found.authors, &found.bibliographies)
}

/// Parses a content file's text as if read from `entry.path`, reading nothing from disk: the
/// front matter and Markdown stages alone, as the fuzz targets drive them.
pub fn parse_source(
    config: &Config,
    file: SourceFile,
    entry: Entry,
    known_authors: &[String],
) -> (Option<Doc<BodySource>>, Vec<Diagnostic>) {
    documents::parse_source(config, file, entry, known_authors)
}

/// Reads one brief again (for the preview server), checking its authors against the files
/// now in content/authors/.
pub fn load_entry(config: &Config, entry: Entry) -> (Option<Doc<BodySource>>, Vec<Diagnostic>) {
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
