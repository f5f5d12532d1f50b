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
mod patch;
mod short_bytes;
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
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;
use vocabulary::Vocabulary;

/// The folder, under the output root, that holds the index's files. It sits inside the
/// search page's own folder (`/search/`), beside its `index.html`.
pub const SEARCH_DIR: &str = "search/index";

/// The index's files, and a warning when the site's language has no stemmer.
pub struct SearchIndex {
    /// The files to write.
    pub files: Vec<OutputFile>,
    /// The files of the previous output's index this build keeps as they are (a patched
    /// index, `patch`), by their path under the output.
    pub kept: Vec<PathBuf>,
    pub warning: Option<Diagnostic>,
}

/// Indexes the site's briefs and pages, reusing the cache's analyses of unchanged ones. Given
/// the previous output (`previous`, whose index the cache's state describes), an edit of a few
/// documents patches that index instead: see `patch`.
pub fn index_briefs(
    site: &Site,
    cache: &BuildCache,
    previous: Option<&Path>,
) -> Result<SearchIndex, Diagnostic> {
    let made = index_briefs_until(site, cache, previous, &|| false)?;
    made.ok_or_else(|| Diagnostic::error("site.toml", "the search index was stopped unfinished"))
}

/// `index_briefs`, stopped unfinished (`None`) as soon as `stop` says so when the index is made
/// afresh: the preview stops making one for a newer edit, whose page comes first. Nothing is
/// kept in the cache from a stopped index but the analyses, when their writing had begun.
pub fn index_briefs_until(
    site: &Site,
    cache: &BuildCache,
    previous: Option<&Path>,
    stop: &(dyn Fn() -> bool + Sync),
) -> Result<Option<SearchIndex>, Diagnostic> {
    let started = Instant::now();
    let language = &site.config.language;
    let stemmer = analyse::stemmer_for(language);
    let warning = stemmer.is_none().then(|| {
        Diagnostic::warning(
            "site.toml",
            format!("search index: no stemmer for the language `{language}`; words are indexed as written"),
        )
    });
    let (words, kept) = Kept::read(cache);
    let sources = Source::all(site);
    let stemmed = stemmer.is_some();
    let last = previous
        .and_then(|output| patch::Last::read(cache, &output.join(SEARCH_DIR)))
        .filter(|last| last.fits(language, stemmed, &words));
    // The documents' keys are made up front only to compare them with the last index's; a
    // fresh index makes each with its document.
    let keys: Option<Vec<Keys>> = last.as_ref().map(|_| {
        let parts = sources.par_iter().map(|source| source.parts(site).keys());
        parts.collect()
    });
    if let (Some(last), Some(keys)) = (last, &keys) {
        let given = patch::Given {
            site,
            sources: &sources,
            keys,
            kept: &kept,
            stemmer: stemmer.as_ref(),
        };
        if let Some(patched) = patch::patch(&given, last, &words) {
            let files = kept_patch(cache, patched, keys, &kept, started);
            return Ok(Some(SearchIndex { warning, ..files }));
        }
    }
    let index = Fresh {
        site,
        cache,
        sources: &sources,
        keys: keys.as_deref(),
        kept: &kept,
        stemmer: stemmer.as_ref(),
        stop,
    };
    Ok(index
        .make(words, started)
        .map(|made| SearchIndex { warning, ..made }))
}

/// Keeps what a patched index's next build needs (the state, the new analyses) and gives
/// its files.
fn kept_patch(
    cache: &BuildCache,
    patched: patch::Patched,
    keys: &[Keys],
    kept: &Kept,
    started: Instant,
) -> SearchIndex {
    patched.state.keep(cache);
    let fresh: Vec<(u128, &Analysed)> = patched.analyses.iter().map(|(k, a)| (*k, a)).collect();
    let texts = keys.iter().map(|k| k.text);
    keep_new_analyses(cache, texts, fresh, kept, &patched.words);
    let what = format!(
        "analysed {} of {} documents; patched the last index for {} edited",
        patched.analysed,
        keys.len(),
        patched.edited
    );
    timing(started, &what);
    SearchIndex {
        files: output_files(patched.files),
        kept: patched
            .kept
            .into_iter()
            .map(|name| Path::new(SEARCH_DIR).join(name))
            .collect(),
        warning: None,
    }
}

/// What a fresh index is made of.
struct Fresh<'f> {
    site: &'f Site,
    cache: &'f BuildCache,
    sources: &'f [Source<'f>],
    /// The documents' keys, when they were made to compare with the last index.
    keys: Option<&'f [Keys]>,
    kept: &'f Kept,
    stemmer: Option<&'f rust_stemmers::Stemmer>,
    /// Whether to stop, looked at between batches of documents and between steps.
    stop: &'f (dyn Fn() -> bool + Sync),
}

