//! Diagnostics: problems found in a site's files, with their place, printed like a compiler's.
//!
//! Every stage pushes `Diagnostic`s instead of stopping at the first problem; the command decides
//! the exit code once everything has been reported.
//!
//! The printer is written by hand rather than with codespan-reporting or annotate-snippets:
//! those want every file's whole text and byte ranges, while our diagnostics also point into
//! files that are not UTF-8 or could not be read, and carry only the one line they show.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a problem is: errors fail the build, warnings are printed and the build goes on;
/// notes only inform (a brief scheduled for later), and never fail `check --deny-warnings`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Note,
}

/// One problem at one place in one file.
#[derive(Debug, Clone, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The file, relative to the site root when it is inside it.
    pub path: PathBuf,
    /// 1-based line in the file; 0 when the problem concerns the whole file.
    pub line: usize,
    /// 1-based column (in characters) on that line; 0 when unknown.
    pub column: usize,
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
    /// Further context, such as the other file of a duplicate.
    pub note: Option<String>,
    /// The text of the line, shown under the location.
    #[serde(skip)]
    pub snippet: Option<String>,
    /// How many characters the caret marker underlines.
    #[serde(skip)]
    pub width: usize,
}

impl Diagnostic {
    pub fn error(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, path.into(), message.into())
    }

    pub fn warning(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, path.into(), message.into())
    }

    /// Something to know that is not a problem, such as a brief scheduled for later.
    pub fn notice(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self::new(Severity::Note, path.into(), message.into())
    }

    pub fn is_warning(&self) -> bool {
        self.severity == Severity::Warning
    }

    fn new(severity: Severity, path: PathBuf, message: String) -> Self {
        Diagnostic {
            severity,
            path,
            line: 0,
            column: 0,
            message,
            help: None,
            note: None,
            snippet: None,
            width: 1,
        }
    }

    /// Places the diagnostic at `line:column` of `text`, showing that line.
    pub fn at(mut self, text: &str, line: usize, column: usize) -> Self {
        self.line = line;
        self.column = column.max(1);
        self.snippet = text.lines().nth(line.saturating_sub(1)).map(str::to_owned);
        self
    }

    /// Places the diagnostic at a byte offset of `text`.
    pub fn at_offset(self, text: &str, offset: usize) -> Self {
        let (line, column) = line_column(text, offset);
        self.at(text, line, column)
    }

    /// Underlines `width` characters from the column.
    pub fn width(mut self, width: usize) -> Self {
        self.width = width.max(1);
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// 1-based line and character column of a byte offset in `text`.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let (line, line_start, offset) = line_of(text, offset);
    let column = text[line_start..offset].chars().count() + 1;
    (line, column)
}

/// The 1-based line of byte `offset` (clamped to a character boundary), where that line
/// starts, and the clamped offset. Newlines counted with memchr: every heading, link and
/// table of every brief is given its place as it is read.
pub fn line_of(text: &str, offset: usize) -> (usize, usize, usize) {
    let offset = floor_char_boundary(text, offset.min(text.len()));
    let before = &text.as_bytes()[..offset];
    let line = memchr::memchr_iter(b'\n', before).count() + 1;
    let line_start = memchr::memrchr(b'\n', before).map_or(0, |i| i + 1);
    (line, line_start, offset)
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

impl fmt::Display for Diagnostic {
    /// Formats like rustc: severity and message, location, the source line with a caret, help.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        writeln!(f, "{label}: {}", self.message)?;
        let path = self.path.display();
        match (self.line, self.column) {
            (0, _) => writeln!(f, "  --> {path}")?,
            (line, column) => writeln!(f, "  --> {path}:{line}:{column}")?,
        }
        let gutter = " ".repeat(self.line.to_string().len());
        if let Some(snippet) = self.snippet.as_deref().filter(|_| self.line > 0) {
            // A tab is shown as an arrow, so a caret under it points at something visible.
            let shown = snippet.replace('\t', "\u{2192}   ");
            let before = snippet.chars().take(self.column.saturating_sub(1));
            let pad = " ".repeat(before.map(|c| if c == '\t' { 4 } else { 1 }).sum());
            writeln!(f, "{gutter} |")?;
            writeln!(f, "{} | {shown}", self.line)?;
            writeln!(f, "{gutter} | {pad}{}", "^".repeat(self.width))?;
        }
        if let Some(note) = &self.note {
            writeln!(f, "{gutter} = note: {note}")?;
        }
        if let Some(help) = &self.help {
            writeln!(f, "{gutter} = help: {help}")?;
        }
        Ok(())
    }
}

/// The diagnostics of one run, in the order they were found.
#[derive(Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    pub fn extend(&mut self, diagnostics: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(diagnostics);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.items.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.items.len() - self.error_count()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Sorted by file, then place, so output is the same on every run whatever the thread order.
    pub fn sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by(|a, b| {
            (&a.path, a.line, a.column, a.severity, &a.message)
                .cmp(&(&b.path, b.line, b.column, b.severity, &b.message))
        });
        self.items
    }
}

/// The path to show for a file: relative to the site root when inside it.
pub fn display_path(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

/// The known name closest to `unknown`, when it is close enough to be a likely typo.
pub fn suggest<'a>(unknown: &str, known: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    known
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(unknown, candidate), candidate))
        .filter(|(score, _)| *score > 0.75)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_characters_not_bytes() {
        let text = "ab\nçdé x";
        assert_eq!(line_column(text, 0), (1, 1));
        assert_eq!(line_column(text, 3), (2, 1));
        assert_eq!(line_column(text, text.find('x').unwrap()), (2, 5));
    }

    #[test]
    fn suggests_near_misses_only() {
        let known = ["title", "authors", "date"];
        assert_eq!(suggest("autors", known), Some("authors"));
        assert_eq!(suggest("zzz", known), None);
    }

    #[test]
    fn prints_like_a_compiler() {
        let text = "---\nautors: [a]\n---\n";
        let d = Diagnostic::error("content/briefs/x.md", "unknown field `autors`")
            .at(text, 2, 1)
            .width(6)
            .help("did you mean `authors`?");
        let shown = d.to_string();
        assert!(
            shown.starts_with("error: unknown field `autors`\n  --> content/briefs/x.md:2:1\n")
        );
        assert!(shown.contains("2 | autors: [a]\n  | ^^^^^^\n"));
        assert!(shown.ends_with("= help: did you mean `authors`?\n"));
    }
}
