//! The search index: folio's own, made from the site model and written under `search/index/`
//! for the default theme's `search.js` (the format: docs/SEARCH.md).
//!
//! Each brief and standalone page is one document. Its text is analysed (words, folded,
//! stemmed in the site's language) once per content: the build cache keeps the analysis by a
//! key of what the document says, so an edited build analyses only the edited documents.
//! Ranking (BM25F per field) is computed here and stored as small integer impacts.

mod analyse;
mod format;
mod index;
mod vocabulary;

use crate::cache::{BuildCache, Key};
use crate::diagnostics::Diagnostic;
use crate::markdown::inline_html;
use crate::render::{Contents, OutputFile};
use crate::site::{Brief, Page, Site};
use analyse::{Analysed, Analyser, META, NOTES, Numbering, SUMMARY, TITLE};
use foldhash::HashMap;
use format::{Card, Document};
use rayon::prelude::*;
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;
use vocabulary::Vocabulary;

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
    let started = Instant::now();
    let language = &site.config.language;
    let stemmer = analyse::stemmer_for(language);
    let warning = stemmer.is_none().then(|| {
        Diagnostic::warning(
            "site.toml",
            format!("search index: no stemmer for the language `{language}`; words are indexed as written"),
        )
    });
    let (words, kept) = kept_analyses(cache);
    let vocabulary = Vocabulary::with_words(words);
    // Each of rayon's jobs numbers its documents' words with a memo of its own.
    let numbering = || Numbering::new(&vocabulary);
    let mut documents: Vec<Document> = site
        .briefs
        .par_iter()
        .map_init(numbering, |n, brief| brief_document(site, brief, &kept, n))
        .collect();
    documents.extend(
        site.pages
            .par_iter()
            .map_init(numbering, |n, page| page_document(site, page, &kept, n))
            .collect::<Vec<_>>(),
    );
    let words = vocabulary.into_words();
    let analysed = started.elapsed();
    // The cache's copy of the analyses is written while the index is made from them.
    let ((), inverted) = rayon::join(
        || keep_analyses(cache, &documents, &kept, &words),
        || index::invert(&documents, &words, stemmer.as_ref()),
    );
    let inverted_at = started.elapsed();
    let files = format::files(&documents, &inverted, language, stemmer.is_some())
        .into_iter()
        .map(|file| OutputFile {
            path: Path::new(SEARCH_DIR).join(file.name),
            contents: Contents::Bytes(file.bytes),
        })
        .collect();
    if std::env::var_os("FOLIO_TIMINGS").is_some() {
        eprintln!(
            "timing: index    {:>8.1} ms  (analysed {} of {} documents in {:.1} ms, invert and keep {:.1})",
            started.elapsed().as_secs_f64() * 1e3,
            documents
                .iter()
                .filter(|d| !kept.contains_key(&d.text_key))
                .count(),
            documents.len(),
            analysed.as_secs_f64() * 1e3,
            (inverted_at - analysed).as_secs_f64() * 1e3,
        );
    }
    Ok(SearchIndex { files, warning })
}

/// A URL as the index stores it: from the site's root, which the page puts before it.
fn search_url(site: &Site, url: &str) -> String {
    url.strip_prefix(&site.config.root_path)
        .unwrap_or(url)
        .to_string()
}

fn brief_document(site: &Site, brief: &Brief, kept: &Kept, numbering: &mut Numbering) -> Document {
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
    // The key findings stand beside the summary on the page, and weigh as it does here.
    let findings: Vec<String> = doc
        .key_findings
        .iter()
        .map(|finding| analyse::strip_tags(&inline_html(&finding.value)))
        .collect();
    let summary: Vec<&str> = [&doc.subtitle, &doc.summary]
        .into_iter()
        .flatten()
        .chain(&findings)
        .map(String::as_str)
        .collect();
    let notes: Vec<&str> = doc.body.footnotes.iter().map(|n| n.html.as_str()).collect();
    // The byline as the page shows it: each author's name and role.
    let roles = brief
        .authors
        .iter()
        .filter_map(|&a| site.authors[a].doc.role.as_deref());
    let byline: Vec<&str> = authors.iter().map(String::as_str).chain(roles).collect();
    let meta = [
        byline.join(" "),
        site.keywords(brief).join(" "),
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
    let (text_key, analysed) = analysed(&text, kept, numbering);
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
        text_key,
        analysed,
    }
}

fn page_document(site: &Site, page: &Page, kept: &Kept, numbering: &mut Numbering) -> Document {
    let doc = &page.doc;
    let summary = doc.summary.clone().unwrap_or_default();
    let text = Text {
        title: &doc.title,
        summary: &summary.clone(),
        body: &doc.body.html,
        notes: "",
        meta: "Page",
    };
    let (text_key, analysed) = analysed(&text, kept, numbering);
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
        text_key,
        analysed,
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

/// The cache's file of every document's analysis, by a key of its text.
const ANALYSES_FILE: &str = "search-analyses.postcard";

/// The analyses the last build kept, by the key of their text.
type Kept = HashMap<u128, Arc<Analysed>>;

/// The cache file's contents: the vocabulary, and each document's analysis by its key.
type KeptFile = (Vec<String>, Vec<(u128, Analysed)>);

fn kept_analyses(cache: &BuildCache) -> (Vec<String>, Kept) {
    let Some((words, analyses)) = cache
        .file(ANALYSES_FILE)
        .and_then(|bytes| postcard::from_bytes::<KeptFile>(&bytes).ok())
    else {
        return Default::default();
    };
    let analyses = analyses
        .into_iter()
        .map(|(k, a)| (k, Arc::new(a)))
        .collect();
    (words, analyses)
}

/// Keeps the documents' analyses and their vocabulary in one file (one write, not one a
/// document), unless it already holds them all.
fn keep_analyses(cache: &BuildCache, documents: &[Document], kept: &Kept, words: &[String]) {
    let unchanged = !cache.is_kept()
        || documents.len() == kept.len()
            && documents.iter().all(|d| kept.contains_key(&d.text_key));
    if unchanged {
        return;
    }
    let all: Vec<(u128, &Analysed)> = documents
        .iter()
        .map(|d| (d.text_key, d.analysed.as_ref()))
        .collect();
    if let Ok(bytes) = postcard::to_stdvec(&(words, all)) {
        cache.keep_file(ANALYSES_FILE, &bytes);
    }
}

/// The analysis of `text`, and its key: the last build's, when it had the same text.
fn analysed(text: &Text, kept: &Kept, numbering: &mut Numbering) -> (u128, Arc<Analysed>) {
    let key = u128::from_le_bytes(Key::of(("search analysis 4", text)).bytes());
    let analysed = kept
        .get(&key)
        .cloned()
        .unwrap_or_else(|| Arc::new(analyse_text(text, numbering)));
    (key, analysed)
}

fn analyse_text(text: &Text, numbering: &mut Numbering) -> Analysed {
    let mut analyser = Analyser::new(numbering);
    analyser.add(TITLE, text.title);
    analyser.add(SUMMARY, text.summary);
    analyser.add(META, text.meta);
    analyser.body_html(text.body);
    analyser.add(NOTES, &analyse::strip_tags(text.notes));
    analyser.finish()
}