impl Fresh<'_> {
    /// The index made afresh, every document analysed or its analysis taken from the cache;
    /// the cache's copy of the analyses and the index's state kept for the next build. `None`
    /// when `stop` stopped it.
    fn make(&self, words: Vec<String>, started: Instant) -> Option<SearchIndex> {
        let (site, kept) = (self.site, self.kept);
        let vocabulary = Vocabulary::with_words(words);
        // Each of rayon's threads analyses documents with a `Batch` of its own, taking the
        // next few in turn until none are left: a memo meets the site's whole vocabulary, so
        // there is one a thread, and the threads end together.
        let keyed = self.cache.is_kept();
        let next = AtomicUsize::new(0);
        let batches: Vec<Finished> = (0..rayon::current_num_threads())
            .into_par_iter()
            .map(|_| {
                let mut batch = Batch::new(&vocabulary);
                loop {
                    let first = next.fetch_add(TAKEN, Ordering::Relaxed);
                    let taken = first..(first + TAKEN).min(self.sources.len());
                    if taken.is_empty() || (self.stop)() {
                        break batch.finished();
                    }
                    for at in taken {
                        let parts = self.sources[at].parts(site);
                        let keys = match self.keys {
                            Some(keys) => keys[at],
                            None if keyed => parts.keys(),
                            None => Keys::default(),
                        };
                        let document = parts.document(keys.text, kept, &mut batch.numbering);
                        batch.analysed.push((at, keys, document));
                    }
                }
            })
            .collect();
        if (self.stop)() {
            return dropped_aside(batches);
        }
        let (keys, mut documents, mut word_documents) = Batch::joined(batches);
        let words = vocabulary.into_words();
        word_documents.resize(words.len(), 0);
        let analysed = started.elapsed();
        // The cache's copy of the analyses is written while the index is made from them (and
        // without a cache, not gathered for it either).
        let ((), inverted) = rayon::join(
            || {
                // Stopped, the analyses are not kept: writing them all again (~45 MB at
                // 10,000 briefs) would keep the next edit waiting, and in a preview all but
                // the edited briefs' are kept already.
                if !keyed || (self.stop)() {
                    return;
                }
                let fresh: Vec<(u128, &Analysed)> = documents
                    .iter()
                    .filter(|d| !kept.contains_key(&d.text_key))
                    .map(|d| (d.text_key, d.analysed.as_ref()))
                    .collect();
                let texts = documents.iter().map(|d| d.text_key);
                keep_new_analyses(self.cache, texts, fresh, kept, &words);
            },
            || index::invert(&documents, &words, word_documents, self.stemmer, self.stop),
        );
        let Some(inverted) = inverted.filter(|_| !(self.stop)()) else {
            return dropped_aside(documents);
        };
        let inverted_at = started.elapsed();
        // Their words inverted, the analyses' counts make room for the index's files (the
        // stage's peak memory ~25 MB lower at 10,000 briefs). One shared elsewhere keeps them.
        documents.par_iter_mut().for_each(|document| {
            if let Some(analysed) = Arc::get_mut(&mut document.analysed) {
                analysed.forget_words();
            }
        });
        let language = &site.config.language;
        let stemmed = self.stemmer.is_some();
        // Taken before the files are made: they drop `inverted` once its postings are written.
        let state =
            keyed.then(|| patch::State::of_index(&keys, &documents, &inverted, language, stemmed));
        let made = format::files(&documents, inverted, language, stemmed, self.stop);
        let Some(made) = made.filter(|_| !(self.stop)()) else {
            return dropped_aside(documents);
        };
        if let Some(state) = state {
            state.describing(&made).keep(self.cache);
        }
        let fresh = documents
            .iter()
            .filter(|d| !kept.contains_key(&d.text_key))
            .count();
        let count = documents.len();
        // Dropped on every thread: at 10,000 briefs, their analyses and sections took one
        // thread ~40 ms to free.
        documents.into_par_iter().for_each(drop);
        timing(
            started,
            &format!(
                "analysed {fresh} of {count} documents in {:.1} ms, invert and keep {:.1}",
                analysed.as_secs_f64() * 1e3,
                (inverted_at - analysed).as_secs_f64() * 1e3,
            ),
        );
        Some(SearchIndex {
            files: output_files(made),
            kept: Vec::new(),
            warning: None,
        })
    }
}

