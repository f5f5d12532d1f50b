//! The search index: Pagefind, run as a library at build time over each brief's rendered HTML,
//! its index (in chunks) and scripts added under `pagefind/` to the files written.
//!
//! Pagefind is made for static sites: the browser loads a small entry file, then only the index
//! chunks and fragments a query touches, so a large archive stays light. folio hands it one
//! document per brief built from the model (title, subtitle, summary, body and notes), not the
//! themed page, so every theme gets the same index, and the filters (topic, author, year) and
//! the result's metadata come from the front matter rather than from markup a theme might miss.

use crate::cache::{BuildCache, Key, Shelf};
use crate::diagnostics::Diagnostic;
use crate::markdown::escape;
use crate::render::{Contents, OutputFile};
use crate::site::{Brief, Site};
use pagefind::api::{CompressedFiles, PagefindIndex, ParsedPage};
use pagefind::options::PagefindServiceConfig;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

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
/// the site's order (newest first, then by slug), so two builds of the same content write the
/// same bytes. That is also why the build cache can keep its work: the whole index, for the
/// same documents; else each brief as Pagefind parsed it, by its document, and each file as
/// Pagefind compressed it. After an edit, only the edited briefs are parsed again, and only
/// the index's changed files compressed.
pub fn index_briefs(site: &Site, cache: &BuildCache) -> Result<Vec<OutputFile>, Diagnostic> {
    let documents: Vec<Key> = site
        .briefs
        .par_iter()
        .map(|brief| document_key(site, brief))
        .collect();
    let key = Key::of_each(&site.config.language, documents.iter());
    if let Some(files) = cache.search_index(key) {
        return Ok(files
            .into_iter()
            .map(|(path, kept)| OutputFile {
                path: Path::new(SEARCH_DIR).join(path),
                contents: Contents::Copy(kept),
            })
            .collect());
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|err| failure(format!("could not start the indexer: {err}")))?;
    let kept = KeptCompressed::new(cache);
    let files = runtime.block_on(index(site, &documents, &kept))?;
    let mut files: Vec<pagefind::api::SyntheticFile> = files
        .into_iter()
        .filter(|file| {
            !UNUSED
                .iter()
                .any(|name| file.filename == PathBuf::from(name))
        })
        .collect();
    files.sort_by(|a, b| a.filename.cmp(&b.filename));
    let listing: Vec<(&Path, Key)> = files
        .iter()
        .map(|file| (file.filename.as_path(), kept.key_of(&file.contents)))
        .collect();
    cache.keep_search_index(key, &listing);
    Ok(files
        .into_iter()
        .map(|file| OutputFile {
            path: Path::new(SEARCH_DIR).join(file.filename),
            contents: Contents::Bytes(file.contents),
        })
        .collect())
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

/// Briefs handed to Pagefind at a time: enough to keep every core parsing, few enough that
/// their documents are not all held at once.
const INDEX_BATCH: usize = 256;

/// Pagefind's files for the site's briefs, whose documents have the keys `documents`. Each
/// batch of briefs is taken from the cache or parsed by Pagefind on rayon's threads; the
/// briefs keep the site's order, which numbers them in the index.
async fn index(
    site: &Site,
    documents: &[Key],
    kept: &KeptCompressed<'_>,
) -> Result<Vec<pagefind::api::SyntheticFile>, Diagnostic> {
    let options = PagefindServiceConfig::builder()
        .force_language(site.config.language.clone())
        .build();
    let mut index = PagefindIndex::new(Some(options)).map_err(|err| failure(format!("{err:#}")))?;
    for (briefs, keys) in site
        .briefs
        .chunks(INDEX_BATCH)
        .zip(documents.chunks(INDEX_BATCH))
    {
        let pages = parsed_pages(site, briefs, keys, &index, kept.cache).await?;
        index.add_parsed_pages(pages).await;
    }
    index
        .get_files_reusing(kept)
        .await
        .map_err(|err| failure(format!("could not write the search index: {err:#}")))
}

/// The briefs as Pagefind parses them, in order: kept ones from the cache, the others parsed
/// (in parallel) and kept. A missed brief's document is made again here, after `document_key`
/// made it for its key, rather than every document being held from one to the other: that
/// would hold the site's text twice.
async fn parsed_pages(
    site: &Site,
    briefs: &[Brief],
    keys: &[Key],
    index: &PagefindIndex,
    cache: &BuildCache,
) -> Result<Vec<ParsedPage>, Diagnostic> {
    let mut pages: Vec<Option<ParsedPage>> = keys
        .par_iter()
        .map(|&key| {
            let bytes = cache.entry(Shelf::SearchPages, key)?;
            postcard::from_bytes(&bytes).ok()
        })
        .collect();
    let missing: Vec<usize> = (0..pages.len()).filter(|&i| pages[i].is_none()).collect();
    let documents = missing
        .par_iter()
        .map(|&i| {
            (
                search_url(site, &briefs[i]),
                search_document(site, &briefs[i]),
            )
        })
        .collect();
    let parsed = index.parse_html_files(documents).await.map_err(|err| {
        failure(format!("could not index the briefs: {err:#}"))
            .help("this is a bug in folio or Pagefind; set `[search] enabled = false` in site.toml to build without search")
    })?;
    parsed.par_iter().zip(&missing).for_each(|(page, &i)| {
        if let Ok(bytes) = postcard::to_stdvec(page) {
            cache.keep_entry(Shelf::SearchPages, keys[i], &bytes);
        }
    });
    for (page, i) in parsed.into_iter().zip(missing) {
        pages[i] = Some(page);
    }
    Ok(pages.into_iter().flatten().collect())
}

/// What a brief gives Pagefind, as a key: its URL and document, in the site's language.
fn document_key(site: &Site, brief: &Brief) -> Key {
    Key::of((
        &site.config.language,
        search_url(site, brief),
        search_document(site, brief),
    ))
}

/// The index's files as Pagefind compressed them in earlier builds, on the cache's shelf, by
/// their plain contents; and which of them this build's index has, by the compressed bytes.
struct KeptCompressed<'a> {
    cache: &'a BuildCache,
    keys: Mutex<HashMap<Key, Key>>,
}

