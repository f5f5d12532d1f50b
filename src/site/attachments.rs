//! Files attached to a brief: the PDF named by `pdf:`, found beside the brief, measured, and
//! copied next to its page.

use super::BriefDoc;
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use std::path::{Component, Path, PathBuf};

/// A brief's PDF edition.
#[derive(Debug, Clone)]
pub struct Pdf {
    /// The link from the brief's page, as written in `pdf:` (relative to the page, or an
    /// absolute `https://` address).
    pub href: String,
    /// The file beside the brief, when it is one (not an external address).
    pub file: Option<PathBuf>,
    /// Its size in bytes, when it is a file beside the brief, or typeset and measured.
    pub bytes: Option<u64>,
    /// Whether folio typesets it (`[pdf] enabled`, no `pdf:` of the brief's own): the PDF stage
    /// fills in `file` and `bytes`, and it is written beside the page.
    pub typeset: bool,
    /// A typeset PDF's bytes, when the build cache could not keep it in `file`.
    pub data: Option<std::sync::Arc<[u8]>>,
}

impl Pdf {
    /// The PDF folio will typeset for the brief `slug`: `<slug>.pdf` beside its page, the name
    /// a reader's download keeps.
    pub fn typeset(slug: &str) -> Pdf {
        Pdf {
            href: format!("{slug}.pdf"),
            file: None,
            bytes: None,
            typeset: true,
            data: None,
        }
    }
}

/// The longest brief folio typesets, in words of its body: about 300 pages. A longer one (a
/// generated or pasted text, most likely) would take seconds to typeset and tens of megabytes.
pub const MAX_TYPESET_WORDS: usize = 100_000;

/// The brief's PDF edition: the one it names, else the one folio typesets (`[pdf] enabled`,
/// and no longer than `MAX_TYPESET_WORDS`).
pub fn brief_pdf(config: &Config, doc: &BriefDoc) -> Result<Option<Pdf>, Diagnostic> {
    let named = find_pdf(config, doc)?;
    let typeset = config.pdf.enabled && doc.body.word_count <= MAX_TYPESET_WORDS;
    Ok(named.or_else(|| typeset.then(|| Pdf::typeset(&doc.slug))))
}

/// Finds the PDF a brief names; an error placed at the `pdf:` line when the file is missing.
fn find_pdf(config: &Config, doc: &BriefDoc) -> Result<Option<Pdf>, Diagnostic> {
    let Some(href) = doc.pdf.as_deref() else {
        return Ok(None);
    };
    let lower = href.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        return Ok(Some(Pdf {
            href: href.to_string(),
            file: None,
            bytes: None,
            typeset: false,
            data: None,
        }));
    }
    let relative = Path::new(href);
    let inside = relative
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    let dir = match &doc.bundle {
        Some((dir, _)) => dir.clone(),
        None => config
            .root
            .join(&doc.shown)
            .parent()
            .map_or_else(|| config.content_dir().join("briefs"), Path::to_path_buf),
    };
    let file = dir.join(relative);
    let bytes = std::fs::metadata(&file)
        .ok()
        .filter(|m| m.is_file())
        .map(|m| m.len());
    match bytes {
        Some(bytes) if inside => Ok(Some(Pdf {
            href: href.to_string(),
            file: Some(file),
            bytes: Some(bytes),
            typeset: false,
            data: None,
        })),
        _ => {
            let (message, help) = if inside {
                (
                    format!("the PDF `{href}` is not beside the brief"),
                    format!(
                        "put the file at {}, or correct `pdf:`",
                        crate::diagnostics::display_path(&config.root, &file).display()
                    ),
                )
            } else {
                (
                    format!("`pdf: {href}` points outside the brief's folder"),
                    "name a file kept beside the brief (e.g. `pdf: brief.pdf`), or give a full \
                     https:// address"
                        .to_string(),
                )
            };
            Err(place_at_field(
                config,
                &doc.shown,
                "pdf",
                Diagnostic::error(&doc.shown, message),
            )
            .help(help))
        }
    }
}

/// Places a diagnostic at a front matter field of the brief's file. The file is read again
/// only here, on the way to reporting an error.
pub(crate) fn place_at_field(
    config: &Config,
    shown: &Path,
    field: &str,
    diagnostic: Diagnostic,
) -> Diagnostic {
    let path = config.root.join(shown);
    let Ok(text) = std::fs::read_to_string(path) else {
        return diagnostic;
    };
    let text = text.trim_start_matches('\u{feff}').replace("\r\n", "\n");
    let prefix = format!("{field}:");
    let mut offset = 0;
    for (number, line) in text.lines().enumerate() {
        if number > 0 && line.trim_end() == "---" {
            break;
        }
        if line.starts_with(&prefix) {
            let value = line[prefix.len()..].trim_start();
            let column_offset = line.len() - value.len();
            return diagnostic
                .at_offset(&text, offset + column_offset)
                .width(value.trim_end().chars().count());
        }
        offset += line.len() + 1;
    }
    diagnostic
}

/// A size for people: "840 bytes", "245 KB", "3.4 MB" (decimal units, as file managers show).
pub fn human_size(bytes: u64) -> String {
    match bytes {
        0..1_000 => format!("{bytes} bytes"),
        1_000..1_000_000 => format!("{} KB", (bytes + 500) / 1_000),
        _ => format!("{:.1} MB", bytes as f64 / 1_000_000.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_a_file_manager() {
        assert_eq!(human_size(840), "840 bytes");
        assert_eq!(human_size(245_300), "245 KB");
        assert_eq!(human_size(3_420_000), "3.4 MB");
    }
}
