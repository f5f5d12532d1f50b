//! The index's files under `search/index/`: manifest, vocabulary, postings, documents and
//! filters, as JSON with content-hashed names (see docs/SEARCH.md).

use super::analyse::Analysed;
use super::index::{Inverted, Posting};
use super::short_bytes::ShortBytes;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::ops::Range;

/// Documents per document chunk: a query's first ten results each fetch one chunk, so chunks
/// are small (a result's card and excerpts are ~1.5 KB gzipped).
pub const DOCUMENT_CHUNK: usize = 2;
/// The size, before compression, past which a vocabulary chunk is closed.
const CHUNK_BYTES: usize = 48 * 1024;
/// A stem that this many documents have (its postings ~4 KB or more) has a postings chunk of
/// its own.
pub const OWN_CHUNK: u32 = 512;
/// About how many postings a chunk of the other stems holds (~48 KB before compression).
const CHUNK_POSTINGS: u64 = 6000;

/// What a result shows, for one document.
#[derive(Debug, Clone, Serialize)]
pub struct Card {
    pub url: String,
    pub title: String,
    pub date: String,
    pub datetime: String,
    pub kind: String,
    pub authors: Vec<String>,
    pub topics: Vec<String>,
    pub summary: String,
}

/// One document to index: its card, filter values and analysed text.
pub struct Document {
    pub card: Card,
    pub filters: Vec<(&'static str, String)>,
    /// The key of the text analysed, under which the build cache keeps the analysis.
    pub text_key: u128,
    pub analysed: std::sync::Arc<Analysed>,
}

/// A file of the index: its name under `search/index/` and bytes.
pub struct IndexFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Every file of the index for `documents`, numbered in their order.
/// `None` once `stop` says so, looked at between the steps (vocabulary, postings, cards) and
/// within the two longest, at each of their chunks (at 10,000 briefs they took 35–45 and
/// 25–30 ms, which a save waited for).
///
/// `inverted` is dropped once its postings are written, before the cards are made: at 10,000
/// briefs its ~7 million postings are ~56 MB, which the cards' ~28 MB then reuse, so the
/// stage's peak memory is the larger of the two steps', not their sum.
pub fn files(
    documents: &[Document],
    inverted: Inverted,
    language: &str,
    stemmed: bool,
    stop: &(dyn Fn() -> bool + Sync),
) -> Option<Vec<IndexFile>> {
    let mut files = Vec::new();
    let words = inverted
        .words
        .iter()
        .map(|(word, stem)| (word.as_str(), inverted.stems[*stem as usize].as_str()));
    let vocabulary = vocabulary_chunks(&mut files, words.collect());
    if stop() {
        return None;
    }
    let postings = postings_files(&mut files, &inverted, stop)?;
    drop(inverted);
    if stop() {
        return None;
    }
    // The filter lists are made by one thread while the cards are made on the others.
    let (cards, filters) = rayon::join(
        || {
            let cards = documents.par_chunks(DOCUMENT_CHUNK).map(|chunk| {
                let bytes = (!stop()).then(|| document_chunk(chunk))?;
                Some((short_hash(&bytes), bytes))
            });
            cards.collect::<Option<Vec<(String, Vec<u8>)>>>()
        },
        || filters_file(documents.iter().map(|d| d.filters.as_slice())),
    );
    let cards = cards?;
    let hashes: String = cards
        .into_iter()
        .enumerate()
        .map(|(n, (hash, bytes))| {
            files.push(document_file(n, &hash, bytes));
            hash
        })
        .collect();
    let filters = hashed(&mut files, "filters", filters);
    let manifest = Manifest {
        language,
        stemmed,
        documents: documents.len(),
        vocabulary,
        postings,
        document_hashes: hashes,
        filters,
    };
    files.push(manifest.file());
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Some(files)
}

/// The name of the manifest, the one file whose name has no hash.
pub const MANIFEST: &str = "manifest.json";

/// What `manifest.json` holds.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest<S = String> {
    pub language: S,
    pub stemmed: bool,
    pub documents: usize,
    /// `[[first key, file], …]`
    pub vocabulary: Value,
    /// `[[first key, file], …]`
    pub postings: Value,
    pub document_hashes: String,
    pub filters: String,
}