impl<'a> KeptCompressed<'a> {
    fn new(cache: &'a BuildCache) -> Self {
        KeptCompressed {
            cache,
            keys: Mutex::default(),
        }
    }

    /// The key that an index file's `contents` are kept by on the shelf. Pagefind's
    /// compressed files were kept as they were made (or found); the few it writes as they
    /// are (its scripts, its WebAssembly) are kept here, by their own contents.
    fn key_of(&self, contents: &[u8]) -> Key {
        if let Some(&key) = crate::lock(&self.keys).get(&Key::of(contents)) {
            return key;
        }
        let key = Key::of(("as is", contents));
        self.cache
            .keep_entry(Shelf::SearchCompressed, key, contents);
        key
    }

    fn note(&self, compressed: &[u8], key: Key) {
        crate::lock(&self.keys).insert(Key::of(compressed), key);
    }
}

impl CompressedFiles for KeptCompressed<'_> {
    fn get(&self, plain: &[u8]) -> Option<Vec<u8>> {
        let key = Key::of(plain);
        let compressed = self.cache.entry(Shelf::SearchCompressed, key)?;
        self.note(&compressed, key);
        Some(compressed)
    }

    fn keep(&self, plain: &[u8], compressed: &[u8]) {
        let key = Key::of(plain);
        self.cache
            .keep_entry(Shelf::SearchCompressed, key, compressed);
        self.note(compressed, key);
    }
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
    use pagefind::api::{PagefindIndex, ParsedPage, SyntheticFile};
    use pagefind::options::PagefindServiceConfig;

    /// Pages with headings that have ids (anchors, some with titles), diacritics and filters:
    /// what a kept `ParsedPage` must carry whole.
    fn pages() -> Vec<(String, String)> {
        (0..40)
            .map(|n| {
                let html = format!(
                    "<html lang=\"en\"><body><main data-pagefind-body>\
                     <h1 data-pagefind-meta=\"title\">Brief {n} on café zoning</h1>\
                     <h2 id=\"s{n}\">Section {n}</h2><p>Rents rose {n} per cent in Zürich.</p>\
                     <h3 id=\"t{n}\" data-pagefind-meta=\"x\">Naïve {n}</h3>\
                     </main><span data-pagefind-filter=\"topic\">Topic {}</span></body></html>",
                    n % 3
                );
                (format!("/briefs/b{n}/"), html)
            })
            .collect()
    }

    fn new_index() -> PagefindIndex {
        let options = PagefindServiceConfig::builder()
            .force_language("en".to_string())
            .build();
        PagefindIndex::new(Some(options)).unwrap()
    }

    fn sorted(mut files: Vec<SyntheticFile>) -> Vec<(std::path::PathBuf, Vec<u8>)> {
        files.sort_by(|a, b| a.filename.cmp(&b.filename));
        files
            .into_iter()
            .map(|f| (f.filename, f.contents))
            .collect()
    }

    /// The patched Pagefind's batch API, through a round trip as the cache keeps pages, makes
    /// the index that adding the pages one by one makes.
    #[test]
    fn pages_parsed_together_and_kept_index_as_pages_added_one_by_one() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let one_by_one = runtime.block_on(async {
            let mut index = new_index();
            for (url, html) in pages() {
                index.add_html_file(None, Some(url), html).await.unwrap();
            }
            index.get_files().await.unwrap()
        });
        let batched = runtime.block_on(async {
            let mut index = new_index();
            let parsed = index.parse_html_files(pages()).await.unwrap();
            let kept: Vec<ParsedPage> = parsed
                .iter()
                .map(|page| postcard::from_bytes(&postcard::to_stdvec(page).unwrap()).unwrap())
                .collect();
            index.add_parsed_pages(kept).await;
            index.get_files().await.unwrap()
        });
        assert!(one_by_one.len() > 40, "{} files", one_by_one.len());
        assert!(sorted(one_by_one) == sorted(batched));
    }

    #[test]
    fn authors_are_joined_as_in_listings() {
        assert_eq!(join_names(&["A"]), "A");
        assert_eq!(join_names(&["A", "B"]), "A and B");
        assert_eq!(join_names(&["A", "B", "C"]), "A, B and C");
    }
}