/// Nothing, once `unfinished` is handed to rayon's threads to drop: a stopped index's
/// documents took one thread ~40 ms to free at 10,000 briefs, which the next edit waited for.
fn dropped_aside<T: Send + 'static>(unfinished: T) -> Option<SearchIndex> {
    rayon::spawn(move || drop(unfinished));
    None
}

/// How many documents a thread takes at a time: enough that taking costs nothing, few enough
/// that the threads end within a few milliseconds of each other.
const TAKEN: usize = 16;

/// The documents one of rayon's threads analysed, each with its place in the site's order,
/// and the memo that numbered their words.
struct Batch<'v> {
    numbering: Numbering<'v>,
    analysed: Vec<(usize, Keys, Document)>,
}

/// A batch's documents with their places and keys, and its counts of the documents that have
/// each word.
type Finished = (Vec<(usize, Keys, Document)>, Vec<u32>);

impl<'v> Batch<'v> {
    fn new(vocabulary: &'v Vocabulary) -> Self {
        Batch {
            numbering: Numbering::new(vocabulary),
            analysed: Vec::new(),
        }
    }

    /// The batch's documents, and how many of them have each word, by number (to the highest
    /// number one has).
    fn finished(self) -> Finished {
        (self.analysed, self.numbering.into_word_documents())
    }

    /// The finished batches' keys and documents, in the site's order, and how many of the
    /// documents have each word.
    fn joined(batches: Vec<Finished>) -> (Vec<Keys>, Vec<Document>, Vec<u32>) {
        let mut analysed = Vec::new();
        let mut word_documents = Vec::new();
        for (batch, counted) in batches {
            analysed.extend(batch);
            if counted.len() > word_documents.len() {
                word_documents.resize(counted.len(), 0);
            }
            word_documents
                .iter_mut()
                .zip(counted)
                .for_each(|(all, n)| *all += n);
        }
        analysed.sort_unstable_by_key(|(at, ..)| *at);
        let (keys, documents) = analysed.into_iter().map(|(_, k, d)| (k, d)).unzip();
        (keys, documents, word_documents)
    }
}

/// The index's files as the site's, under `SEARCH_DIR`.
fn output_files(files: Vec<format::IndexFile>) -> Vec<OutputFile> {
    files
        .into_iter()
        .map(|file| OutputFile {
            path: Path::new(SEARCH_DIR).join(file.name),
            contents: Contents::Bytes(file.bytes),
        })
        .collect()
}

/// Prints the stage's time with `what`, under `FOLIO_TIMINGS`.
fn timing(started: Instant, what: &str) {
    if std::env::var_os("FOLIO_TIMINGS").is_some() {
        eprintln!(
            "timing: index    {:>8.1} ms  ({what})",
            started.elapsed().as_secs_f64() * 1e3
        );
    }
}

/// A URL as the index stores it: from the site's root, which the page puts before it.
fn search_url(site: &Site, url: &str) -> String {
    url.strip_prefix(&site.config.root_path)
        .unwrap_or(url)
        .to_string()
}

/// A document of the index, as the site has it: a brief or a standalone page.
#[derive(Clone, Copy)]
enum Source<'s> {
    Brief(&'s Brief),
    Page(&'s Page),
}

impl<'s> Source<'s> {
    /// The site's documents, numbered in this order: the briefs, then the pages.
    fn all(site: &'s Site) -> Vec<Source<'s>> {
        let briefs = site.briefs.iter().map(Source::Brief);
        briefs.chain(site.pages.iter().map(Source::Page)).collect()
    }

    fn parts(self, site: &'s Site) -> Parts<'s> {
        match self {
            Source::Brief(brief) => brief_parts(site, brief),
            Source::Page(page) => page_parts(site, page),
        }
    }
}

/// What the index shows and analyses of one document, before its analysis.
struct Parts<'s> {
    card: Card,
    filters: Vec<(&'static str, String)>,
    title: &'s str,
    summary: String,
    body: &'s str,
    notes: String,
    meta: String,
}

/// A document's keys: of its text (under which its analysis is kept), and of all the index
/// holds of it (its text, card and filters).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Keys {
    pub text: u128,
    pub document: u128,
}

impl Parts<'_> {
    fn text(&self) -> Text<'_> {
        Text {
            title: self.title,
            summary: &self.summary,
            body: self.body,
            notes: &self.notes,
            meta: &self.meta,
        }
    }

    fn keys(&self) -> Keys {
        let text = u128::from_le_bytes(Key::of(("search analysis 4", self.text())).bytes());
        let document = xxhash_rust::xxh3::xxh3_128(
            &postcard::to_stdvec(&(text, &self.card, &self.filters)).unwrap_or_default(),
        );
        Keys { text, document }
    }

    /// The document, its analysis the one kept under `text_key` or made now.
    fn document(self, text_key: u128, kept: &Kept, numbering: &mut Numbering) -> Document {
        let analysed = match kept.get(text_key) {
            Some(analysed) => {
                numbering.count(&analysed);
                analysed
            }
            None => analyse_text(&self.text(), numbering),
        };
        Document {
            card: self.card,
            filters: self.filters,
            text_key,
            analysed: Arc::new(analysed),
        }
    }
}