impl<S: AsRef<str>> Manifest<S> {
    pub fn file(&self) -> IndexFile {
        let manifest = json!({
            "version": 2,
            "language": self.language.as_ref(),
            "stemmed": self.stemmed,
            "documents": self.documents,
            "documentChunk": DOCUMENT_CHUNK,
            "vocabulary": self.vocabulary,
            "postings": self.postings,
            "documentHashes": self.document_hashes,
            "filters": self.filters,
        });
        IndexFile {
            name: MANIFEST.into(),
            bytes: serde_json::to_vec(&manifest).expect("JSON of values"),
        }
    }
}

/// Document chunk `n`, whose short hash is `hash`.
pub fn document_file(n: usize, hash: &str, bytes: Vec<u8>) -> IndexFile {
    IndexFile {
        name: format!("documents-{n}-{hash}.json"),
        bytes,
    }
}

/// Eight hex digits of a document chunk's hash: its name is `documents-<n>-<hash>.json`, and
/// the manifest lists the chunks as one string of these (at 10,000 briefs, 5,000 names in
/// full made the manifest 195 KB; the string is 40 KB, 22 KB gzipped).
pub fn short_hash(bytes: &[u8]) -> String {
    format!("{:08x}", xxhash_rust::xxh3::xxh3_64(bytes) as u32)
}

/// Keeps `bytes` as a file named `kind-<hash>.json`; returns the name.
pub fn hashed(files: &mut Vec<IndexFile>, kind: &str, bytes: Vec<u8>) -> String {
    let file = hashed_file(kind, bytes);
    let name = file.name.clone();
    files.push(file);
    name
}

/// `bytes` as a file named `kind-<hash>.json`.
fn hashed_file(kind: &str, bytes: Vec<u8>) -> IndexFile {
    let hash = xxhash_rust::xxh3::xxh3_64(&bytes);
    IndexFile {
        name: format!("{kind}-{hash:016x}.json"),
        bytes,
    }
}

/// The vocabulary's chunks, of sorted `(word, stem)`; returns `[[first key, file], …]`.
pub fn vocabulary_chunks(files: &mut Vec<IndexFile>, words: Vec<(&str, &str)>) -> Value {
    chunked(files, "vocabulary", vocabulary_entries(words))
}

/// Groups sorted `(key, "key":value)` entries into JSON objects of about `CHUNK_BYTES`;
/// returns `[[first key, file], …]` for the manifest.
fn chunked(files: &mut Vec<IndexFile>, kind: &str, entries: Vec<(&str, Vec<u8>)>) -> Value {
    let mut listed = Vec::new();
    let (mut start, mut size) = (0, 0);
    for at in 0..=entries.len() {
        // The chunk's size as JSON: its entries, each after a `{` or a `,`.
        let next = entries.get(at).map_or(0, |(_, entry)| entry.len() + 1);
        if at > start && (at == entries.len() || size + next > CHUNK_BYTES + 1) {
            let bytes = chunk_bytes(entries[start..at].iter().map(|(_, e)| e.as_slice()));
            listed.push(json!([entries[start].0, hashed(files, kind, bytes)]));
            (start, size) = (at, 0);
        }
        size += next;
    }
    Value::Array(listed)
}

/// Groups the sorted postings entries into chunks: a stem of `OWN_CHUNK` documents or more
/// alone, the others cut where `starts_chunk` says; returns `[[first key, file], …]`.
pub fn postings_chunks(files: &mut Vec<IndexFile>, entries: Vec<StemEntry>) -> Value {
    let made: Vec<(&str, IndexFile)> = cut_postings(&entries)
        .into_par_iter()
        .map(|chunk| {
            let bytes = chunk_bytes(chunk.iter().map(|entry| entry.bytes.as_slice()));
            (chunk[0].stem.as_ref(), hashed_file("postings", bytes))
        })
        .collect();
    listed(files, made)
}

/// The postings chunks `made` added to `files`; returns `[[first stem, file], …]`.
fn listed(files: &mut Vec<IndexFile>, made: Vec<(&str, IndexFile)>) -> Value {
    let listed = made.into_iter().map(|(stem, file)| {
        let listed = json!([stem, file.name]);
        files.push(file);
        listed
    });
    Value::Array(listed.collect())
}

/// One stem's entry of a postings chunk, `"stem":[…]`, with how many documents have it.
pub struct StemEntry<'a> {
    pub stem: std::borrow::Cow<'a, str>,
    pub frequency: u32,
    pub bytes: Vec<u8>,
}

