//! The search index: Pagefind, run as a library at build time over each brief's rendered HTML,
//! its index (in chunks) and scripts added under `pagefind/` to the files written.
//!
//! Pagefind is made for static sites: the browser loads a small entry file, then only the index
//! chunks and fragments a query touches, so a large archive stays light. folio hands it one
//! document per brief built from the model (title, subtitle, summary, body and notes), not the
//! themed page, so every theme gets the same index, and the filters (topic, author, year) and
//! the result's metadata come from the front matter rather than from markup a theme might miss.

use crate::cache::{BuildCache, Key};
use crate::diagnostics::Diagnostic;
use crate::markdown::escape;
use crate::render::{Contents, OutputFile};
use crate::site::{Brief, Site};
use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The folder, under the output root, that holds the index and Pagefind's scripts.
pub const SEARCH_DIR: &str = "pagefind";

/// Pagefind's files that folio does not write: its ready-made interfaces (the default theme
/// has its own, lighter and styled like the site) and the playground.
const UNUSED: &[&str] = &[
    "pagefind-ui.js",
    "pagefind-ui.css",
    "pagefind-modular-ui.js",
    "pagefind-modular-ui.css",
    "pagefind-component-ui.js",
    "pagefind-component-ui.css",
    "pagefind-highlight.js",
];

/// Indexes the site's briefs; returns the files to write under `pagefind/`, sorted by path.
///
/// Pagefind's output depends only on what it is given and in which order: the briefs go in in
/// the site's order (newest first, then by slug), one at a time, so two builds of the same
/// content write the same bytes. That is also why an index kept in the build cache for the
/// same documents can be used as it is: indexing is the slowest step of a build.
pub fn index_briefs(site: &Site, cache: &BuildCache) -> Result<Vec<OutputFile>, Diagnostic> {
    let documents = || {
        site.briefs
            .iter()
            .map(|brief| (search_url(site, brief), search_document(site, brief)))
    };
    // Hashed one document at a time, so the site's text is not held twice to make the key.
    let key = Key::of_each(&site.config.language, documents());
    if let Some(files) = cache.search_index(key, Path::new(SEARCH_DIR)) {
        return Ok(files);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| failure(format!("could not start the indexer: {err}")))?;
    let files = runtime.block_on(index(&site.config.language, documents()))?;
    let mut files: Vec<OutputFile> = files
        .into_iter()
        .filter(|file| {
            !UNUSED
                .iter()
                .any(|name| file.filename == PathBuf::from(name))
        })
        .map(|file| OutputFile {
            path: PathBuf::from(SEARCH_DIR).join(file.filename),
            contents: Contents::Bytes(file.contents),
        })
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    cache.keep_search_index(key, Path::new(SEARCH_DIR), &files);
    Ok(files)
}

/// A brief's URL as the index stores it: from the site's root. Pagefind puts the folder that
/// holds `pagefind/` before it in the browser, so a site under a path needs nothing more.
fn search_url(site: &Site, brief: &Brief) -> String {
    brief
        .url
        .strip_prefix(&site.config.root_path)
        .unwrap_or(&brief.url)
        .to_string()
}

async fn index(
    language: &str,
    documents: impl Iterator<Item = (String, String)>,
) -> Result<Vec<pagefind::api::SyntheticFile>, Diagnostic> {
    let options = PagefindServiceConfig::builder()
        .force_language(language.to_string())
        .build();
    let mut index = PagefindIndex::new(Some(options)).map_err(|err| failure(format!("{err:#}")))?;
    for (url, html) in documents {
        index
            .add_html_file(None, Some(url.clone()), html)
            .await
            .map_err(|err| {
                failure(format!("could not index {url}: {err:#}"))
                    .help("this is a bug in folio or Pagefind; set `[search] enabled = false` in site.toml to build without search")
            })?;
    }
    index
        .get_files()
        .await
        .map_err(|err| failure(format!("could not write the search index: {err:#}")))
}

/// The HTML Pagefind reads for one brief: the words to find it by in `data-pagefind-body`, and
/// outside it the filters, sort key and result metadata.
fn search_document(site: &Site, brief: &Brief) -> String {
    let doc = &brief.doc;
    let mut html = format!(
        "<!doctype html><html lang=\"{}\"><body><main data-pagefind-body>",
        escape(&site.config.language)
    );
    html.push_str(&format!(
        "<h1 data-pagefind-meta=\"title\">{}</h1>",
        escape(&doc.title)
    ));
    for text in [&doc.subtitle, &doc.summary].into_iter().flatten() {
        html.push_str(&format!("<p>{}</p>", escape(text)));
    }
    html.push_str(&doc.body.html);
    if !doc.body.footnotes.is_empty() {
        html.push_str("<section><h2 id=\"notes\">Notes</h2><ol>");
        for note in &doc.body.footnotes {
            html.push_str(&format!("<li id=\"{}\">{}</li>", note.id, note.html));
        }
        html.push_str("</ol></section>");
    }
    html.push_str("</main><div data-pagefind-ignore>");
    let names: Vec<&str> = brief
        .authors
        .iter()
        .map(|&a| site.authors[a].doc.name.as_str())
        .collect();
    let mut tags: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    tags.entry("author")
        .or_default()
        .extend(names.iter().map(|n| n.to_string()));
    tags.entry("topic")
        .or_default()
        .extend(brief.topics.iter().map(|&t| site.topics[t].name.clone()));
    tags.entry("year")
        .or_default()
        .push(doc.date.format("%Y").to_string());
    for (filter, values) in &tags {
        for value in values {
            html.push_str(&format!(
                "<span data-pagefind-filter=\"{filter}\">{}</span>",
                escape(value)
            ));
        }
    }
    let meta = [
        ("authors", join_names(&names)),
        ("date", doc.date.format("%-d %B %Y").to_string()),
        ("datetime", doc.date.format("%Y-%m-%d").to_string()),
        ("kind", doc.kind.clone().unwrap_or_else(|| "Brief".into())),
    ];
    for (key, value) in meta {
        html.push_str(&format!(
            "<span data-pagefind-meta=\"{key}\">{}</span>",
            escape(&value)
        ));
    }
    html.push_str(&format!(
        "<span data-pagefind-sort=\"date\">{}</span>",
        doc.date.format("%Y-%m-%d")
    ));
    html.push_str("</div></body></html>");
    html
}

/// "A", "A and B", "A, B and C", as the listings write authors.
fn join_names(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => one.to_string(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn failure(message: String) -> Diagnostic {
    Diagnostic::error("site.toml", format!("search index: {message}"))
        .help("set `[search] enabled = false` in site.toml to build without search")
}

#[cfg(test)]
mod tests {
    use super::join_names;

    #[test]
    fn authors_are_joined_as_in_listings() {
        assert_eq!(join_names(&["A"]), "A");
        assert_eq!(join_names(&["A", "B"]), "A and B");
        assert_eq!(join_names(&["A", "B", "C"]), "A, B and C");
    }
}