fn brief_parts<'s>(site: &'s Site, brief: &'s Brief) -> Parts<'s> {
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
    let mut filters: Vec<(&'static str, String)> = vec![("type", kind.clone()), ("year", year)];
    filters.extend(topics.iter().map(|t| ("topic", t.clone())));
    filters.extend(authors.iter().map(|a| ("author", a.clone())));
    Parts {
        card: Card {
            url: search_url(site, &brief.url),
            title: doc.title.clone(),
            date: crate::render::human_date(doc.date),
            datetime: crate::render::iso_date(doc.date),
            kind,
            authors,
            topics,
            summary: doc.summary.clone().unwrap_or_default(),
        },
        filters,
        title: &doc.title,
        summary: summary.join(" "),
        body: &doc.body.html,
        notes: notes.join(" "),
        meta,
    }
}

fn page_parts<'s>(site: &'s Site, page: &'s Page) -> Parts<'s> {
    let doc = &page.doc;
    let summary = doc.summary.clone().unwrap_or_default();
    Parts {
        card: Card {
            url: search_url(site, &page.url),
            title: doc.title.clone(),
            date: String::new(),
            datetime: String::new(),
            kind: "Page".into(),
            authors: Vec::new(),
            topics: Vec::new(),
            summary: summary.clone(),
        },
        filters: vec![("type", "Page".into())],
        title: &doc.title,
        summary,
        body: &doc.body.html,
        notes: String::new(),
        meta: "Page".into(),
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
const ANALYSES_FILE: &str = "search-analyses-2.postcard";

/// The cache's file of the analyses patched builds added since `ANALYSES_FILE` was written:
/// an edit adds a few kilobytes there instead of writing the ~50 MB of all of them again.
const ADDED_FILE: &str = "search-analyses-added.postcard";

/// The added file is folded into the whole one when it holds more analyses than this.
const MOST_ADDED: usize = 256;

/// The cache file's contents: its id, the vocabulary, and each document's analysis, itself
/// postcard, by its key. Each analysis is decoded only when a document asks for it, on the
/// document's thread: a build decodes them in parallel, and an edited build that patches the
/// index (`patch`) decodes only the edited ones.
type KeptFile<'a> = (u64, Vec<String>, Vec<(u128, &'a [u8])>);

/// The added file's contents: the id of the whole file it adds to, the words numbered after
/// that file's, and the analyses added, by key.
type AddedFile<'a> = (u64, Vec<String>, Vec<(u128, &'a [u8])>);

/// The analyses the last build kept, by the key of their text.
#[derive(Default)]
pub(crate) struct Kept {
    id: u64,
    /// The whole file's bytes, and the added file's.
    whole: Vec<u8>,
    added: Vec<u8>,
    /// Each analysis: whether it is in the added file, and where.
    by_key: HashMap<u128, (bool, std::ops::Range<usize>)>,
    /// How many words the whole file's vocabulary has.
    whole_words: usize,
}

impl Kept {
    /// The kept files' vocabulary and analyses (none when there is no such file).
    fn read(cache: &BuildCache) -> (Vec<String>, Kept) {
        let Some(whole) = cache.file(ANALYSES_FILE) else {
            return Default::default();
        };
        let Ok((id, mut words, analyses)) = postcard::from_bytes::<KeptFile>(&whole) else {
            return Default::default();
        };
        let mut by_key: HashMap<u128, (bool, std::ops::Range<usize>)> =
            places(&whole, analyses, false).collect();
        let whole_words = words.len();
        let added = cache.file(ADDED_FILE).unwrap_or_default();
        match postcard::from_bytes::<AddedFile>(&added) {
            Ok((whole_id, more_words, analyses)) if whole_id == id => {
                words.extend(more_words);
                by_key.extend(places(&added, analyses, true));
            }
            _ => {}
        }
        let kept = Kept {
            id,
            whole,
            added,
            by_key,
            whole_words,
        };
        (words, kept)
    }

    fn contains_key(&self, key: &u128) -> bool {
        self.by_key.contains_key(key)
    }

    fn len(&self) -> usize {
        self.by_key.len()
    }

