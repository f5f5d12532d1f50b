//! The Markdown stage's part of a content document: its body rendered (or read back from the
//! build cache), cleaned when the site asks for sanitising, with the problems found.

use super::memo::{self, Cited};
use super::sanitize::sanitize_rendered;
use super::{Bibliography, MarkdownInput, Rendered};
use crate::cache::BuildCache;
use crate::config::Config;
use crate::content::{BibFile, BodySource, Doc};
use crate::diagnostics::Diagnostic;
use std::path::Path;
use std::sync::Arc;

/// Renders a document's body; the document comes back with its rendering in the body's place.
pub fn render_doc(
    config: &Config,
    doc: Doc<BodySource>,
    cache: &BuildCache,
) -> (Doc<Rendered>, Vec<Diagnostic>) {
    let mut problems = Vec::new();
    let doc = doc.map_body(|body, shown| {
        let (rendered, found) = render_body(config, &body, shown, cache);
        problems = found;
        rendered
    });
    (doc, problems)
}

/// Renders one body as the file `shown` holds it.
fn render_body(
    config: &Config,
    body: &BodySource,
    shown: &Path,
    cache: &BuildCache,
) -> (Rendered, Vec<Diagnostic>) {
    let bibliography = cited_from(config, &body.bibliography, body.bibliography_complete);
    let input = MarkdownInput {
        text: &body.text,
        first_line: body.first_line,
        path: shown,
        id_prefix: &body.id_prefix,
        root_path: &config.root_path,
    };
    let cited = Cited {
        bibliography: bibliography.as_ref(),
        files: &body.bibliography,
        style: &config.citation.style,
    };
    let (mut rendered, problems) = memo::render(cache, &input, &cited, body.figure_dir.as_deref());
    if config.markdown.sanitize {
        sanitize_rendered(&mut rendered, &config.markdown.embed_origins);
    }
    (rendered, problems)
}

/// What a brief's citations resolve against: its files, in the site's citation style. A brief
/// whose files could not all be read still has a bibliography, `complete: false`, so that its
/// citations are neither "unknown" nor "without a bibliography" on top of that error.
fn cited_from<'a>(
    config: &'a Config,
    files: &'a [Arc<BibFile>],
    complete: bool,
) -> Option<Bibliography<'a>> {
    if files.is_empty() && complete {
        return None;
    }
    let style = super::csl::style_for(&config.citation, &config.citation.style, false)?;
    Some(Bibliography {
        complete,
        libraries: files.iter().map(|file| &file.library).collect(),
        style,
        locales: super::csl::locales(&config.language, style),
        language: &config.language,
    })
}