/// Sorted postings entries cut into chunks. The cuts depend on each stem and its frequency,
/// never on its neighbours or bytes: an edit that changes some stems' postings changes only
/// the chunks that hold them (and merges or splits a chunk when a stem comes or goes), so the
/// build after it can rewrite those chunks alone and still write what a fresh build would.
pub fn cut_postings<'e, 'a>(entries: &'e [StemEntry<'a>]) -> Vec<&'e [StemEntry<'a>]> {
    let stem = |at: usize| (&*entries[at].stem, entries[at].frequency);
    let cuts = cuts(entries.len(), stem);
    cuts.into_iter().map(|chunk| &entries[chunk]).collect()
}

/// `cut_postings` for `count` sorted stems, of which `stem(n)` gives the `n`th and its
/// frequency: the chunks as ranges of the stems' places.
fn cuts<'s>(count: usize, stem: impl Fn(usize) -> (&'s str, u32)) -> Vec<Range<usize>> {
    let mut chunks = Vec::new();
    let mut start = 0;
    for at in 1..=count {
        let cut = at == count || {
            let ((_, before), (stem, frequency)) = (stem(at - 1), stem(at));
            starts_chunk(stem, frequency) || before >= OWN_CHUNK
        };
        if cut {
            chunks.push(start..at);
            start = at;
        }
    }
    chunks
}

/// Whether a stem starts a postings chunk: always when it has a chunk of its own, otherwise
/// with a chance of its frequency in `CHUNK_POSTINGS`, drawn from a hash of the stem (content-
/// defined chunking: chunks hold ~`CHUNK_POSTINGS` postings however the frequencies fall).
pub fn starts_chunk(stem: &str, frequency: u32) -> bool {
    let draw = u128::from(xxhash_rust::xxh3::xxh3_64(stem.as_bytes()) as u32);
    frequency >= OWN_CHUNK || draw * u128::from(CHUNK_POSTINGS) < u128::from(frequency) << 32
}

/// A JSON object of `entries`, each already `"key":value`.
pub fn chunk_bytes<'b>(entries: impl Iterator<Item = &'b [u8]> + Clone) -> Vec<u8> {
    let size = entries.clone().map(|entry| entry.len() + 1).sum::<usize>() + 1;
    let mut chunk = Vec::with_capacity(size);
    chunk.push(b'{');
    for (n, entry) in entries.enumerate() {
        if n > 0 {
            chunk.push(b',');
        }
        chunk.extend_from_slice(entry);
    }
    chunk.push(b'}');
    chunk
}

/// `"word":"stem"` for each surface word (`""` when the word is its own stem).
fn vocabulary_entries<'w>(words: Vec<(&'w str, &'w str)>) -> Vec<(&'w str, Vec<u8>)> {
    words
        .into_par_iter()
        .map(|(word, stem)| {
            let shown = if stem == word { "" } else { stem };
            let mut entry = json_string(word);
            entry.push(b':');
            entry.extend(json_string(shown));
            (word, entry)
        })
        .collect()
}

/// The postings chunks of every stem, cut as `cut_postings` cuts them and written straight
/// from `inverted`, each in parallel; returns `[[first stem, file], …]`. `None` once `stop`
/// says so, looked at before each chunk.
///
/// Each chunk is `{"stem":[weight, document, impact, place, …],…}`: a stem's weight, then its
/// postings, each document number after the first written as the difference from the one
/// before, and `place` the section × 2, plus 1 when the title has the stem. Written whole, not
/// from one entry a stem as a patch writes them: the entries doubled the postings' bytes.
fn postings_files(
    files: &mut Vec<IndexFile>,
    inverted: &Inverted,
    stop: &(dyn Fn() -> bool + Sync),
) -> Option<Value> {
    let stems = &inverted.stems;
    let stem = |n: usize| (stems[n].as_str(), inverted.frequency(n));
    let made: Vec<(&str, IndexFile)> = cuts(stems.len(), stem)
        .into_par_iter()
        // Chunks hold ~`CHUNK_POSTINGS` postings each, a few stems thousands alone: split
        // finely, so that no thread is left with a long run of them while the other waits.
        .with_max_len(4)
        .map(|chunk| {
            if stop() {
                return None;
            }
            let first = stems[chunk.start].as_str();
            Some((
                first,
                hashed_file("postings", postings_chunk(inverted, chunk)),
            ))
        })
        .collect::<Option<_>>()?;
    Some(listed(files, made))
}

