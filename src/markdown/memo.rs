//! Rendered Markdown kept in the build cache: a text rendered before, from the same inputs,
//! is read back instead of rendered again (rendering, highlighting above all, is most of the
//! Markdown stage).
//!
//! A rendering depends on the text and where it sits (path, first line, id prefix, root path),
//! on the bibliography files it may cite from and the citation style, on the sizes of the
//! figures it looked up, and on folio itself (the key holds the executable). Only renderings
//! without diagnostics are kept, so a text with problems reports them on every build.

use super::{
    Bibliography, FigureRead, MarkdownInput, Rendered, figures_unchanged, render_beside_figures,
};
use crate::cache::{BuildCache, Key, Shelf};
use crate::content::BibFile;
use crate::diagnostics::Diagnostic;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Arc;

/// What a text cites from: its bibliography, and the files and style that made it.
pub(super) struct Cited<'a> {
    pub bibliography: Option<&'a Bibliography<'a>>,
    pub files: &'a [Arc<BibFile>],
    pub style: &'a str,
}

/// A rendering as the cache keeps it.
#[derive(Serialize)]
struct Kept<'a> {
    figures: &'a [FigureRead],
    rendered: &'a Rendered,
}

/// The same, read back.
#[derive(Deserialize)]
struct Found {
    figures: Vec<FigureRead>,
    rendered: Rendered,
}

/// Renders `input`, its figures looked up in `figure_dir`, or reads the rendering kept for the
/// same inputs.
pub(super) fn render(
    cache: &BuildCache,
    input: &MarkdownInput<'_>,
    cited: &Cited<'_>,
    figure_dir: Option<&Path>,
) -> (Rendered, Vec<Diagnostic>) {
    let key = key(input, cited);
    if let Some(rendered) = kept(cache, key, figure_dir) {
        return (rendered, Vec::new());
    }
    let (rendered, problems, figures) =
        render_beside_figures(input, cited.bibliography, figure_dir);
    if problems.is_empty() {
        let kept = Kept {
            figures: &figures,
            rendered: &rendered,
        };
        if let Ok(bytes) = postcard::to_stdvec(&kept) {
            cache.keep_entry(Shelf::Renderings, key, &bytes);
        }
    }
    (rendered, problems)
}

/// The rendering kept for `key`, when its figures still have the sizes it was given.
fn kept(cache: &BuildCache, key: Key, figure_dir: Option<&Path>) -> Option<Rendered> {
    let bytes = cache.entry(Shelf::Renderings, key)?;
    let found: Found = postcard::from_bytes(&bytes).ok()?;
    figures_unchanged(figure_dir, &found.figures).then_some(found.rendered)
}

fn key(input: &MarkdownInput<'_>, cited: &Cited<'_>) -> Key {
    let bibliography = cited.bibliography.map(|b| {
        let files: Vec<Key> = cited.files.iter().map(|f| f.fingerprint).collect();
        (b.complete, b.language, cited.style, files)
    });
    Key::of((
        input.text,
        input.first_line,
        input.path,
        input.id_prefix,
        input.root_path,
        bibliography,
    ))
}