    /// The kept analysis of the text whose key is `key`, as postcard.
    fn encoded(&self, key: u128) -> Option<&[u8]> {
        let (added, range) = self.by_key.get(&key)?;
        let bytes = if *added { &self.added } else { &self.whole };
        Some(&bytes[range.clone()])
    }

    /// The kept analysis of the text whose key is `key`, decoded.
    fn get(&self, key: u128) -> Option<Analysed> {
        postcard::from_bytes(self.encoded(key)?).ok()
    }

    /// Keeps the analyses `fresh` in the added file, with the words
    /// numbered since the whole file; false when the added file is full (the caller then
    /// writes the whole file).
    fn add(&self, cache: &BuildCache, fresh: &[(u128, &Analysed)], words: &[String]) -> bool {
        if !cache.is_kept() {
            return true;
        }
        let mut added: Vec<(u128, std::borrow::Cow<[u8]>)> = self
            .by_key
            .iter()
            .filter(|(_, (added, _))| *added)
            .map(|(&key, (_, range))| (key, self.added[range.clone()].into()))
            .collect();
        for (key, analysed) in fresh {
            if !self.contains_key(key)
                && let Ok(bytes) = postcard::to_stdvec(analysed)
            {
                added.push((*key, bytes.into()));
            }
        }
        if added.len() > MOST_ADDED {
            return false;
        }
        added.sort_by_key(|(key, _)| *key);
        let analyses: Vec<(u128, &[u8])> = added.iter().map(|(k, b)| (*k, b.as_ref())).collect();
        let more_words = words.get(self.whole_words..).unwrap_or_default();
        if let Ok(bytes) = postcard::to_stdvec(&(self.id, more_words, analyses)) {
            cache.keep_file(ADDED_FILE, &bytes);
        }
        true
    }
}

/// Each analysis's key with its place in `bytes` (whose slices `analyses` are).
fn places(
    bytes: &[u8],
    analyses: Vec<(u128, &[u8])>,
    added: bool,
) -> impl Iterator<Item = (u128, (bool, std::ops::Range<usize>))> {
    let base = bytes.as_ptr() as usize;
    analyses.into_iter().map(move |(key, slice)| {
        let start = slice.as_ptr() as usize - base;
        (key, (added, start..start + slice.len()))
    })
}

/// Keeps the analyses `fresh` beside the `kept` ones, for the documents whose texts' keys are
/// `texts`: a few (a patched build's, a preview's edit) in the added file, as writing the whole
/// file again took ~150 ms at 10,000 briefs; the whole file when there is none yet or the added
/// file would be full.
fn keep_new_analyses(
    cache: &BuildCache,
    texts: impl Iterator<Item = u128>,
    fresh: Vec<(u128, &Analysed)>,
    kept: &Kept,
    words: &[String],
) {
    let few = kept.len() > 0 && fresh.len() <= MOST_ADDED;
    if !(few && kept.add(cache, &fresh, words)) {
        let fresh = fresh.into_iter().collect();
        keep_analyses(cache, texts, &fresh, kept, words);
    }
}

/// Keeps the analyses of the texts whose keys are `texts` (in the documents' order) and their
/// vocabulary in one file (one write, not one a document), unless it already holds them all. A
/// kept analysis is copied as it was read; the others are `fresh`'s.
fn keep_analyses(
    cache: &BuildCache,
    texts: impl Iterator<Item = u128>,
    fresh: &HashMap<u128, &Analysed>,
    kept: &Kept,
    words: &[String],
) {
    let texts: Vec<u128> = texts.collect();
    let unchanged = !cache.is_kept()
        || texts.len() == kept.len() && texts.iter().all(|key| kept.contains_key(key));
    if unchanged {
        return;
    }
    let encoded: Option<Vec<std::borrow::Cow<[u8]>>> = texts
        .par_iter()
        .map(|&key| match kept.encoded(key) {
            Some(bytes) => Some(bytes.into()),
            None => postcard::to_stdvec(fresh.get(&key)?).ok().map(Into::into),
        })
        .collect();
    let Some(encoded) = encoded else { return };
    let all: Vec<(u128, &[u8])> = texts
        .iter()
        .zip(&encoded)
        .map(|(&key, bytes)| (key, bytes.as_ref()))
        .collect();
    // A new id: the added file of the last whole file is not this one's.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    let id = now.map_or(0, |d| d.as_nanos()) ^ u128::from(std::process::id());
    let id = xxhash_rust::xxh3::xxh3_64(&id.to_le_bytes());
    if let Ok(bytes) = postcard::to_stdvec(&(id, words, all)) {
        cache.keep_file(ANALYSES_FILE, &bytes);
    }
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