/// The postings chunk of the stems `chunk`, as `chunk_bytes` would join their entries.
fn postings_chunk(inverted: &Inverted, chunk: Range<usize>) -> Vec<u8> {
    // ~10 bytes a posting and ~30 a stem's head: `write_postings` grows it only rarely.
    let postings: usize = chunk.clone().map(|n| inverted.frequency(n) as usize).sum();
    let mut bytes = Vec::with_capacity(2 + 10 * postings + 32 * chunk.len());
    bytes.push(b'{');
    for n in chunk.clone() {
        if n > chunk.start {
            bytes.push(b',');
        }
        bytes.extend(entry_head(&inverted.stems[n], inverted.weights[n]));
        write_postings(&mut bytes, inverted.postings(n));
        bytes.push(b']');
    }
    bytes.push(b'}');
    bytes
}

/// The start of a stem's postings entry, `"stem":[weight,`.
pub fn entry_head(stem: &str, weight: f64) -> Vec<u8> {
    let mut entry = json_string(stem);
    entry.extend_from_slice(format!(":[{weight:.3e},").as_bytes());
    entry
}

pub fn write_postings(out: &mut Vec<u8>, postings: &[Posting]) {
    // Each posting's three numbers are written into an array and added to `out` at once:
    // ~7 million postings at 10,000 briefs, and writing them a piece at a time (each checking
    // `out`'s room) was half the time of writing the index.
    out.reserve(postings.len() * 10);
    let mut previous = 0;
    for (n, posting) in postings.iter().enumerate() {
        let place = posting.place();
        let mut text = ShortBytes::default();
        if n > 0 {
            text.push(b',');
        }
        text.decimal(posting.document() - previous);
        text.push(b',');
        text.decimal(posting.impact().into());
        text.push(b',');
        text.decimal(place);
        text.add_to(out);
        previous = posting.document();
    }
}

fn json_string(text: &str) -> Vec<u8> {
    serde_json::to_vec(text).expect("JSON of a string")
}

/// The cards of a chunk of documents, with their sections for excerpts and sub-results.
pub fn document_chunk(documents: &[Document]) -> Vec<u8> {
    let cards: Vec<ShownCard> = documents.iter().map(ShownCard::of).collect();
    serde_json::to_vec(&cards).expect("JSON of cards")
}

/// A card as a document chunk holds it, with its sections (`[anchor, heading, text]`); the
/// keys in the order of their names, as the chunks have always had them.
#[derive(Serialize)]
struct ShownCard<'d> {
    authors: &'d [String],
    date: &'d str,
    datetime: &'d str,
    kind: &'d str,
    sections: Vec<(&'d str, &'d str, &'d str)>,
    summary: &'d str,
    title: &'d str,
    topics: &'d [String],
    url: &'d str,
}

impl<'d> ShownCard<'d> {
    fn of(document: &'d Document) -> ShownCard<'d> {
        let card = &document.card;
        let sections = document.analysed.sections.iter();
        ShownCard {
            authors: &card.authors,
            date: &card.date,
            datetime: &card.datetime,
            kind: &card.kind,
            sections: sections
                .map(|s| (s.anchor.as_str(), s.heading.as_str(), s.text.as_str()))
                .collect(),
            summary: &card.summary,
            title: &card.title,
            topics: &card.topics,
            url: &card.url,
        }
    }
}

/// The filters' file: filter → value → the documents that have it, each after the first as
/// the difference from the one before; of each document's filters, in order.
pub fn filters_file<'d>(documents: impl Iterator<Item = &'d [(&'static str, String)]>) -> Vec<u8> {
    let mut filters: BTreeMap<&'static str, BTreeMap<&str, Vec<u32>>> = BTreeMap::new();
    let mut last: BTreeMap<(&str, &str), u32> = BTreeMap::new();
    for (n, document) in documents.enumerate() {
        let n = n as u32;
        for (filter, value) in document {
            let previous = last.insert((filter, value), n);
            if previous == Some(n) {
                continue;
            }
            let list = filters.entry(filter).or_default().entry(value).or_default();
            list.push(n - previous.unwrap_or(0));
        }
    }
    serde_json::to_vec(&filters).expect("JSON of filters")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postings_text_is_its_numbers_in_decimal_at_every_width() {
        let numbers = [
            0,
            7,
            10,
            42,
            99,
            100,
            305,
            999,
            1000,
            4096,
            65_535,
            u32::MAX,
        ];
        for (document, impact, place) in numbers
            .iter()
            .zip(numbers.iter().rev())
            .zip(numbers)
            .map(|((&a, &b), c)| (a, b, c))
        {
            let mut text = ShortBytes::default();
            text.decimal(document);
            text.push(b',');
            text.decimal(impact);
            text.push(b',');
            text.decimal(place);
            let mut out = b"[".to_vec();
            text.add_to(&mut out);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                format!("[{document},{impact},{place}")
            );
        }
    }
}
