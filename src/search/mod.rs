//! The search index: folio's own, made from the site model and written under `search/index/`
//! for the default theme's `search.js` (the format: docs/SEARCH.md).
//!
//! Each brief and standalone page is one document. Its text is analysed (words, folded,
//! stemmed in the site's language) once per content: the build cache keeps the analysis by a
//! key of what the document says, so an edited build analyses only the edited documents.
//! Ranking (BM25F per field) is computed here and stored as small integer impacts.

mod analyse;
mod format;

use crate::cache::{BuildCache, Key, Shelf};
use crate::diagnostics::Diagnostic;
use crate::render::{Contents, OutputFile};
use crate::site::{Brief, Page, Site};
use analyse::{Analysed, Analyser, META, NOTES, Run, SUMMARY, TITLE};
use format::{Card, Document};
use rayon::prelude::*;
use rust_stemmers::Stemmer;
use std::path::Path;
use std::sync::Arc;

/// The folder, under the output root, that holds the index's files. It sits inside the
/// search page's own folder (`/search/`), beside its `index.html`.
pub const SEARCH_DIR: &str = "search/index";

/// The index's files, and a warning when the site's language has no stemmer.
pub struct SearchIndex {
    pub files: Vec<OutputFile>,
    pub warning: Option<Diagnostic>,
}

/// Indexes the site's briefs and pages, reusing the cache's analyses of unchanged ones.
pub fn index_briefs(site: &Site, cache: &BuildCache) -> Result<SearchIndex, Diagnostic> {
    let language = &site.config.language;
    let stemmer = analyse::stemmer_for(language);
    let warning = stemmer.is_none().then(|| {
        Diagnostic::warning(
            "site.toml",
            format!("search index: no stemmer for the language `{language}`; words are indexed as written"),
        )
    });
    let mut documents: Vec<Document> = site
        .briefs
        .par_iter()
        .map(|brief| brief_document(site, brief, stemmer.as_ref(), cache))
        .collect();
    documents.extend(
        site.pages
            .par_iter()
            .map(|page| page_document(site, page, stemmer.as_ref(), cache))
            .collect::<Vec<_>>(),
    );
    let files = format::files(&documents, language, stemmer.is_some())
        .into_iter()
        .map(|file| OutputFile {
            path: Path::new(SEARCH_DIR).join(file.name),
            contents: Contents::Bytes(file.bytes),
        })
        .collect();
    Ok(SearchIndex { files, warning })
}

/// A URL as the index stores it: from the site's root, which the page puts before it.
fn search_url(site: &Site, url: &str) -> String {
    url.strip_prefix(&site.config.root_path)
        .unwrap_or(url)
        .to_string()
}

fn brief_document(
    site: &Site,
    brief: &Brief,
    stemmer: Option<&Stemmer>,
    cache: &BuildCache,
) -> Document {
    let doc = &brief.doc;
    let authors: Vec<String> = brief
        .authors
        .iter()
        .map(|&a| site.authors[a].doc.name.clone())
        .collect();
    let topics: Vec<String> = brief
        .topics
        .iter()
        .map(|&t| site.topics[t].name.clone())
        .collect();
    let kind = doc.kind.clone().unwrap_or_else(|| "Brief".into());
    let year = doc.date.format("%Y").to_string();
    let summary: Vec<&str> = [&doc.subtitle, &doc.summary]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    let notes: Vec<&str> = doc.body.footnotes.iter().map(|n| n.html.as_str()).collect();
    let meta = [
        authors.join(" "),
        topics.join(" "),
        kind.clone(),
        year.clone(),
    ]
    .join(" ");
    let text = Text {
        title: &doc.title,
        summary: &summary.join(" "),
        body: &doc.body.html,
        notes: &notes.join(" "),
        meta: &meta,
    };
    let mut filters: Vec<(&'static str, String)> = vec![("type", kind.clone()), ("year", year)];
    filters.extend(topics.iter().map(|t| ("topic", t.clone())));
    filters.extend(authors.iter().map(|a| ("author", a.clone())));
    Document {
        card: Card {
            url: search_url(site, &brief.url),
            title: doc.title.clone(),
            date: doc.date.format("%-d %B %Y").to_string(),
            datetime: doc.date.format("%Y-%m-%d").to_string(),
            kind,
            authors,
            topics,
            summary: doc.summary.clone().unwrap_or_default(),
        },
        filters,
        analysed: analysed(&text, &site.config.language, stemmer, cache),
    }
}

fn page_document(
    site: &Site,
    page: &Page,
    stemmer: Option<&Stemmer>,
    cache: &BuildCache,
) -> Document {
    let doc = &page.doc;
    let summary = doc.summary.clone().unwrap_or_default();
    let text = Text {
        title: &doc.title,
        summary: &summary.clone(),
        body: &doc.body.html,
        notes: "",
        meta: "Page",
    };
    Document {
        card: Card {
            url: search_url(site, &page.url),
            title: doc.title.clone(),
            date: String::new(),
            datetime: String::new(),
            kind: "Page".into(),
            authors: Vec::new(),
            topics: Vec::new(),
            summary,
        },
        filters: vec![("type", "Page".into())],
        analysed: analysed(&text, &site.config.language, stemmer, cache),
    }
}

/// A document's fields as text (the body and notes as HTML).
#[derive(Hash)]
struct Text<'a> {
    title: &'a str,
    summary: &'a str,
    body: &'a str,
    notes: &'a str,
    meta: &'a str,
}

/// The analysis of `text`: the cache's, when it has one for the same text and language.
fn analysed(
    text: &Text,
    language: &str,
    stemmer: Option<&Stemmer>,
    cache: &BuildCache,
) -> Arc<Analysed> {
    let key = Key::of(("search analysis 1", language, text));
    if let Some(kept) = cache
        .entry(Shelf::SearchPages, key)
        .and_then(|bytes| postcard::from_bytes::<Analysed>(&bytes).ok())
    {
        return Arc::new(kept);
    }
    let analysed = analyse_text(text, stemmer);
    if let Ok(bytes) = postcard::to_stdvec(&analysed) {
        cache.keep_entry(Shelf::SearchPages, key, &bytes);
    }
    Arc::new(analysed)
}

fn analyse_text(text: &Text, stemmer: Option<&Stemmer>) -> Analysed {
    let mut analyser = Analyser::new(stemmer);
    analyser.add(TITLE, text.title);
    analyser.add(SUMMARY, text.summary);
    analyser.add(META, text.meta);
    for run in analyse::runs(text.body) {
        match run {
            Run::Text(words) => analyser.body(&words),
            Run::Heading { anchor, title } => analyser.heading(&anchor, &title),
        }
    }
    analyser.add(NOTES, &analyse::strip_tags(text.notes));
    analyser.finish()
}
